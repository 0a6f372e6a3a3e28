"""Issue 14 §7, the readers' side: a small hostile file never makes a reader build a huge structure.

Each file (tests/support/hostile.py) is read in a child process whose address space is
capped at 600 MB above what it uses once gongkai is imported: before the limits, each of
these ran out of that (or was read to the end, in 1.5–5 GB); now each is refused with one
message saying what is wrong, after a few megabytes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support import hostile

import gongkai
from gongkai.readers import UnreadableDocument, bytes_to_document
from gongkai.readers.bounds import MAX_MARKUP_RUN_BYTES, MAX_TABLE_CELLS, MarkupRuns, count_tags
from gongkai.readers.html.reader import html_to_document

HEADROOM_MB = 600

# Imports first, then the cap: what the child may still take is the reading's alone.
_CHILD = f"""
import resource, sys
from gongkai.readers import UnreadableDocument, read_all_bytes

def address_space():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))

data = open(sys.argv[1], "rb").read()
limit = address_space() + {HEADROOM_MB} * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
try:
    read_all_bytes(data, sys.argv[1])
except UnreadableDocument as exc:
    print("REFUSED", exc)
else:
    print("READ")
"""


def _read_bounded(data: bytes, suffix: str, folder: Path) -> str:
    """What reading ``data`` says in a child capped at HEADROOM_MB more memory: its one line."""
    path = folder / f"hostile.{suffix}"
    path.write_bytes(data)
    source = str(Path(gongkai.__file__).resolve().parents[1])  # this checkout's gongkai
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=folder,  # not the checkout: ``-c`` puts the working folder first on the path
        env={"PYTHONPATH": source, "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, f"the reader failed within {HEADROOM_MB} MB:\n{result.stderr[-2000:]}"
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("build", "suffix", "phrase"),
    [
        (hostile.html_paragraphs, "html", "HTML 标签超过200,000个"),
        (hostile.html_span_grid, "html", "网页第1行起的表格超过20,000个单元格"),
        (hostile.html_span_tables, "html", "表格合计超过200,000个单元格"),
        (hostile.docx_paragraphs, "docx", "DOCX 正文（word/document.xml）的 XML 元素超过1,000,000个"),
        (hostile.docx_grid_spans, "docx", "DOCX 表格1超过20,000个单元格"),
        (hostile.ofd_elements, "ofd", "OFD 第1页的内容（Doc_0/Pages/Page_0/Content.xml）的 XML 元素超过"),
    ],
    ids=[
        "html-paragraphs",
        "html-span-grid",
        "html-span-tables",
        "docx-paragraphs",
        "docx-grid-spans",
        "ofd",
    ],
)
def test_hostile_file_refused_within_memory_issue_14(build, suffix, phrase, tmp_path):
    """A million paragraphs, spans that multiply a table, a package part of millions of elements:
    each refused in one line, the child never past its memory cap."""
    said = _read_bounded(build(), suffix, tmp_path)
    assert said.startswith("REFUSED"), said
    assert phrase in said


def test_pdf_page_of_too_many_characters_refused_issue_14(tmp_path):
    """A 2 KB PDF whose compressed page shows 400,000 characters: refused before a box is built
    for each. (PDFium's own text page still costs ~200 bytes a character before the count.)"""
    said = _read_bounded(hostile.pdf_chars(400_000), "pdf", tmp_path)
    assert said == "REFUSED PDF 第1页的文字超过200,000个，不像是一份年度报告"


@pytest.mark.parametrize("build", [hostile.html_deep_spans, hostile.html_wide_spans], ids=["deep", "wide"])
def test_nested_spans_stay_bounded_issue_14(build, tmp_path):
    """Spans nested 100,000 deep, or many nestings 250 deep side by side: libxml2 stops nesting
    at 256 levels, so these are read (as no report) within bounds. A guard, not a fix: it
    passed before, and would catch a parser that nests without end (``huge_tree``)."""
    said = _read_bounded(build(), "html", tmp_path)
    assert said.startswith("REFUSED") and "没有找到年度报告的统计表" in said


def test_table_at_the_limit_still_read_issue_14():
    """A table of exactly MAX_TABLE_CELLS cells is read; one cell more is refused."""
    row = "<tr>" + "<td>1</td>" * 100 + "</tr>"
    rows = MAX_TABLE_CELLS // 100
    doc = html_to_document(f"<html><body><table>{row * rows}</table></body></html>")
    assert sum(len(r) for r in doc.grids[0].rows) == MAX_TABLE_CELLS
    with pytest.raises(UnreadableDocument, match="超过20,000个单元格"):
        html_to_document(f"<html><body><table>{row * rows}<tr><td>1</td></tr></table></body></html>")


def test_embedded_fragment_over_the_budget_is_left_unread_issue_14():
    """A page whose escaped markup (in a textarea) holds too many tags: the fragment is not
    parsed, the page itself still read (as before: a fragment without report tables was read and
    dropped; now it is not even parsed)."""
    escaped = "&lt;table&gt;" + "&lt;p&gt;x" * 200_001
    doc = bytes_to_document(f"<html><body><p>某某局</p><textarea>{escaped}</textarea></body></html>".encode())
    assert doc.paragraphs[0].text == "某某局"


def test_count_tags_doctest():
    """Closing tags do not count; opening, empty and stray 「<」 do."""
    assert count_tags("<p>a<br/>b</p> 1 < 2") == 3


@pytest.mark.parametrize(
    ("chunks", "too_long"),
    [
        # a real sheet's worth of short tags, fed as openpyxl's parts are read: never too long
        ([b'<row r="1"><c r="A1" t="s"><v>12</v></c></row>' * 40_000] * 3, False),
        # the fuzzer's find: a closing tag of spaces, across chunks
        ([b"<sheetData></sheetData" + b" " * 700_000, b" " * 700_000, b">"], True),
        # a stretch without 「>」 in the middle of one chunk larger than the limit
        ([b"<a>" + b"<" * (MAX_MARKUP_RUN_BYTES + 10) + b">"], True),
        # text just under the limit, split across chunks: not refused
        (
            [b"<a>" + b"x" * (MAX_MARKUP_RUN_BYTES // 2 - 8), b"x" * (MAX_MARKUP_RUN_BYTES // 2) + b"</a>"],
            False,
        ),
        # two bytes more, and it is
        ([b"<a>" + b"x" * (MAX_MARKUP_RUN_BYTES // 2), b"x" * (MAX_MARKUP_RUN_BYTES // 2) + b"</a>"], True),
    ],
)
def test_markup_runs_catch_a_token_expat_would_rescan_issue_14(chunks, too_long) -> None:
    runs = MarkupRuns()
    assert any([runs.too_long(chunk) for chunk in chunks]) is too_long
