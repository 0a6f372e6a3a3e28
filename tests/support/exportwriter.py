"""A small corpus of report files for the exports of issue 17 §7: three reports of both layouts,
of organs matched under a region, not matched, and named so a spreadsheet would run the name."""

from __future__ import annotations

from pathlib import Path

from conftest import clean_report_2019, clean_report_2021

from gongkai.model.report import Report2019, Report2021
from support.textwriter import write_tab_text

REGION = ("sz", "示例市")  # code, name
MATCHED = ("kj", "示例市科学技术局")  # an organ of the region; the reports print its name
UNMATCHED = "示例市教育局"  # no organ answers to it
FORMULA_NAME = "=示例市审计局"  # a name Excel would take for a formula


def export_reports() -> dict[str, Report2021 | Report2019]:
    """The three reports by file name: one clean of each layout, one with errors to find."""
    return {
        "matched.txt": clean_report_2021().model_copy(update={"agency": MATCHED[1], "year": 2023}),
        "unmatched.txt": clean_report_2019().model_copy(update={"agency": UNMATCHED, "year": 2019}),
        # 999 granted to natural persons breaks the row and the column sums: error findings
        "formula.txt": clean_report_2021(**{"requests.granted.natural": 999}).model_copy(
            update={"agency": FORMULA_NAME, "year": 2022}
        ),
    }


def write_export_corpus(folder: Path) -> dict[str, Report2021 | Report2019]:
    """Write :func:`export_reports` as tab-separated text files in ``folder``; the reports by file."""
    folder.mkdir(parents=True, exist_ok=True)
    reports = export_reports()
    for name, report in reports.items():
        (folder / name).write_text(write_tab_text(report), encoding="utf-8")
    return reports
