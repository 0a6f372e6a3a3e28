"""Coverage and league tables on the supervisor console (issue 17 §5, §6), on SQLite and PostgreSQL:
the console's coverage panel and the full coverage page counted against a generated city corpus,
each person kept to their scope, paging, the year chosen, the CSV and XLSX exports read back equal
to the page, and the league page ranking only regions with enough reports, its Wilson bounds those
of ``wilson_interval``."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from conftest import on_day
from openpyxl import load_workbook
from support.citycorpus import EXPECTED, ORGANS, REPORTS, write_city_corpus
from support.web import PASSWORD, client_as

from gongkai.batch_ingest import ingest
from gongkai.store.accounts import add_user
from gongkai.store.coverage import COVERAGE_COLUMNS, DATE_UNKNOWN
from gongkai.store.db import transaction
from gongkai.store.league import wilson_interval
from gongkai.store.records import add_organ
from gongkai.web.app import create_app
from gongkai.web.oversight import ROWS_PER_PAGE
from gongkai.web.settings import WebSettings

ACCOUNTS = {  # login → (role, organ)
    "city": ("supervisor", "sx"),
    "jia": ("supervisor", "jq"),
    "yi": ("supervisor", "yq"),
    "admin": ("admin", None),
    "clerk": ("clerk", "jq1"),
}


@pytest.fixture
def city_site(store, database_url: str, tmp_path: Path):
    """The web app on the city's tree and corpus (support/citycorpus.py), with a supervisor of the
    city, of each district, an administrator and a clerk."""
    with transaction(store) as s:
        for code, name, kind, parent in ORGANS:
            add_organ(s, code, name, kind=kind, parent=parent, actor="t")
        for login, (role, organ) in ACCOUNTS.items():
            add_user(s, login, login, role, PASSWORD, organ=organ, actor="t")
    tally = ingest(store, [str(write_city_corpus(tmp_path / "corpus"))], jobs=1)
    assert tally.reports == len(REPORTS)
    app = create_app(WebSettings(database_url, tmp_path, "test-secret-key-" + "x" * 32))
    yield app
    app.state.sessions.kw["bind"].dispose()


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of the table ``table_id``."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert table, f"no table {table_id}"
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(0), re.S).group(1)
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def counts_line(html: str) -> str:
    return re.sub(r"<[^>]+>|\s+", "", re.search(r'id="coverage-counts">(.*?)</p>', html, re.S).group(1))


def test_the_console_panel_counts_the_region_and_year(city_site) -> None:
    city = client_as(city_site, "city")
    # default: the supervisor's own region, last year by the clock (2025: nothing in the corpus yet)
    home = city.get("/console").text
    assert "示例市2025年度：共7个机关，有报告0个，缺报告7个。" in counts_line(home)
    assert "2026-01-31 前公布" in home
    panel = city.get("/console?coverage_year=2023").text
    assert "示例市2023年度：共7个机关，有报告5个，缺报告2个，5个「公布日期未知」。" in counts_line(panel)
    # broken down by the region right above the organs, the most missing first
    assert [row[:4] for row in table_rows(panel, "coverage-parts")] == [
        ["示例市甲区", "4", "3", "1"],
        ["示例市乙区", "2", "1", "1"],
        ["示例市", "1", "1", "0"],
    ]
    assert 'href="/console/oversight/coverage?region=sx&amp;year=2023"' in panel
    district = city.get("/console?coverage_year=2022&coverage_region=yq").text
    assert "示例市乙区2022年度：共2个机关，有报告1个，缺报告1个" in counts_line(district)
    # next year, by the clock, the default year moves on
    with on_day(date(2027, 2, 1)):
        assert "示例市2026年度" in counts_line(city.get("/console").text)


def test_a_supervisor_sees_only_the_organs_in_scope(city_site) -> None:
    jia, yi = client_as(city_site, "jia"), client_as(city_site, "yi")
    page = jia.get("/console/oversight/coverage?year=2023").text
    assert [row[0] for row in table_rows(page, "coverage-rows")] == ["jq1", "jq2", "jq3", "jq4"]
    assert "示例市乙区" not in page and "yq1" not in page  # nor in the region choice
    assert jia.get("/console/oversight/coverage?region=yq&year=2023").status_code == 404
    assert jia.get("/console/oversight/coverage?region=sx&year=2023").status_code == 404  # above them
    assert jia.get("/console/oversight/coverage.csv?region=yq&year=2023").status_code == 404
    assert jia.get("/console/oversight/coverage.xlsx?region=yq").status_code == 404
    assert jia.get("/console/oversight/league?region=yq").status_code == 404
    # the panel falls back to the person's own region for a code out of scope
    assert "示例市甲区2023年度" in counts_line(jia.get("/console?coverage_year=2023&coverage_region=yq").text)
    league = yi.get("/console/oversight/league?min=1").text
    assert [row[1] for row in table_rows(league, "ranked")] == ["示例市乙区"]
    assert "示例市甲区" not in league and "他市" not in league
    assert client_as(city_site, "clerk").get("/console/oversight/coverage").status_code == 403
    assert (
        client_as(city_site, None).get("/console/oversight/league", follow_redirects=False).status_code == 303
    )


def test_the_coverage_page_lists_filters_and_exports_the_same_rows(city_site) -> None:
    city = client_as(city_site, "city")
    page = city.get("/console/oversight/coverage?region=sx&year=2023").text
    rows = table_rows(page, "coverage-rows")
    assert [(r[0], r[3], r[4], r[5]) for r in rows] == [
        ("cz", "1", "有报告", DATE_UNKNOWN),
        ("jq1", "1", "有报告", DATE_UNKNOWN),
        ("jq2", "1", "有报告", DATE_UNKNOWN),
        ("jq3", "1", "有报告", DATE_UNKNOWN),
        ("jq4", "0", "缺报告", "—"),
        ("yq1", "1", "有报告", DATE_UNKNOWN),
        ("yq2", "0", "缺报告", "—"),
    ]
    assert counts_line(page) == "共7个机关：有报告5个，缺报告2个。"
    assert "部门于 2024-01-31 前、人民政府于 2024-03-31 前公布" in page and "5 个机关的报告无法判断" in page
    missing = city.get("/console/oversight/coverage?region=sx&year=2023&missing=1").text
    assert [r[0] for r in table_rows(missing, "coverage-rows")] == ["jq4", "yq2"]

    # the exports hold the rows shown, the name that looks like a formula kept as text
    shown = [[r[0], r[1], r[2], "2023", r[3], r[4], "2024-01-31", "", "", r[5]] for r in rows]
    response = city.get("/console/oversight/coverage.csv?region=sx&year=2023")
    assert response.headers["content-type"].startswith("text/csv") and response.content[:3] == b"\xef\xbb\xbf"
    header, *exported = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == COVERAGE_COLUMNS
    assert [[cell.removeprefix("'") for cell in row] for row in exported] == shown
    assert exported[4][1] == "'=示例市甲区统计局"
    book = load_workbook(io.BytesIO(city.get("/console/oversight/coverage.xlsx?region=sx&year=2023").content))
    sheet = book["报告收入情况"]
    assert [c.value for c in sheet[1]] == COVERAGE_COLUMNS
    assert [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(min_row=2, values_only=True)
    ] == shown  # an empty cell comes back as None
    statistics = sheet["B6"]
    assert statistics.value == "=示例市甲区统计局" and statistics.data_type == "s" and statistics.quotePrefix
    only_missing = load_workbook(
        io.BytesIO(city.get("/console/oversight/coverage.xlsx?region=sx&year=2023&missing=1").content)
    )
    assert [row[0] for row in only_missing.active.iter_rows(min_row=2, values_only=True)] == ["jq4", "yq2"]

    # another year, chosen from the form: 2021 has 财政局 only
    early = city.get("/console/oversight/coverage?region=sx&year=2021").text
    assert counts_line(early) == "共7个机关：有报告1个，缺报告6个。"
    assert '<option value="2021" selected>' in early


def test_the_coverage_page_is_paged(city_site, store) -> None:
    with transaction(store) as s:  # a district of many organs, none with a report
        add_organ(s, "dq", "示例市大区", kind="region", parent="sx", actor="t")
        for i in range(ROWS_PER_PAGE + 30):
            add_organ(s, f"dq{i:03d}", f"示例市大区第{i:03d}局", parent="dq", actor="t")
    city = client_as(city_site, "city")
    first = city.get("/console/oversight/coverage?region=dq&year=2023").text
    second = city.get("/console/oversight/coverage?region=dq&year=2023&page=2").text
    codes = [r[0] for r in table_rows(first, "coverage-rows")] + [
        r[0] for r in table_rows(second, "coverage-rows")
    ]
    assert codes == [f"dq{i:03d}" for i in range(ROWS_PER_PAGE + 30)]
    assert len(table_rows(first, "coverage-rows")) == ROWS_PER_PAGE
    assert "第 1/2 页（第 1–100 个）" in first and "第 2/2 页（第 101–130 个）" in second
    assert 'href="/console/oversight/coverage?region=dq&amp;year=2023&amp;page=2"' in first
    assert counts_line(second) == f"共{ROWS_PER_PAGE + 30}个机关：有报告0个，缺报告{ROWS_PER_PAGE + 30}个。"
    beyond = city.get("/console/oversight/coverage?region=dq&year=2023&page=9").text
    assert "第 2/2 页" in beyond  # past the end: the last page
    exported = city.get("/console/oversight/coverage.csv?region=dq&year=2023").content.decode("utf-8-sig")
    assert len(exported.strip().splitlines()) == 1 + ROWS_PER_PAGE + 30  # every page


def percent(x: float) -> str:
    return f"{x * 100:.1f}%"


def test_the_league_ranks_enough_reports_and_shows_wilson_intervals(city_site) -> None:
    admin = client_as(city_site, "admin")
    page = admin.get("/console/oversight/league?min=3").text
    measure = unescape(re.search(r'id="measure">(.*?)</p>', page, re.S).group(1))
    assert measure.startswith("按有错误的报告所占比例排序") and "少于 3 份报告的地区不排名" in measure
    ranked, unranked = table_rows(page, "ranked"), table_rows(page, "unranked")
    assert [(r[0], r[1], r[2], r[3]) for r in ranked] == [
        ("1", "示例市", *map(str, EXPECTED["sx"])),
        ("2", "示例市甲区", *map(str, EXPECTED["jq"])),
    ]
    for row in ranked:
        reports, flagged = int(row[2]), int(row[3])
        low, high = wilson_interval(flagged, reports)
        assert row[4] == percent(flagged / reports) and row[5] == f"{percent(low)}–{percent(high)}"
    assert ranked[1][5] == "9.7%–70.0%"  # 2 of 6
    # too few reports: listed apart, unranked, with the reason
    assert [(r[0], r[1]) for r in unranked] == [("他市", "1"), ("示例市乙区", "2")]
    assert unranked[1][-1] == "仅 2 份报告，少于 3 份，比例不可靠，不排名"
    # each bar: the interval's ends placed on the scale shared by every row, up to the highest
    # upper bound (他市's 1 of 1: 100%)
    assert "横条为 95% 区间（0–100.0%）" in page
    bars = re.findall(r'<rect class="range" x="([\d.]+)" y="3" width="([\d.]+)"', page)
    jq_low, jq_high = wilson_interval(2, 6)
    assert float(bars[1][0]) == pytest.approx(jq_low * 220, abs=0.1)
    assert float(bars[1][0]) + float(bars[1][1]) == pytest.approx(jq_high * 220, abs=0.2)
    assert "<script" not in page.split("<main>")[1]  # drawn on the server

    # the default minimum (10): nobody ranked
    assert table_rows(admin.get("/console/oversight/league?min=3&year=²").text, "ranked") == ranked  # no year
    nobody = admin.get("/console/oversight/league").text
    assert "没有报告达到 10 份的地区，不排名。" in nobody and len(table_rows(nobody, "unranked")) == 4


def test_the_league_by_year_and_rule_and_its_charts(city_site) -> None:
    city = client_as(city_site, "city")
    page = city.get("/console/oversight/league?year=2023&min=1").text
    # 2023 within 示例市: 示例市 0/1, 甲区 1/3, 乙区 1/1; 他市 is not the city's
    assert [(r[0], r[1], r[2], r[3]) for r in table_rows(page, "ranked")] == [
        ("1", "示例市", "1", "0"),
        ("2", "示例市甲区", "3", "1"),
        ("3", "示例市乙区", "1", "1"),
    ]
    assert "示例市以下，2023 年度报告" in page and "他市" not in page
    assert '<option value="T3-ROW-SUM"' in page  # the rules that occur, to choose from
    rule = city.get("/console/oversight/league?year=2023&min=1&rule=T3-ROW-SUM").text
    assert "按有 T3-ROW-SUM 发现的报告所占比例排序" in rule
    # charts by year: 甲区 2022 1/3 and 2023 1/3, each with its interval in the tooltip
    charts = re.findall(r"<figure class=\"year-chart\">\s*<figcaption>(.*?)</figcaption>", page)
    assert charts == ["示例市", "示例市甲区", "示例市乙区"]
    low, high = wilson_interval(1, 3)
    assert f"2022 年：1/3，33.3%，95% 区间 {percent(low)}–{percent(high)}" in page
    assert (
        '<circle class="dot few"' in city.get("/console/oversight/league?min=3").text
    )  # years under the minimum
    # a supervisor cannot ask for every region, only an administrator can
    assert '<option value="">全部地区</option>' not in page
    everywhere = client_as(city_site, "admin").get("/console/oversight/league?region=&min=1").text
    assert "全部地区" in everywhere and "他市" in everywhere
