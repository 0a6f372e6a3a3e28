"""Coverage and league tables over the corpus (issue 17 §5, §6), on SQLite and PostgreSQL: which
organs of a region have a report of a year and which are missing, its CSV export read back, and
league tables that rank only regions with enough reports, each rate with its Wilson interval."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import update
from support.citycorpus import EXPECTED, ORGANS, REPORTS, write_city_corpus

from gongkai.batch_ingest import ingest
from gongkai.store.coverage import (
    COVERAGE_COLUMNS,
    DATE_UNKNOWN,
    Counted,
    Coverage,
    CoverageRow,
    coverage,
    coverage_rows,
    coverage_summary,
    coverage_table,
    report_deadline,
    write_csv,
)
from gongkai.store.db import transaction
from gongkai.store.league import league, wilson_interval
from gongkai.store.records import Refused, add_organ, find_organ
from gongkai.store.tables import CorpusReport


@pytest.fixture
def city(store, tmp_path: Path):
    """The store with the city's tree and its corpus taken in (support/citycorpus.py)."""
    with transaction(store) as s:
        for code, name, kind, parent in ORGANS:
            add_organ(s, code, name, kind=kind, parent=parent, actor="t")
    tally = ingest(store, [str(write_city_corpus(tmp_path / "corpus"))], jobs=1)
    assert (tally.reports, tally.unreadable, tally.unmatched) == (len(REPORTS), 0, 1)
    return store


def test_coverage_lists_the_organs_with_and_without_a_report(city) -> None:
    with transaction(city) as s:
        whole = coverage(s, "sx", 2023)
        district = coverage(s, "jq", 2023)
        early = coverage(s, "sx", 2021)
    # every organ of the subtree, districts' included, in the tree's order; not 他市's, not regions
    assert [(r.code, r.reports, r.status) for r in whole.rows] == [
        ("cz", 1, "有报告"),
        ("jq1", 1, "有报告"),
        ("jq2", 1, "有报告"),
        ("jq3", 1, "有报告"),
        ("jq4", 0, "缺报告"),
        ("yq1", 1, "有报告"),
        ("yq2", 0, "缺报告"),
    ]
    assert (whole.have, whole.missing) == (5, 2)
    assert [r.region for r in whole.rows] == ["示例市"] + ["示例市甲区"] * 4 + ["示例市乙区"] * 2
    assert [r.region_code for r in whole.rows] == ["sx"] + ["jq"] * 4 + ["yq"] * 2
    assert (whole.region_code, whole.region_name) == ("sx", "示例市")
    # no publication date is held: none is said to be late, none on time
    assert {r.timing for r in whole.rows if r.reports} == {DATE_UNKNOWN}
    assert {r.timing for r in whole.rows if not r.reports} == {"—"}
    assert whole.deadline.isoformat() == "2024-01-31"  # 条例第四十九条
    assert [r.code for r in district.rows] == ["jq1", "jq2", "jq3", "jq4"] and district.missing == 1
    assert [r.code for r in early.rows if r.reports] == ["cz"] and early.missing == 6


def test_coverage_of_an_organ_or_an_unknown_code_is_refused(city) -> None:
    with transaction(city) as s:
        with pytest.raises(Refused, match="是机关，不是地区"):
            coverage(s, "jq1", 2023)
        with pytest.raises(Exception, match="没有代码为「nosuch」的机关"):
            coverage(s, "nosuch", 2023)


def test_the_coverage_export_reads_back_with_formulas_kept_as_text(city, tmp_path: Path) -> None:
    with transaction(city) as s:
        result = coverage(s, "sx", 2023)
    target = tmp_path / "coverage.csv"
    write_csv(target, COVERAGE_COLUMNS, coverage_table(result))
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs
    with target.open(encoding="utf-8-sig", newline="") as file:
        header, *rows = list(csv.reader(file))
    assert header == COVERAGE_COLUMNS
    assert len(rows) == len(result.rows) == 7
    by_code = {row[0]: row for row in rows}
    assert by_code["jq4"] == [
        "jq4",
        "'=示例市甲区统计局",
        "示例市甲区",
        "2023",
        "0",
        "缺报告",
        "2024-01-31",
        "",
        "",
        "—",
    ]
    assert by_code["cz"] == [
        "cz",
        "示例市财政局",
        "示例市",
        "2023",
        "1",
        "有报告",
        "2024-01-31",
        "",
        "",
        DATE_UNKNOWN,
    ]


def test_the_league_ranks_only_regions_with_enough_reports(city) -> None:
    with transaction(city) as s:
        table = league(s, min_reports=3)
        within = league(s, region_code="sx", min_reports=3)
        default = league(s)
    # every year: 示例市 0 of 3, 甲区 2 of 6 ranked; 乙区 (2) and 他市 (1) too few
    assert [(r.region_code, r.rank, r.reports, r.flagged) for r in table.ranked] == [
        ("sx", 1, *EXPECTED["sx"]),
        ("jq", 2, *EXPECTED["jq"]),
    ]
    assert [(r.region_code, r.rank, r.reports) for r in table.unranked] == [("tx", None, 1), ("yq", None, 2)]
    assert (
        table.measure.startswith("按有错误的报告所占比例排序")
        and "少于 3 份报告的地区不排名" in table.measure
    )
    # 2 of 6 by hand: p = 1/3, z = 1.96: centre 0.3984, half 0.3016
    jq = table.ranked[1]
    assert jq.rate == pytest.approx(1 / 3)
    assert (jq.low, jq.high) == pytest.approx((0.0968, 0.7000), abs=1e-4)
    assert table.ranked[0].low == 0 and table.ranked[0].high == pytest.approx(0.5615, abs=1e-4)
    assert [r.region_code for r in within.unranked] == ["yq"]  # 他市 is not under 示例市
    assert "示例市以下" in within.measure
    assert default.ranked == [] and len(default.unranked) == 4  # nobody has 10 reports


