"""Label and digit variants real reports print, applied at random to valid reports: same cells.

format-and-law.md §7: 「（一）」/「(一)」, 「1.属于」/「1. 属于」/「1、属于」, spaced header words
(「结 果 维 持」), straight or curly quotes, full-width digits, [bookmark] marks, look-alike
characters (「尚末审结」).
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from support.strategies import valid_reports
from support.textwriter import write_tab_text, write_word_text

from gongkai.checks import check_reading
from gongkai.model.report import report_cells
from gongkai.readers import read_text

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _space_out(text: str) -> str:
    return " ".join(text)


VARIANTS = {
    "brackets": lambda cell: cell.replace("（", "(").replace("）", ")"),
    "brackets-back": lambda cell: cell.replace("(", "（").replace(")", "）"),
    # Numbering of sub-rows only: 「1.属于」, never a number such as 「0.01」.
    "dot-space": lambda cell: re.sub(r"^(\d)\.\s*(?=\D)", r"\1. ", cell),
    "dot-comma": lambda cell: re.sub(r"^(\d)\.\s*(?=\D)", r"\1、", cell),
    "quotes": lambda cell: cell.replace("“", '"').replace("”", '"'),
    "full-width-digits": lambda cell: cell.translate(FULL_WIDTH) if cell.strip().isdigit() else cell,
    "spaced-header": lambda cell: (
        _space_out(cell) if cell in ("结果维持", "结果纠正", "尚未审结", "自然人") else cell
    ),
    # Look-alike characters, mistyped or misread by OCR.
    "look-alikes": lambda cell: re.sub(r"尚未(\s?)审结", r"尚末\1审结", cell).replace("未按收费", "末按收费"),
    "bookmark": lambda cell: "[bookmark: _GoBack]" + cell if cell.startswith("信息内容") else cell,
}


def _perturb(text: str, chosen: list[str]) -> str:
    out = []
    for line in text.split("\n"):
        cells = line.split("\t")
        for name in chosen:
            cells = [VARIANTS[name](c) for c in cells]
        out.append("\t".join(cells))
    return "\n".join(out)


@settings(max_examples=40, deadline=None)
@given(
    report=valid_reports(),
    writer=st.sampled_from([write_word_text, write_tab_text]),
    chosen=st.lists(st.sampled_from(sorted(VARIANTS)), min_size=1, max_size=4, unique=True),
)
def test_label_variants_read_the_same(report, writer, chosen):
    """Whatever mix of spelling variants a report uses, every cell reads the same and no error appears."""
    text = _perturb(writer(report), chosen)
    reading = read_text(text)
    assert report_cells(reading.report) == report_cells(report), chosen
    assert not [f for f in check_reading(reading) if f.severity.value == "error"], chosen
