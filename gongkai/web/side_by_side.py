"""Two reports' tables side by side in the console: each of tables 二, 三, 四 printed once in the
official layout of the first report, each value cell holding both reports' numbers, the cells
that differ marked with their difference. An organ beside its previous year, or beside another
organ; also as a workbook.

The layout comes from :mod:`gongkai.writers.printed`, the one place the official grids are worked
out, so this view prints the tables exactly as the writers do.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from gongkai.model.layouts import cell_name, layout_for
from gongkai.model.numbers import exact, signed
from gongkai.model.report import report_cells
from gongkai.store.records import NotFound, Refused
from gongkai.store.report_queries import beside_choices, has_report, in_scope, organ_coded, organ_named
from gongkai.store.reports import find_report, report_of
from gongkai.store.tables import Organ, ReportRecord
from gongkai.web.bounds import PathInt, bounded_int
from gongkai.web.console import Supervising
from gongkai.web.deps import DB, Principal, file_response, page
from gongkai.writers.printed import (
    PrintedCell,
    Role,
    active_table,
    appeals_table,
    format_value,
    requests_table,
)
from gongkai.writers.sheets import append_row

router = APIRouter(prefix="/console")
TABLE_TITLES = {
    2: "二、主动公开政府信息情况",
    3: "三、收到和处理政府信息公开申请情况",
    4: "四、政府信息公开行政复议、行政诉讼情况",
}
NOT_IN_LAYOUT = "—"  # the other report's layout has no such cell (2019 beside 2021)


@dataclass(frozen=True)
class PairedCell:
    """A printed cell; for a value, both reports' numbers and whether they differ."""

    cell: PrintedCell
    other: str = ""  # the second report's number as printed, or NOT_IN_LAYOUT
    differs: bool = False
    delta: str = ""  # second minus first, signed, when both are numbers


@dataclass(frozen=True)
class PairedTable:
    """One of tables 二, 三, 四, row by row."""

    number: int
    title: str
    header_rows: int
    rows: list[list[PairedCell]]


def paired_tables(first: Any, second: Any) -> list[PairedTable]:
    """Tables 二, 三, 四 in the first report's layout, each value beside the second report's."""
    layout = layout_for(first.format)
    cells, others = report_cells(first), report_cells(second)
    tables = []
    for printed in (
        active_table(layout, cells),
        requests_table(layout, cells),
        appeals_table(layout, cells),
    ):
        rows = []
        for row in printed.rows():
            paired = []
            for cell in row:
                if cell.role is not Role.VALUE or cell.key is None:
                    paired.append(PairedCell(cell))
                    continue
                if cell.key not in others:
                    paired.append(PairedCell(cell, NOT_IN_LAYOUT, differs=cell.value is not None))
                    continue
                other = others[cell.key]
                delta = ""
                if isinstance(cell.value, int | float) and isinstance(other, int | float):
                    # in Decimal: 12.34 万元 beside 12.74 differ by +0.4, not 0.3999999999999986
                    delta = signed(exact(other) - exact(cell.value))
                paired.append(PairedCell(cell, format_value(other, cell.kind), other != cell.value, delta))
            rows.append(paired)
        tables.append(PairedTable(printed.number, TABLE_TITLES[printed.number], printed.header_rows, rows))
    return tables


NO_REPORT = "没有这份报告"


def _report(session, within, code: str, year: int) -> tuple[Organ, ReportRecord]:
    """The organ of this code the person sees (``within``, :func:`in_scope`) and its report of the
    year, body and all; else 404."""
    organ = organ_coded(session, within, code)
    if organ is None:
        raise HTTPException(404, NO_REPORT)
    try:
        return organ, find_report(session, organ, year)
    except NotFound:
        raise HTTPException(404, NO_REPORT) from None


def _both(session, me: Principal, code: str, year: int, other: str, other_year: int):
    """The two reports compared, each found by its organ's code within the person's scope (the
    scope's condition built once; only these two bodies read)."""
    within = in_scope(me.scope)
    return within, _report(session, within, code, year), _report(session, within, other, other_year)