def test_equal_rates_share_a_place_and_a_rule_can_be_counted(city) -> None:
    with transaction(city) as s:
        year = league(s, year=2023, min_reports=1)
        rule = league(s, year=2023, rule="T3-ROW-SUM", min_reports=1)
        absent = league(s, year=2023, rule="NO-SUCH-RULE", min_reports=1)
    # 2023: 示例市 0/1, 甲区 1/3, 乙区 1/1, 他市 1/1
    assert [(r.region_code, r.rank, r.flagged, r.reports) for r in year.ranked] == [
        ("sx", 1, 0, 1),
        ("jq", 2, 1, 3),
        ("tx", 3, 1, 1),  # tied: by code
        ("yq", 3, 1, 1),
    ]
    assert [(r.region_code, r.rank) for r in rule.ranked] == [(r.region_code, r.rank) for r in year.ranked]
    assert rule.measure.startswith("按有 T3-ROW-SUM 发现的报告所占比例排序")
    assert {r.rank for r in absent.ranked} == {1} and {r.flagged for r in absent.ranked} == {0}


def test_wilson_interval_against_hand_computed_values() -> None:
    # 0 of 10: the upper end is z²/(n + z²) = 3.8415/13.8415
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.27753), abs=1e-5)
    assert wilson_interval(10, 10) == pytest.approx((0.72247, 1.0), abs=1e-5)
    assert wilson_interval(50, 100) == pytest.approx((0.40383, 0.59617), abs=1e-5)
    with pytest.raises(ValueError):
        wilson_interval(1, 0)


def test_a_known_publication_date_tells_on_time_from_late() -> None:
    """Once a report's publication date is held, 条例第四十九条's deadline decides: by 31 January is
    on time (the day itself too), after it late; a report without a date stays unknown."""
    due = report_deadline(2023)
    on_the_day = CoverageRow("a", "甲局", "示例市", 1, published_on=date(2024, 1, 31), due=due)
    a_day_late = CoverageRow("b", "乙局", "示例市", 2, published_on=date(2024, 2, 1), due=due)
    undated = CoverageRow("c", "丙局", "示例市", 1, due=due)
    none = CoverageRow("d", "丁局", "示例市", 0, due=due)
    assert [(r.late, r.timing) for r in (on_the_day, a_day_late, undated, none)] == [
        (False, "按时（2024-01-31公布）"),
        (True, "逾期1天（2024-02-01公布）"),
        (None, DATE_UNKNOWN),
        (None, "—"),
    ]
    counted = Coverage("sx", "示例市", 2023, due, [on_the_day, a_day_late, undated, none])
    assert (counted.have, counted.missing, counted.late, counted.undated) == (3, 1, 1, 1)


def test_coverage_counted_in_the_database_agrees_with_its_rows_and_pages_them(city) -> None:
    """The counts a page shows are counted in SQL (a province's 14,000 organs), by the same due
    dates as report_due: a people's government by 31 March, a township none; and a page of rows
    is the slice of every row, the missing ones' too."""
    dates = {  # organ: its new name (None: kept), published, signed
        "cz": (None, date(2024, 2, 5), None),  # a department, published late
        "jq2": ("示例市甲区某某镇人民政府", date(2024, 6, 1), None),  # a township: no date due
        "jq3": (None, None, date(2024, 2, 10)),  # signed after the date: late at least
        "yq1": ("示例市乙区人民政府", date(2024, 3, 20), None),  # a government: due 31 March
    }  # jq1: no date known
    with transaction(city) as s:
        for code, (name, published, signed) in dates.items():
            organ = find_organ(s, code)
            organ.name = name or organ.name
            s.execute(
                update(CorpusReport)
                .where(CorpusReport.organ_id == organ.id, CorpusReport.year == 2023)
                .values(published_on=published, signed_on=signed)
            )
    with transaction(city) as s:
        summary = coverage_summary(s, "sx", 2023)
        whole = coverage(s, "sx", 2023)
        window = coverage_rows(s, summary, offset=3, limit=3)
        missing = coverage_rows(s, summary, missing=True, offset=1, limit=5)
    assert [(r.code, r.late) for r in whole.rows if r.reports] == [
        *(("cz", True), ("jq1", None), ("jq2", None), ("jq3", True), ("yq1", False)),
    ]
    total = summary.total
    assert (total.organs, total.have, total.missing, total.late, total.undated) == (7, 5, 2, 2, 1)
    assert (total.have, total.late, total.undated) == (whole.have, whole.late, whole.undated)
    assert [(p.code, p.counted) for p in summary.parts] == [
        ("sx", Counted(1, 1, 1, 0)),
        ("jq", Counted(4, 3, 1, 1)),
        ("yq", Counted(2, 1, 0, 0)),
    ]
    assert window == whole.rows[3:6] and [r.code for r in window] == ["jq3", "jq4", "yq1"]
    assert [r.code for r in missing] == ["yq2"]  # the second of jq4, yq2
