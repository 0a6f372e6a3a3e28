"""Reports in Traditional characters (issue 3): converted to Simplified before labels are matched."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import opencc
import pytest
from conftest import SECTION_ORDER, clean_report_2021, load_json, needs_seeds, seed_pairs
from support.htmlwriter import write_html
from support.textwriter import write_word_text

from gongkai.model.report import report_cells, report_from_json
from gongkai.readers import read_bytes, read_text
from gongkai.readers.chinese import may_change, traditional_to_simplified
from gongkai.readers.chinese_triggers import T2S_TRIGGERS, T2S_TRIGGERS_VERSION

TO_TRADITIONAL = opencc.OpenCC("s2t")
PAIRS = seed_pairs()


@needs_seeds
@pytest.mark.parametrize(("text", "gold"), PAIRS, ids=[p[0].stem[:3] for p in PAIRS])
def test_seeds_in_traditional_characters_read_cell_exact(text, gold):
    """Each seed, its whole text converted to Traditional, reads its exact tables and sections."""
    traditional = TO_TRADITIONAL.convert(text.read_text(encoding="utf-8"))
    assert "開" in traditional and "开" not in traditional  # really converted
    reading = read_text(traditional, text.name)
    assert report_cells(reading.report) == report_cells(report_from_json(load_json(gold)))
    assert [h.key for h in reading.sections.headings] == SECTION_ORDER
    assert [n.rule for n in reading.notices if n.rule == "READ-TRADITIONAL"] == ["READ-TRADITIONAL"]


def test_a_traditional_portal_page_reads_like_the_simplified_one():
    """The same report as a page in Traditional characters: same cells, same organ name."""
    report = clean_report_2021()
    page = TO_TRADITIONAL.convert(write_html(report))
    reading = read_bytes(page.encode("utf-8"), "report.html")
    assert report_cells(reading.report) == report_cells(report)
    assert reading.report.agency == report.agency


def test_simplified_text_is_left_alone():
    """A Simplified report, even with a few characters OpenCC would change (於), gets no conversion."""
    text = write_word_text(clean_report_2021()).replace("本年度", "於本年度", 3)
    reading = read_text(text)
    assert text.count("於本年度") >= 1
    assert "於本年度" in "".join(s or "" for s in reading.report.sections.model_dump().values())
    assert not [n for n in reading.notices if n.rule == "READ-TRADITIONAL"]


def _t2s_dictionary(name: str, tmp_path) -> dict[str, str]:
    """An OpenCC dictionary of the installed package as key → first value, dumped by ``opencc_dict``."""
    clib = Path(opencc.__file__).parent / "clib"
    tool = clib / "bin" / "opencc_dict"
    if not tool.exists():
        pytest.skip("the installed OpenCC has no opencc_dict to dump its dictionaries")
    out = tmp_path / f"{name}.txt"
    env = {**os.environ, "LD_LIBRARY_PATH": str(clib / "lib64")}
    source = clib / "share" / "opencc" / f"{name}.ocd2"
    subprocess.run([tool, "-i", source, "-o", out, "-f", "ocd2", "-t", "text"], check=True, env=env)
    pairs = (line.split("\t") for line in out.read_text(encoding="utf-8").splitlines())
    return {key: values.split(" ")[0] for key, values in pairs}


def test_t2s_triggers_are_those_of_the_installed_opencc(tmp_path):
    """The characters through which t2s can change a text (chinese_triggers), worked out anew from
    the installed OpenCC's dictionaries: a key whose value differs holds one of them."""
    if opencc.__version__ != T2S_TRIGGERS_VERSION:
        pytest.skip("another OpenCC: the triggers are not used, every sample is converted")
    phrases = _t2s_dictionary("TSPhrases", tmp_path)
    ext, characters = _t2s_dictionary("TSCharactersExt", tmp_path), _t2s_dictionary("TSCharacters", tmp_path)
    # a character that either dictionary changes, whichever of the two OpenCC asks first
    changing = {key for d in (ext, characters) for key, value in d.items() if value != key}
    characters.update(ext)
    triggers = set(changing)
    for key, value in phrases.items():
        if value != key and not changing.intersection(key):
            # a phrase of characters that do not change alone (反覆): its characters that are keys
            triggers |= {c for c in key if c in characters} or set(key)
    # the compatibility ideographs and characters past U+FFFF are triggers of the reader's own
    expected = "".join(sorted(c for c in triggers if ord(c) <= 0xFFFF and not 0xF900 <= ord(c) <= 0xFAFF))
    assert expected == T2S_TRIGGERS, f"regenerate gongkai/readers/chinese_triggers.py:\n{expected}"


def test_text_without_triggers_is_not_converted():
    """Every other character of the Basic Multilingual Plane comes out of t2s as it went in."""
    others = [
        chr(c) for c in range(0x3000, 0xF900) if not 0xD800 <= c <= 0xDFFF and chr(c) not in T2S_TRIGGERS
    ]
    text = "\n".join(others)
    assert not may_change(text) or opencc.__version__ != T2S_TRIGGERS_VERSION
    assert traditional_to_simplified(text) == text
    assert may_change("於") and may_change("反覆") and may_change("\U00020000")
