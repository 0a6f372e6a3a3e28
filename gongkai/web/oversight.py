"""Oversight of a region on the supervisor console (issue 17 §5, §6): which organs have a report of
a year (a panel on the console's home page, a full page in the tree's order, exported as CSV and
XLSX), and league tables of the regions by the share of reports with an error or a finding of one
rule, each rate with its 95% Wilson interval drawn as a bar, and each region's rate by year.

Charts are SVG drawn here, on the server: nothing is fetched from elsewhere, and the page reads the
same without scripts. A person sees only the regions and organs in their scope (404 for another)."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from openpyxl import Workbook

from gongkai import clock
from gongkai.store.accounts import Role
from gongkai.store.coverage import (
    COVERAGE_COLUMNS,
    DATE_UNKNOWN,
    Coverage,
    coverage,
    coverage_rows,
    coverage_summary,
    coverage_table,
    csv_bytes,
    regions_seen,
)
from gongkai.store.league import LeagueRow, by_year, ranking, tally
from gongkai.store.records import Place
from gongkai.web.bounds import INT_MAX, OptionalQueryInt, bounded_int
from gongkai.web.console import Supervising
from gongkai.web.coverage_panel import chosen_region, last_year, years_to_choose
from gongkai.web.deps import DB, Principal, file_response, page
from gongkai.writers.sheets import append_row

router = APIRouter(prefix="/console/oversight")
ROWS_PER_PAGE = 100  # organs on a page of the coverage list
LEAGUE_ROWS_PER_PAGE = 50  # regions on a page of the league table, ranked then unranked
CHARTED_REGIONS = 20  # regions of the page drawn by year on the league page
DEFAULT_MIN_REPORTS = 10  # as `gongkai league`
Page = Annotated[int, Query(alias="page", ge=1, le=INT_MAX)]
MinReports = Annotated[int, Query(alias="min", ge=1, le=INT_MAX)]


def _region_of(session, me: Principal, region: str) -> tuple[list, Place]:
    regions = regions_seen(session, me.scope)
    chosen = chosen_region(regions, me, region)
    if chosen is None:
        raise HTTPException(404, "您的权限范围内没有地区")
    return regions, chosen


def _coverage_of(session, me: Principal, region: str, year: int | None, missing: bool) -> Coverage:
    """Every row of the region's coverage (or its missing ones only), for an export."""
    _, chosen = _region_of(session, me, region)
    return coverage(session, chosen.code, year or last_year(), missing=missing)


@router.get("/coverage")
def coverage_page(
    request: Request,
    session: DB,
    me: Supervising,
    region: str = "",
    year: OptionalQueryInt = None,
    missing: bool = False,
    page_no: Page = 1,
):
    """The region's organs, each region's after the one before in the tree's order: which have a
    report of the year, which not, and whether on time; the missing ones only, if asked; a page of
    :data:`ROWS_PER_PAGE` at a time, counted and read in the database."""
    regions, chosen = _region_of(session, me, region)
    result = coverage_summary(session, chosen.code, year or last_year())
    listed = result.total.missing if missing else result.total.organs
    pages = max(1, math.ceil(listed / ROWS_PER_PAGE))
    page_no = min(page_no, pages)
    first = (page_no - 1) * ROWS_PER_PAGE
    rows = coverage_rows(session, result, missing=missing, offset=first, limit=ROWS_PER_PAGE)
    return page(
        request,
        "oversight_coverage.html",
        me=me,
        regions=regions,
        result=result,
        rows=rows,
        listed=listed,
        first=first + 1,
        page_no=page_no,
        pages=pages,
        missing=missing,
        years=years_to_choose(session, result.year),
        parts=result.parts,
        date_unknown=DATE_UNKNOWN,
    )


def _export_name(result: Coverage, missing: bool, suffix: str) -> str:
    return f"coverage-{result.region_code}-{result.year}{'-missing' if missing else ''}.{suffix}"


@router.get("/coverage.csv")
def coverage_csv(
    session: DB, me: Supervising, region: str = "", year: OptionalQueryInt = None, missing: bool = False
) -> Response:
    """The coverage page's rows, every page of them, as CSV (UTF-8 with a byte-order mark)."""
    result = _coverage_of(session, me, region, year, missing)
    table = coverage_table(result)
    return file_response(csv_bytes(COVERAGE_COLUMNS, table), _export_name(result, missing, "csv"))


@router.get("/coverage.xlsx")
def coverage_xlsx(
    session: DB, me: Supervising, region: str = "", year: OptionalQueryInt = None, missing: bool = False
) -> Response:
    """The coverage page's rows, every page of them, as a workbook; names as text, never formulas."""
    result = _coverage_of(session, me, region, year, missing)
    book = Workbook()
    sheet = book.active
    sheet.title = "报告收入情况"
    append_row(sheet, COVERAGE_COLUMNS)
    for row in coverage_table(result):
        append_row(sheet, row)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("说明")
    for line in (
        f"{result.region_name}（{result.region_code}）{result.year} 年度报告的收入情况",
        result.timing_rule,
        f"导出于 {clock.now().strftime('%Y-%m-%d %H:%M')}",
    ):
        append_row(notes, [line])
    out = io.BytesIO()
    book.save(out)
    return file_response(out.getvalue(), _export_name(result, missing, "xlsx"))