@router.get("/organs/{code}/{year}/beside")
def choose(
    session: DB, me: Supervising, code: str, year: PathInt, with_: Annotated[str, Query(alias="with")] = ""
):
    """The form's choice (``with=CODE/YEAR``, the organ by code or full name) sent on to the
    comparison's own address; no body read."""
    other, _, other_year = with_.strip().rpartition("/")
    within = in_scope(me.scope)
    try:
        first, second = organ_coded(session, within, code), organ_named(session, within, other)
    except Refused as exc:  # a name several organs bear: the person gives the code
        raise HTTPException(400, str(exc)) from None
    second_year = bounded_int(other_year.strip())
    if (
        first is None
        or second is None
        or second_year is None
        or not has_report(session, first, year)
        or not has_report(session, second, second_year)
    ):
        raise HTTPException(404, NO_REPORT)
    return RedirectResponse(
        f"/console/organs/{quote(code)}/{year}/beside/{quote(second.code)}/{second_year}", status_code=303
    )


@router.get("/organs/{code}/{year}/beside/{other}/{other_year}")
def beside(
    request: Request, session: DB, me: Supervising, code: str, year: PathInt, other: str, other_year: PathInt
):
    """Two reports' tables side by side, cell by cell, with the differences marked."""
    within, (organ, record), (other_organ, other_record) = _both(session, me, code, year, other, other_year)
    first, second = report_of(record), report_of(other_record)
    tables = paired_tables(first, second)
    differing = sum(1 for t in tables for row in t.rows for c in row if c.differs)
    printed = {c.cell.key for t in tables for row in t.rows for c in row}
    layout = layout_for(second.format)
    # what the second report states in cells the first one's layout has no place for
    unplaced = [
        (cell_name(key, layout), format_value(value))
        for key, value in report_cells(second).items()
        if key not in printed and value is not None
    ]
    choices, choices_total = beside_choices(session, within, organ)
    return page(
        request,
        "beside.html",
        me=me,
        organ=organ,
        year=year,
        other=other_organ,
        other_year=other_year,
        formats=(first.format, second.format),
        tables=tables,
        differing=differing,
        unplaced=unplaced,
        choices=choices,
        choices_total=choices_total,
        not_in_layout=NOT_IN_LAYOUT,
    )


@router.get("/organs/{code}/{year}/beside/{other}/{other_year}/export.xlsx")
def beside_workbook(
    session: DB, me: Supervising, code: str, year: PathInt, other: str, other_year: PathInt
) -> Response:
    """The same comparison as a workbook: one line per cell, both numbers and the difference."""
    _, (organ, record), (other_organ, other_record) = _both(session, me, code, year, other, other_year)
    first, second = report_of(record), report_of(other_record)
    layout = layout_for(first.format)
    book = Workbook()
    sheet = book.active
    sheet.title = "逐格对照"
    append_row(
        sheet,
        ["表", "单元格", f"{organ.name} {year}", f"{other_organ.name} {other_year}", "差（后者减前者）"],
    )
    marked = PatternFill("solid", fgColor="FFF0C0")
    for table in paired_tables(first, second):
        for row in table.rows:
            for paired in row:
                if paired.cell.role is not Role.VALUE or paired.cell.key is None:
                    continue
                append_row(
                    sheet,
                    [
                        table.title,
                        cell_name(paired.cell.key, layout),
                        _number(format_value(paired.cell.value)),
                        _number(paired.other),
                        _number(paired.delta),
                    ],
                )
                if paired.differs:
                    for column in range(1, 6):
                        sheet.cell(sheet.max_row, column).fill = marked
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (36, 60, 22, 22, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return file_response(out.getvalue(), f"{code}-{year}-beside-{other}-{other_year}.xlsx")


def _number(text: str) -> int | Decimal | str | None:
    """A printed number back as a number for the workbook (blank → empty, — stays); money as the
    Decimal printed, which the workbook stores digit for digit."""
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return Decimal(text)
        except InvalidOperation:
            return text
