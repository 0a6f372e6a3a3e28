"""The sample reports shipped in samples/ (our own fixtures): what `make run` shows users."""

from __future__ import annotations

from conftest import ROOT

from gongkai.checks import check_reading
from gongkai.cli.reports import is_report_file
from gongkai.readers import read_path

SAMPLES = ROOT / "samples"


def _findings(name: str) -> list[tuple[str, str, int | None]]:
    return sorted((f.rule, f.severity.value, f.line) for f in check_reading(read_path(SAMPLES / name)))


def test_samples_folder_holds_reports_and_a_readme():
    """Folder expansion takes the reports and leaves the README alone."""
    reports = sorted(p.name for p in SAMPLES.iterdir() if is_report_file(p))
    assert len(reports) == 3
    assert not is_report_file(SAMPLES / "README.md")


def test_clean_samples_have_no_finding():
    """Both clean samples, one per layout and text shape, pass every check."""
    assert _findings("2024-示例市科学技术局.txt") == []
    assert _findings("2020-示例区民政局.txt") == []
    reading = read_path(SAMPLES / "2020-示例区民政局.txt")
    assert reading.report.format == "2019"
    assert reading.report.active.procurement.amount == 1863500


def test_defective_sample_gets_exactly_its_four_findings():
    """One slip in 结转下年度 (row sum and balance), no fee statement, a misquoted request count."""
    assert _findings("2023-示例区人民政府办公室-有误.txt") == [
        ("SEC-6-FEE", "error", 88),
        ("T3-BALANCE", "error", 47),
        ("T3-ROW-SUM", "error", 71),
        ("X-TEXT-T3", "warning", 13),
    ]
