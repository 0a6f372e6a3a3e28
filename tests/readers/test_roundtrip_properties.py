"""Property tests: any consistent report, written in any text shape, reads back to itself.

The writers (``support/textwriter.py``) render a canonical report in the three text shapes
the reader meets (Word's one-cell-per-line export, tab-separated rows, Markdown pipe tables);
the strategies (``support/strategies.py``) draw reports that satisfy every identity of
report-json.md. Reading must give back every cell, the organ, the year and the layout, and
the checks must find nothing wrong; and a single wrong cell must be caught and pointed at.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.readback import cell_diff
from support.strategies import valid_reports
from support.textwriter import WRITERS

from gongkai.checks import check_reading
from gongkai.model.layouts import layout_for
from gongkai.model.report import build_report, report_cells
from gongkai.readers import read_text

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FORMATS = ("2019", "2021")
IDENTITY_RULES = {"T3-ROW-SUM", "T3-BALANCE", "T3-OUTCOME-SUM", "T4-GROUP-SUM"}


def _errors(findings):
    return [(f.rule, f.cells[:3], f.message) for f in findings if f.severity.value == "error"]


def _assert_reads_back(report, writer: str) -> list:
    """Write, read back, compare; returns the findings of the checks on the reading."""
    text = WRITERS[writer](report)
    reading = read_text(text)
    got = reading.report
    assert (got.format, got.agency, got.year) == (report.format, report.agency, report.year)
    assert cell_diff(report, got) == {}
    return check_reading(reading)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("writer", sorted(WRITERS))
@SETTINGS
@given(data=st.data())
def test_written_report_reads_back_exactly(writer, fmt, data):
    """Protects the reader end to end: every cell (blank ones as null), the organ, the year and
    the layout of a consistent report survive writing it in each text shape and reading it back,
    and the checks raise no error on it (no false alarm on a correct report)."""
    report = data.draw(valid_reports(fmt), label="report")
    findings = _assert_reads_back(report, writer)
    assert _errors(findings) == []
    # The reader had to guess nothing: no READ-* notice for a text in a known shape.
    assert [f.message for f in findings if f.rule.startswith("READ-")] == []


@pytest.mark.parametrize("writer", sorted(WRITERS))
@SETTINGS
@given(report=valid_reports("2021", single_other=True))
def test_single_other_row_reads_back(writer, report):
    """Protects the 2021 variant that prints （六）其他处理 as one row: kept as ``requests.other.*``
    and read back cell-exact; flagged as LAY-T3-SHAPE (a warning, report-json.md), never as an
    error: the single row is only a weak 2019 fingerprint, and the identities still hold over it."""
    findings = _assert_reads_back(report, writer)
    assert _errors(findings) == []
    assert [(f.rule, f.severity.value) for f in findings if f.rule.startswith("LAY")] == [
        ("LAY-T3-SHAPE", "warning")
    ]


# Seed 002's PDF export prints the 2019 （六）其他处理 and （七）总计 rows one column to the left,
# with two blank fields after them: a blank first or last value there cannot be placed, by
# anyone. Every other shape keeps either the header's positions or exactly seven values.
BLANK_SHAPES = [(w, f) for w in sorted(WRITERS) for f in FORMATS if (w, f) != ("tab", "2019")]


@pytest.mark.parametrize(("writer", "fmt"), BLANK_SHAPES)
@SETTINGS
@given(data=st.data())
def test_blank_request_cells_read_back_as_null(writer, fmt, data):
    """Protects the placing of values in rows with blank cells: table-三 cells left blank read back
    as null, not 0 and not the neighbour's value (by count in Word's export, by the header's
    positions in tab-separated and pipe tables), and a blank zero is no arithmetic error."""
    report = data.draw(valid_reports(fmt, blank_zeros=("requests",)), label="report")
    findings = _assert_reads_back(report, writer)
    assert _errors(findings) == []


def _sparse_appeals_report(fmt: str):
    """A clean report whose table 四 prints only its two non-zero cells, the rest left blank."""
    layout = layout_for(fmt)
    cells = {k: (None if k.startswith("appeals.") else 0) for k in layout.cell_keys}
    cells.update({"appeals.review.upheld": 1, "appeals.review.total": 1})
    return build_report(fmt, cells, agency="某某县民政局", year=2024 if fmt == "2021" else 2020)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_sparse_appeal_row_reads_back(writer, fmt):
    """Protects table 四 when officers fill in only the non-zero cells (「1 … 1」, the rest blank):
    the two values must be read, the blanks as null."""
    report = _sparse_appeals_report(fmt)
    findings = _assert_reads_back(report, writer)
    assert _errors(findings) == []


def _corruptible_keys(fmt: str) -> list[str]:
    layout = layout_for(fmt)
    return [k for k in layout.cell_keys if k.startswith(("requests.", "appeals."))]


@pytest.mark.parametrize("fmt", FORMATS)
@SETTINGS
@given(data=st.data())
def test_one_wrong_cell_is_caught_and_named(fmt, data):
    """Protects the arithmetic checks through the reader: one cell of table 三 or 四 off by one
    (+1, or −1 on a non-zero cell) breaks an identity, and a T3-/T4- identity finding names
    that very cell by its full key, whichever text shape the report was written in."""
    report = data.draw(valid_reports(fmt), label="report")
    key = data.draw(st.sampled_from(_corruptible_keys(fmt)), label="cell")
    cells = report_cells(report)
    value = cells[key] or 0
    delta = data.draw(st.sampled_from([1, -1]) if value > 0 else st.just(1), label="delta")
    cells[key] = value + delta
    broken = build_report(fmt, cells, agency=report.agency, year=report.year)
    writer = data.draw(st.sampled_from(sorted(WRITERS)), label="writer")

    findings = _assert_reads_back(broken, writer)

    naming = [f for f in findings if f.rule in IDENTITY_RULES and key in f.cells]
    assert naming, [(f.rule, f.cells) for f in findings]
    assert any(f.severity.value == "error" for f in naming)
