"""What every reader's round-trip test asserts of a report written and read back."""

from __future__ import annotations

from typing import Any

from conftest import SECTION_ORDER

from gongkai.checks import check_reading
from gongkai.model.report import report_cells


def cell_diff(expected: Any, got: Any) -> dict:
    """Cells that differ between two reports: key → (expected, got)."""
    a, b = report_cells(expected), report_cells(got)
    return {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}


def assert_same_report(reading: Any, report: Any) -> None:
    """Every cell, the organ, the year, the layout and the six sections read back."""
    assert report_cells(reading.report) == report_cells(report)
    assert (reading.report.agency, reading.report.year, reading.report.format) == (
        report.agency,
        report.year,
        report.format,
    )
    assert [h.key for h in reading.sections.headings] == SECTION_ORDER


def assert_reads_back_clean(reading: Any, report: Any) -> None:
    """As :func:`assert_same_report`, and the checks find no error (no false alarm)."""
    assert_same_report(reading, report)
    assert [f for f in check_reading(reading) if f.severity.value == "error"] == []
