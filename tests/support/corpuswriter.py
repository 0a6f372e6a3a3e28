"""A corpus of several years of reports, as text files, for the cross-year checks over the store
(issue 17 §3): which organs and years it holds, and which pairs and findings they should make."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from support.textwriter import write_tab_text

KJ, KJ_ALIAS = "示例市科学技术局", "示例市科技局"  # registered as kj; its 2024 report uses the alias
JY = "示例市教育局"  # registered as jy; one year only: no pair
MZ = "示例市民政局"  # not registered: 2021 and 2022, a pair by its printed name
CZ = "示例市财政局"  # not registered: 2020 and 2022, a year apart: no pair

# 二、上年结转 of the natural persons' column made 3 (last year's 四、结转下年度 was 1), with 新收
# moved the same way so that the report's own arithmetic still holds: XY-T3-CARRY alone fires.
CARRY_CHANGED = {"requests.carried_in.natural": 3, "requests.new.natural": 3, "requests.new.total": 5}


def year_corpus(make: Callable[..., Any]) -> dict[str, Any]:
    """The reports of the corpus by file name, made with ``make`` (``clean_report_2021``: cell
    changes as keywords), the organ and year set on each."""

    def report(agency: str, year: int, **changes: Any) -> Any:
        return make(**changes).model_copy(update={"agency": agency, "year": year})

    return {
        "kj2022.txt": report(KJ, 2022),
        "kj2023.txt": report(KJ, 2023),
        "kj2024.txt": report(KJ_ALIAS, 2024, **CARRY_CHANGED),
        "jy2023.txt": report(JY, 2023),
        "mz2021.txt": report(MZ, 2021),
        "mz2022.txt": report(MZ, 2022),
        "cz2020.txt": report(CZ, 2020),
        "cz2022.txt": report(CZ, 2022),
    }


def second_copy(make: Callable[..., Any]) -> dict[str, Any]:
    """Another report of kj for 2023 (another file, ingested later): were it used instead of the
    first, its 上年结转 would not follow 2022's."""
    return {"kj2023-again.txt": make(**CARRY_CHANGED).model_copy(update={"agency": KJ, "year": 2023})}


def write_reports(folder: Path, reports: dict[str, Any]) -> dict[str, Path]:
    """Each report as a tab-separated text file in ``folder``; the files by name."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, report in reports.items():
        written[name] = folder / name
        written[name].write_text(write_tab_text(report), encoding="utf-8")
    return written
