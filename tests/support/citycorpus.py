"""A small region tree and a corpus of its reports, for the coverage and league tests (issue 17
§5, §6): a city with two districts, organs under each, and text files of generated reports, some
with an arithmetic error (表三's row that does not add up).

- 示例市 (sx): 示例市财政局 (cz) directly under it; 甲区 (jq): four organs; 乙区 (yq): two organs.
- 他市 (tx), outside 示例市: one organ, to show that a region's tables leave it out.
"""

from __future__ import annotations

from pathlib import Path

from conftest import clean_report_2021

from support.textwriter import write_tab_text

# (code, name, kind, parent): parents before their children
ORGANS = [
    ("sx", "示例市", "region", None),
    ("cz", "示例市财政局", "organ", "sx"),
    ("jq", "示例市甲区", "region", "sx"),
    ("jq1", "示例市甲区教育局", "organ", "jq"),
    ("jq2", "示例市甲区民政局", "organ", "jq"),
    ("jq3", "示例市甲区卫生健康局", "organ", "jq"),
    ("jq4", "=示例市甲区统计局", "organ", "jq"),  # a name a spreadsheet would take for a formula
    ("yq", "示例市乙区", "region", "sx"),
    ("yq1", "示例市乙区教育局", "organ", "yq"),
    ("yq2", "示例市乙区民政局", "organ", "yq"),
    ("tx", "他市", "region", None),
    ("tx1", "他市教育局", "organ", "tx"),
]

# (the organ's name as printed, year, with an error): 2023 has 财政局, 甲区's 1–3 and 乙区's 1
REPORTS = [
    ("示例市财政局", 2021, False),
    ("示例市财政局", 2022, False),
    ("示例市财政局", 2023, False),
    ("示例市甲区教育局", 2022, False),
    ("示例市甲区教育局", 2023, True),
    ("示例市甲区民政局", 2022, False),
    ("示例市甲区民政局", 2023, False),
    ("示例市甲区卫生健康局", 2022, True),
    ("示例市甲区卫生健康局", 2023, False),
    ("示例市乙区教育局", 2022, False),
    ("示例市乙区教育局", 2023, True),
    ("他市教育局", 2023, True),
    ("某县不存在的局", 2023, True),  # matches no organ: counted nowhere
]

# What the tables should say, counted by hand from REPORTS: per region, (reports, with an error).
EXPECTED = {"sx": (3, 0), "jq": (6, 2), "yq": (2, 1), "tx": (1, 1)}


def write_city_corpus(folder: Path) -> Path:
    """Every report of :data:`REPORTS` as a text file in ``folder``; the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, (agency, year, wrong) in enumerate(REPORTS):
        # 表三: natural persons 9 where the row's total is 7 — an error of severity error
        report = clean_report_2021(**({"requests.new.natural": 9} if wrong else {}))
        report = report.model_copy(update={"agency": agency, "year": year})
        (folder / f"{i:02d}.txt").write_text(write_tab_text(report), encoding="utf-8")
    return folder
