"""Word files made from PDFs (issue 16): every line or cell a positioned text box, rules as lines.

LibreOffice's PDF import writes them (tests/data/frames holds two it made from seeds); the test
writer tests/support/frameswriter.py writes the same shape, and two more that converters use, from a
laid-out page. Before, such a file read as one paragraph of every box's text, each twice, the
numbers of a row run together (「…申请数量0000009595000000」).
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from conftest import (
    DATA,
    SECTION_ORDER,
    clean_report_2019,
    clean_report_2021,
    load_json,
    needs_seeds,
    seed_pairs,
)
from hypothesis import example, given, settings
from hypothesis import strategies as st
from support.frameswriter import text_box, write_frames_docx
from support.htmlwriter import CJK_FONT_FILE, write_docx, write_pdf
from support.readback import assert_reads_back_clean
from support.strategies import valid_reports

from gongkai.model.report import report_cells, report_from_json
from gongkai.readers import UnreadableDocument, bytes_to_document, read_bytes
from gongkai.readers.docx import frames

PAIRS = seed_pairs()
SEEDS = {gold.stem[:3]: gold for _, gold in PAIRS}
SHAPES = {
    "libreoffice": {},  # DrawingML anchors with VML fallbacks, a box per line, one paragraph
    "vml": {"form": "vml"},
    "framepr": {"form": "framepr"},  # Word's frames, page breaks marked, lines after the text
    "box-per-cell": {"per_line": False},
    "unruled": {"ruled": False},
    "mixed": {"loose_text": True},  # running text in the body, only the tables in boxes
}


def _read(data: bytes, name: str = "report.docx"):
    reading = read_bytes(data, name)
    assert "READ-FRAMES" in {n.rule for n in reading.notices}
    return reading


@needs_seeds
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(("text", "gold"), PAIRS, ids=[p[0].stem[:3] for p in PAIRS])
def test_seed_tables_read_cell_exact(shape, text, gold):
    report = report_from_json(load_json(gold))
    reading = _read(write_frames_docx(report, **SHAPES[shape]))
    assert report_cells(reading.report) == report_cells(report)
    assert [h.key for h in reading.sections.headings] == SECTION_ORDER


@settings(max_examples=10, deadline=None)
@given(
    report=valid_reports(),
    shape=st.sampled_from(sorted(SHAPES)),
    widths=st.one_of(st.none(), st.integers(0, 10**6)),
)
# found by this property: a label spanning two label columns of table 三, left-aligned, its centre
# by chance on a label's of the next column, made the two columns one (「（六）其他处理3.其他」)
@example(report=clean_report_2021(), shape="unruled", widths=1)
def test_round_trip(report, shape, widths):
    """Random valid reports in each shape, columns of drawn widths, read back equal and clean."""
    reading = _read(write_frames_docx(report, seed=widths, **SHAPES[shape]))
    assert_reads_back_clean(reading, report)


@needs_seeds
@pytest.mark.parametrize("fixture", ["seed-000-ruled.docx", "seed-002-unruled.docx"])
def test_libreoffice_conversions_read_cell_exact(fixture):
    """Two seeds' PDFs as LibreOffice's PDF import made them Word files: cell-exact, the pages
    found without a mark between them, findings placed by page, table and row."""
    report = report_from_json(load_json(SEEDS[fixture.split("-")[1]]))
    data = (DATA / "frames" / fixture).read_bytes()
    reading = _read(data, fixture)
    assert report_cells(reading.report) == report_cells(report)
    assert [h.key for h in reading.sections.headings] == SECTION_ORDER
    places = set(reading.places.values())
    assert {"第1页", "第2页"} <= places and any(re.fullmatch(r"第2页表格\d第\d+行", p) for p in places)
    # The title, once: each box is written twice (DrawingML and VML).
    title = f"{report.agency}{report.year}年度政府信息公开工作年度报告"
    assert [p.text for p in bytes_to_document(data, fixture).paragraphs].count(title) == 1


def test_a_few_text_boxes_in_a_word_report_are_read_once_in_place():
    """A Word report with tables and a text box (a stamp) reads as before; the box's text, written
    as DrawingML and again as VML, is read once."""
    report = clean_report_2021()
    data = _with_box(write_docx(report), "某某局公章")
    reading = read_bytes(data, "report.docx")
    assert report_cells(reading.report) == report_cells(report)
    assert "READ-FRAMES" not in {n.rule for n in reading.notices}
    texts = " ".join(p.text for p in bytes_to_document(data, "report.docx").paragraphs)
    assert texts.count("某某局公章") == 1


def _with_box(docx: bytes, text: str) -> bytes:
    """The Word file with a text box anchored in its first paragraph."""
    members = _members(docx)
    xml = members["word/document.xml"].decode()
    first = xml.index("<w:p>") if "<w:p>" in xml else xml.index("<w:p ")
    run = f"<w:r>{text_box(text, 400, 60)}</w:r>"
    end = xml.index("</w:p>", first)
    members["word/document.xml"] = (xml[:end] + run + xml[end:]).encode()
    return _zip(members)


def test_text_boxes_without_positions_are_read_once_in_place():
    """Boxes that lost their offsets (placed by alignment only) stand in the text where they are
    anchored, each once, as Word shows them: the numbers of a row then do run together, and
    the reader says so rather than guess."""
    report = clean_report_2021()
    members = _members(write_frames_docx(report))
    xml = members["word/document.xml"].decode()
    members["word/document.xml"] = re.sub(
        r"<wp:posOffset>-?\d+</wp:posOffset>", "<wp:align>left</wp:align>", xml
    ).encode()
    data = _zip(members)
    with pytest.raises(UnreadableDocument, match="数字连在一起"):
        read_bytes(data, "x.docx")
    (paragraph,) = bytes_to_document(data, "x.docx").paragraphs
    assert paragraph.text.count("一、总体情况") == 1


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999", "-5", ""])
def test_offsets_that_are_no_numbers_are_no_traceback(value):
    members = _members(write_frames_docx(clean_report_2019()))
    xml = members["word/document.xml"].decode()
    members["word/document.xml"] = xml.replace("<wp:posOffset>", f"<wp:posOffset>{value}", 40).encode()
    try:
        read_bytes(_zip(members), "x.docx")
    except UnreadableDocument as exc:
        assert "Error" not in str(exc)


def test_too_many_pages_or_boxes_are_refused(monkeypatch):
    """A box far above the one before starts a page: boxes see-sawing make pages without end,
    refused past the page limit; a page of more boxes or lines than any report, past its own."""
    boxes = "".join(f"<w:r>{text_box(str(k), 100, 700 if k % 2 else 80)}</w:r>" for k in range(2 * 201 + 2))
    see_saw = _document(f"<w:p>{boxes}</w:p>")
    with pytest.raises(UnreadableDocument, match="超过200页"):
        read_bytes(see_saw, "x.docx")
    monkeypatch.setattr(frames, "MAX_PAGE_ITEMS", 100)
    with pytest.raises(UnreadableDocument, match=r"第\d页有\d+个文本框.*超过每页100个文本框"):
        read_bytes(write_frames_docx(clean_report_2021()), "x.docx")
    monkeypatch.setattr(frames, "MAX_PAGE_ITEMS", 20_000)
    monkeypatch.setattr(frames, "MAX_PAGE_RULES", 20)
    with pytest.raises(UnreadableDocument, match=r"第\d页有.*条线，超过每页20,000个文本框或20条线"):
        read_bytes(write_frames_docx(clean_report_2021()), "x.docx")


def _document(body: str) -> bytes:
    members = _members(write_frames_docx(clean_report_2021()))
    xml = members["word/document.xml"].decode()
    start, end = xml.index("<w:body>") + len("<w:body>"), xml.index("<w:sectPr>")
    members["word/document.xml"] = (xml[:start] + body + xml[end:]).encode()
    return _zip(members)


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.office
@pytest.mark.skipif(not CJK_FONT_FILE.exists(), reason=f"no CJK font to embed at {CJK_FONT_FILE}")
def test_pdfs_converted_by_libreoffice_read_cell_exact(tmp_path):
    """Our PDFs (ruled, unruled, centred), converted to Word by LibreOffice's PDF import now,
    read cell-exact. The PDF embeds its font: LibreOffice reads no text of one it only names."""
    from support.officewriter import PDF_IMPORT, convert_all

    reports = {"r2021": clean_report_2021(), "r2019": clean_report_2019()}
    variants = {"ruled": {}, "unruled": {"ruled": False}, "centred": {"ruled": False, "centred": True}}
    sources = {}
    for name, report in reports.items():
        for variant, options in variants.items():
            path = tmp_path / f"{name}-{variant}.pdf"
            path.write_bytes(write_pdf(report, embed_font=True, **options))
            sources[path] = report
    converted = convert_all(list(sources), "docx", tmp_path, infilter=PDF_IMPORT)
    for path, report in sources.items():
        reading = _read(converted[path], path.with_suffix(".docx").name)
        assert report_cells(reading.report) == report_cells(report), path.name