# --- league tables -------------------------------------------------------------------------------

BAR_WIDTH = 220  # the interval bar's width, in SVG units
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 280, 150, 28


def scale_top(rows: list[LeagueRow]) -> float:
    """The right end of every bar's scale: the highest upper bound, rounded up to a tenth (at least
    a tenth), so that small rates are not squeezed against zero and all bars compare."""
    highest = max((row.high for row in rows), default=0.1)
    return min(1.0, max(0.1, math.ceil(highest * 10 - 1e-9) / 10))


@dataclass(frozen=True)
class Bar:
    """A rate and its interval placed on a bar of :data:`BAR_WIDTH`."""

    low: float
    high: float
    rate: float


def interval_bar(row: LeagueRow, top: float) -> Bar:
    """Where the row's interval and rate fall on a bar whose right end is the rate ``top``."""

    def place(value: float) -> float:
        return round(value / top * BAR_WIDTH, 1)

    return Bar(place(row.low), place(row.high), place(row.rate))


@dataclass(frozen=True)
class YearMark:
    """One year on a region's chart: the rate's dot, its interval's whisker, and the axis label."""

    year: int
    x: float
    y: float
    y_low: float
    y_high: float
    row: LeagueRow
    enough: bool  # as many reports as a ranking needs: drawn solid, else hollow


@dataclass(frozen=True)
class YearChart:
    """A region's rate by year, for an SVG of :data:`CHART_WIDTH` × :data:`CHART_HEIGHT`."""

    code: str
    name: str
    marks: list[YearMark]

    @property
    def line(self) -> str:
        """The polyline's points through the rates."""
        return " ".join(f"{m.x},{m.y}" for m in self.marks)


def year_chart(
    code: str, name: str, points: list[tuple[int, LeagueRow]], top: float, min_reports: int
) -> YearChart:
    """A region's rates by year on a shared vertical scale from 0 to ``top``."""
    inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD
    step = inner_w / max(1, len(points) - 1)

    def y(value: float) -> float:
        return round(CHART_PAD + inner_h * (1 - value / top), 1)

    marks = [
        YearMark(
            year,
            round(CHART_PAD + (i * step if len(points) > 1 else inner_w / 2), 1),
            y(row.rate),
            y(row.low),
            y(row.high),
            row,
            row.reports >= min_reports,
        )
        for i, (year, row) in enumerate(points)
    ]
    return YearChart(code, name, marks)


@router.get("/league")
def league_page(
    request: Request,
    session: DB,
    me: Supervising,
    region: str | None = None,
    year: str = "",
    rule: str = "",
    min_reports: MinReports = DEFAULT_MIN_REPORTS,
    page_no: Page = 1,
):
    """The regions ranked by the share of reports with an error (or a finding of ``rule``), each
    with its 95% Wilson interval as a bar; regions with too few reports apart, with why; each
    region's rate by year. A page of :data:`LEAGUE_ROWS_PER_PAGE` regions at a time (the ranked
    first, then the unranked), on one scale for every page; the page's first regions charted by
    year. An administrator may compare every region (``region`` empty)."""
    regions = regions_seen(session, me.scope)
    everywhere = me.role is Role.ADMIN and not region  # only an administrator sees every region
    chosen = None if everywhere else chosen_region(regions, me, region or "")
    if chosen is None and not everywhere:
        raise HTTPException(404, "您的权限范围内没有地区")
    of_year = bounded_int(year)  # the form's 各年度合计 is blank: every year
    counted = tally(session, region_code=chosen.code if chosen else None, rule=rule or None)
    table = ranking(counted, year=of_year, min_reports=min_reports)
    series = by_year(counted)
    listed = [*table.ranked, *table.unranked]
    pages = max(1, math.ceil(len(listed) / LEAGUE_ROWS_PER_PAGE))
    page_no = min(page_no, pages)
    shown = listed[(page_no - 1) * LEAGUE_ROWS_PER_PAGE : page_no * LEAGUE_ROWS_PER_PAGE]
    top = scale_top(listed)  # every page's bars on the one scale
    all_points = [row for points in series.values() for _, row in points]
    chart_top = scale_top(all_points)
    charts = [
        year_chart(row.region_code, row.region_name, series[row.region_code], chart_top, min_reports)
        for row in shown[:CHARTED_REGIONS]
        if series.get(row.region_code)
    ]
    return page(
        request,
        "oversight_league.html",
        me=me,
        regions=regions,
        region=chosen,
        everywhere=everywhere,
        may_see_all=me.role is Role.ADMIN,
        year=of_year,
        years=counted.years,
        rule=rule,
        rules=counted.rules.most_common(),
        min_reports=min_reports,
        table=table,
        top=top,
        ranked=[(row, interval_bar(row, top)) for row in shown if row.rank is not None],
        unranked=[(row, interval_bar(row, top)) for row in shown if row.rank is None],
        page_no=page_no,
        pages=pages,
        first=(page_no - 1) * LEAGUE_ROWS_PER_PAGE + 1,
        bar_width=BAR_WIDTH,
        charts=charts,
        charts_left=len(listed) - len(charts),
        chart_top=chart_top,
        chart=(CHART_WIDTH, CHART_HEIGHT, CHART_PAD),
    )
