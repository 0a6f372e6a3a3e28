"""A report as an Excel workbook (for tests), in the two shapes reports come in as XLSX.

* :func:`write_xlsx_report` — the whole report: title, section headings and paragraphs as
  single-cell rows, the three tables with the official merged cells; on one sheet or with each
  table on a sheet of its own.
* :func:`write_xlsx_tables` — a supervisor's spreadsheet of one report: only the three tables,
  one per sheet or all on one, the organ and year in a first row, in the sheet name, or nowhere.

Both render the table model of :mod:`support.htmlwriter` (``TABLES``, ``_place``), so the merges
are the official ones. Numbers are numeric cells (int or float), never strings; blank cells are
left empty, with the table's borders as real workbooks have them. The gongkai writers (a later
issue) will replace this helper.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Side
from openpyxl.worksheet.worksheet import Worksheet

from support.htmlwriter import TABLES, _place
from support.textwriter import SECTION_TITLES, _narrative, _Parts

Report = Any
_NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?")
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
# Number formats of the `formats` variant: money with its unit printed by the format, the way
# finance offices write 万元 and 元 (「0!.0000"万元"」 shows 251000 元 as 「25.1000万元」).
FEE_FORMAT = '0.00"万元"'
PROCUREMENT_FORMAT = '0!.0000"万元"'


def _number(text: str) -> int | float | str:
    """A value cell's text as the number a spreadsheet stores; labels stay text."""
    if not _NUMBER_RE.fullmatch(text):
        return text.replace("|", "\n")  # 「商业|企业」: a line break inside the cell (Alt+Enter)
    return float(text) if "." in text else int(text)


def _write_table(
    ws: Worksheet, parts: _Parts, number: int, top: int, *, formats: bool = False, left: int = 1
) -> int:
    """Table ``number`` (2, 3 or 4) with its top-left corner at (top, left); returns the next free row."""
    height, width, placed = _place(TABLES[number](parts))
    for r in range(height):
        for c in range(width):
            ws.cell(top + r, left + c).border = _BORDER
    labels = {r: text for r, c, (text, _, _) in placed if c == 0}
    for r, c, (text, rowspan, colspan) in placed:
        cell = ws.cell(top + r, left + c)
        if text:
            cell.value = _number(text)
        cell.alignment = _WRAP
        if formats and isinstance(cell.value, int | float) and number == 2:
            if labels.get(r) == "行政事业性收费" and parts.report.format == "2021":
                cell.number_format = FEE_FORMAT
            elif labels.get(r) == "政府集中采购" and c > 1:  # 采购总金额（元）
                cell.number_format = PROCUREMENT_FORMAT
            else:
                cell.number_format = "#,##0"
        if rowspan > 1 or colspan > 1:
            ws.merge_cells(
                start_row=top + r,
                start_column=left + c,
                end_row=top + r + rowspan - 1,
                end_column=left + c + colspan - 1,
            )
    return top + height


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _title(parts: _Parts) -> str:
    return f"{parts.agency}{parts.year}年度政府信息公开工作年度报告"


def write_xlsx_report(
    report: Report | Mapping[str, Any],
    *,
    sheet_per_table: bool = False,
    spaced: bool = True,
    merged_text: bool = False,
    formats: bool = False,
) -> bytes:
    """The whole report as a workbook.

    ``sheet_per_table``: the text on the first sheet, each table on a sheet of its own (表二, 表三,
    表四) instead of all in order on one sheet. ``spaced``: a blank row before and after each
    table; without, text rows touch the tables. ``merged_text``: the title and paragraphs merged
    across the table width, as when a report is laid out for printing. ``formats``: number
    formats that print units (see ``FEE_FORMAT``, ``PROCUREMENT_FORMAT``) and thousands separators.
    """
    parts = _Parts(report)
    narrative = _narrative(parts)
    wb = Workbook()
    ws = wb.active
    ws.title = "年度报告"
    row = 1

    def text_row(text: str) -> None:
        nonlocal row
        ws.cell(row, 1, text)
        if merged_text:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=10)
        row += 1

    text_row(_title(parts))
    for number, title in enumerate(SECTION_TITLES, start=1):
        text_row(title)
        for paragraph in narrative[number]:
            text_row(paragraph)
        if number not in TABLES:
            continue
        if sheet_per_table:
            _write_table(wb.create_sheet(f"表{'二三四'[number - 2]}"), parts, number, 1, formats=formats)
            continue
        row += spaced
        row = _write_table(ws, parts, number, row, formats=formats) + spaced
    return _save(wb)


def write_xlsx_tables(
    report: Report | Mapping[str, Any],
    *,
    title: str | None = "row",
    one_sheet: bool = False,
    formats: bool = False,
) -> bytes:
    """A supervisor's spreadsheet of one report: the three tables and nothing else.

    ``title``: ``"row"`` puts 「{organ}{year}年度政府信息公开工作年度报告统计表」 in a merged
    first row; ``"sheet"`` names the first sheet 「{organ}{year}年度」; ``None`` leaves the organ
    and year out. ``one_sheet``: the tables one under another on one sheet, a blank row between
    them, instead of sheets named 表二 主动公开, 表三 依申请公开, 表四 复议诉讼.
    """
    parts = _Parts(report)
    wb = Workbook()
    names = ["表二 主动公开", "表三 依申请公开", "表四 复议诉讼"]
    if title == "sheet":
        names[0] = f"{parts.agency}{parts.year}年度"
    ws = wb.active
    ws.title = "统计表" if one_sheet and title != "sheet" else names[0]
    row = 1
    if title == "row":
        ws.cell(1, 1, f"{_title(parts)}统计表")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=10)
        row = 3
    for number in TABLES:
        if number > 2 and not one_sheet:
            ws, row = wb.create_sheet(names[number - 2]), 1
        row = _write_table(ws, parts, number, row, formats=formats) + 1
    return _save(wb)


__all__ = ["FEE_FORMAT", "PROCUREMENT_FORMAT", "write_xlsx_report", "write_xlsx_tables"]
