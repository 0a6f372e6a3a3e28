"""Space-aligned text (issue 16): tables lined up with spaces, read as an unruled page of columns.

Three sources: the seeds written as PDF and turned to text by pdfplumber's layout mode and by
``pdftotext -layout`` (what people copy out of a PDF), and the test writer
(``support/alignedwriter.py``), whose random styles cover both ways of counting columns, random
column widths, wrapped labels, group names set in the middle of their rows, and page footers,
form feeds and running headers between rows.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess

import pytest
from conftest import load_json, needs_seeds, seed_pairs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.alignedwriter import Style, random_style, write_aligned_text
from support.htmlwriter import write_pdf
from support.readback import cell_diff
from support.strategies import valid_reports

from gongkai.checks import check_reading
from gongkai.model.report import report_from_json
from gongkai.readers import read_text
from gongkai.readers.document import Grid
from gongkai.readers.text.aligned import furniture
from gongkai.readers.text.reader import text_to_document


def _reads_exactly(text: str, expected) -> None:
    reading = read_text(text)
    assert cell_diff(expected, reading.report) == {}
    assert [(f.rule, f.message) for f in check_reading(reading) if f.severity.value == "error"] == []
    # nothing was guessed: no READ-* notice on a table the reader could line up
    assert [f.message for f in check_reading(reading) if f.rule.startswith("READ-")] == []


def _pdfplumber_layout(pdf: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\f".join(page.extract_text(layout=True) for page in document.pages)


def _pdftotext_layout(pdf: bytes, tmp_path) -> str:
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftotext", "-layout", str(source), str(tmp_path / "report.txt")], check=True, capture_output=True
    )
    return (tmp_path / "report.txt").read_text(encoding="utf-8")


@needs_seeds
@pytest.mark.parametrize("ruled", [True, False], ids=["ruled", "unruled"])
@pytest.mark.parametrize(("text", "gold"), seed_pairs(), ids=lambda p: p.stem[:3])
def test_seeds_copied_out_of_a_pdf_read_cell_exact(text, gold, ruled):
    """Protects the reading of a PDF viewer's copy: each seed written as a PDF (with and without
    rules) and turned to text by pdfplumber's layout mode reads back every cell, no finding."""
    data = load_json(gold)
    _reads_exactly(_pdfplumber_layout(write_pdf(data, ruled=ruled)), report_from_json(data))


@needs_seeds
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
@pytest.mark.parametrize(("text", "gold"), seed_pairs(), ids=lambda p: p.stem[:3])
def test_seeds_through_pdftotext_layout_read_cell_exact(text, gold, tmp_path):
    """Protects the reading of ``pdftotext -layout``, which spaces each page's columns its own way
    (table 三's rows on page 2 stand nine columns right of those on page 1) and pushes a number
    after a long label: the seeds read back every cell, no finding."""
    data = load_json(gold)
    text = _pdftotext_layout(write_pdf(data, ruled=False, embed_font=True), tmp_path)
    assert "\f" in text  # more than one page: the columns must be carried across the break
    _reads_exactly(text, report_from_json(data))


@needs_seeds
@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize(("text", "gold"), seed_pairs(), ids=lambda p: p.stem[:3])
def test_seeds_in_random_aligned_styles_read_cell_exact(text, gold, seed):
    """Protects the reading of hand-aligned and converted text in styles drawn at random: each
    seed in eight styles (column counting, widths, wrapping, page furniture) reads back exactly."""
    data = load_json(gold)
    _reads_exactly(write_aligned_text(data, seed=seed), report_from_json(data))


@pytest.mark.parametrize("fmt", ["2019", "2021"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_report_in_any_aligned_style_reads_back(fmt, data):
    """Protects space-aligned reading end to end: any consistent report (table-二 cells blank now
    and then), in any style, reads back to every cell with no finding."""
    report = data.draw(valid_reports(fmt), label="report")
    style = random_style(random.Random(data.draw(st.integers(0, 2**32), label="style seed")))
    _reads_exactly(write_aligned_text(report, style), report)


@pytest.mark.parametrize("fmt", ["2019", "2021"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_blank_request_cells_in_aligned_text_read_back_as_null(fmt, data):
    """Protects the placing of numbers in rows that have fewer than the table's columns: a blank
    table-三 cell reads back as null by where the other numbers stand. Where no row fills the
    columns and positions mislead (rare: three in a few hundred), the reading is never silently
    wrong: a finding (a READ-* notice, a row that does not add up) points at the table."""
    report = data.draw(valid_reports(fmt, blank_zeros=("requests",)), label="report")
    style = random_style(random.Random(data.draw(st.integers(0, 2**32), label="style seed")))
    reading = read_text(write_aligned_text(report, style))
    if cell_diff(report, reading.report):
        flagged = [
            f for f in check_reading(reading) if f.rule.startswith("READ-") or f.severity.value == "error"
        ]
        assert flagged, cell_diff(report, reading.report)


def test_page_furniture_is_skipped_and_lines_keep_their_numbers():
    """Page numbers, 「第 2 页 共 5 页」, and a running header met again after each form feed are not
    the report's; a cell's line is the line its row stands on in the file."""
    lines = [
        "某区科技局2024年政府信息公开工作年度报告",
        "规章              3      0      5",
        "                 第 1 页 共 2 页",
        "\f某区科技局2024年政府信息公开工作年度报告",
        "行政规范性文件    1      2      1",
        "- 2 -",
        "\f某区科技局2024年政府信息公开工作年度报告",
    ]
    assert furniture(lines) == {2, 3, 5, 6}
    doc = text_to_document("\n".join([*lines[:2], lines[1].replace("规章", "地方性法规"), *lines[2:]]))
    grid = next(b for b in doc.blocks if isinstance(b, Grid))
    assert [c.text for c in grid.rows[-1] if c.text] == ["行政规范性文件", "1", "2", "1"]
    assert {c.line for c in grid.rows[-1]} == {6}
    assert doc.paragraphs[0].text.startswith("某区科技局") and len(doc.paragraphs) == 1


def test_without_form_feeds_a_repeated_title_is_a_running_header():
    lines = ["某区科技局2024年政府信息公开工作年度报告", "正文", "某区科技局2024年政府信息公开工作年度报告"]
    assert furniture(lines) == {2}


def test_running_text_with_a_few_numbers_is_not_a_table():
    """Two wide spaces in a sentence do not make a table: a text with no rows of numbers is read
    as before, line by line (and a report without tables still says so)."""
    text = "一、总体情况\n本年共收到申请  12  件，办结  10  件。\n二、主动公开政府信息情况\n"
    doc = text_to_document(text)
    assert doc.grids == [] and [p.text for p in doc.paragraphs][1] == "本年共收到申请  12  件，办结  10  件。"


def test_a_chinese_character_counts_two_columns_in_hand_aligned_text():
    """Text aligned by hand in a monospaced font counts a Chinese character as two columns; the
    reader sees that the numbers line up so, and reads the columns right."""
    report = report_from_json(_tiny_report())
    wide = write_aligned_text(report, Style(wide_chinese=True, page_rows=0))
    narrow = write_aligned_text(report, Style(wide_chinese=False, page_rows=0))
    assert wide != narrow
    for text in (wide, narrow):
        assert cell_diff(report, read_text(text).report) == {}


def _tiny_report() -> dict:
    from conftest import clean_report_2021

    from gongkai.model.report import report_to_json

    return report_to_json(clean_report_2021())
