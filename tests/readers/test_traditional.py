"""Reports in Traditional characters (issue 3): converted to Simplified before labels are matched."""

from __future__ import annotations

import opencc
import pytest
from conftest import SECTION_ORDER, clean_report_2021, load_json, needs_seeds, seed_pairs
from support.htmlwriter import write_html
from support.textwriter import write_word_text

from gongkai.model.report import report_cells, report_from_json
from gongkai.readers import read_bytes, read_text

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
