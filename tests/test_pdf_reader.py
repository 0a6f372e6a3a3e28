"""The PDF reader (issue 3): a text layer with ruled tables; damaged, encrypted, scanned, endless."""

from __future__ import annotations

import io

import pytest
from conftest import clean_report_2019, clean_report_2021, load_json, needs_seeds, seed_pairs
from hypothesis import given, settings
from support.htmlwriter import write_pdf
from support.strategies import valid_reports

from gongkai.checks import check_reading
from gongkai.model.report import report_cells, report_from_json
from gongkai.readers import UnreadableDocument, read_bytes

CLEAN_PDF = write_pdf(clean_report_2021())


@settings(max_examples=10, deadline=None)
@given(report=valid_reports())
def test_pdf_round_trip(report):
    """Random valid reports as PDFs with ruled, merged-cell tables read back equal and clean."""
    reading = read_bytes(write_pdf(report), "report.pdf")
    assert report_cells(reading.report) == report_cells(report)
    assert (reading.report.agency, reading.report.year) == (report.agency, report.year)
    assert [f for f in check_reading(reading) if f.severity.value == "error"] == []


PAIRS = seed_pairs()


@needs_seeds
@pytest.mark.parametrize(("text", "gold"), PAIRS, ids=[p[0].stem[:3] for p in PAIRS])
def test_seed_tables_as_pdf_read_cell_exact(text, gold):
    """Each seed's exact tables, typeset as a PDF, read back cell-exact."""
    report = report_from_json(load_json(gold))
    assert report_cells(read_bytes(write_pdf(report), gold.name).report) == report_cells(report)


def test_both_layouts_and_their_sections():
    """The six sections are found in the text around the tables, in both layouts."""
    for report in (clean_report_2021(), clean_report_2019()):
        reading = read_bytes(write_pdf(report), "r.pdf")
        assert [h.key for h in reading.sections.headings] == [
            "overview",
            "active",
            "requests",
            "appeals",
            "problems",
            "other",
        ]
        assert check_reading(reading) == []


def _canvas_pdf(pages: int, text: str | None, encrypt: str | None = None) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, encrypt=encrypt)
    for _ in range(pages):
        if text:
            pdf.drawString(72, 720, text)
        else:
            pdf.rect(72, 600, 300, 100, fill=1)  # a picture, no text: what a scan looks like
        pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (lambda: CLEAN_PDF[: len(CLEAN_PDF) // 3], "损坏"),
        (lambda: _canvas_pdf(1, "report", encrypt="secret"), "加密"),
        (lambda: _canvas_pdf(2, None), "扫描件"),
        (lambda: _canvas_pdf(201, "page"), "超过200页"),
    ],
    ids=["truncated", "encrypted", "scanned", "too-many-pages"],
)
def test_damaged_and_hostile_pdfs(make, phrase):
    """Each ends in one clear message, never a hang or a traceback."""
    with pytest.raises(UnreadableDocument, match=phrase):
        read_bytes(make(), "x.pdf")
