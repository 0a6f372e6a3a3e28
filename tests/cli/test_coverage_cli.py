"""``gongkai coverage`` and ``gongkai league`` (issue 17 §5, §6), on SQLite and PostgreSQL: the
organs with and without a report, the line saying when lateness cannot be told, the CSV export, the
JSON, and the league table with its measure line and the regions too small to rank."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from support.citycorpus import ORGANS, write_city_corpus
from support.commands import gk, ok  # noqa: F401 (the fixture)


@pytest.fixture
def city(gk, tmp_path: Path):  # noqa: F811
    """``gk`` on a store holding the city's tree and its corpus (support/citycorpus.py)."""
    for code, name, kind, parent in ORGANS:
        ok(
            gk(
                "organs",
                "add",
                code,
                name,
                *(["--region"] if kind == "region" else []),
                *(["--parent", parent] if parent else []),
            )
        )
    ok(gk("ingest", write_city_corpus(tmp_path / "corpus"), "--jobs", "1"))
    return gk


def test_coverage_says_who_has_a_report_and_exports_it(city, tmp_path: Path) -> None:
    target = tmp_path / "out" / "coverage.csv"
    target.parent.mkdir()
    said = ok(city("coverage", "jq", "2023", "--csv", target))
    assert "示例市甲区（jq）2023 年度报告的收入情况" in said
    assert "共4个机关：有报告3个（其中逾期0个），缺报告1个。" in said
    assert "3个机关的报告无法判断（「公布日期未知」）" in said
    assert "部门于 2024-01-31 前、人民政府于 2024-03-31 前公布" in said
    with target.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))[1:]
    assert [(r[0], r[4], r[5]) for r in rows] == [
        ("jq1", "1", "有报告"),
        ("jq2", "1", "有报告"),
        ("jq3", "1", "有报告"),
        ("jq4", "0", "缺报告"),
    ]
    assert rows[3][1] == "'=示例市甲区统计局"
    data = json.loads(ok(city("coverage", "sx", "2023", "--json")))
    assert (data["have"], data["missing"], data["deadline"]) == (5, 2, "2024-01-31")
    missing = [o["code"] for o in data["organs"] if o["status"] == "缺报告"]
    assert missing == ["jq4", "yq2"]
    assert {o["published_on"] for o in data["organs"]} == {None}


def test_coverage_refuses_an_organ_and_an_unwritable_export(city, tmp_path: Path) -> None:
    code, _, stderr = city("coverage", "jq1", "2023")
    assert code == 2 and "是机关，不是地区" in stderr
    code, _, stderr = city("coverage", "jq", "2023", "--csv", tmp_path / "no" / "such" / "x.csv")
    assert code == 2 and "无法写入" in stderr and "x.csv" in stderr


def test_league_ranks_and_sets_small_regions_apart(city) -> None:
    said = ok(city("league", "--min-reports", "3"))
    assert said.startswith("按有错误的报告所占比例排序")
    assert "样本不足（少于3份），不排名" in said
    ranked, apart = said.split("样本不足")
    assert "示例市（sx）" in ranked and "示例市甲区（jq）" in ranked
    assert "他市（tx）" in apart and "示例市乙区（yq）" in apart and "示例市甲区" not in apart
    assert "33.3%" in ranked and "9.7%–70.0%" in ranked  # 2 of 6, with its Wilson interval
    data = json.loads(ok(city("league", "--region", "sx", "--year", "2023", "--min-reports", "1", "--json")))
    assert [(r["region_code"], r["rank"]) for r in data["ranked"]] == [("sx", 1), ("jq", 2), ("yq", 3)]
    assert data["unranked"] == []
    nobody = ok(city("league"))  # the default minimum, 10 reports: no region has as many
    assert "没有报告达到 10 份的地区，不排名。" in nobody and "样本不足（少于10份），不排名" in nobody
