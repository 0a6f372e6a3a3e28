"""The report as an Excel workbook, in the shape the XLSX reader knows as a whole report.

Sheets, in order:

* 「年度报告」: the title (it names the organ and the year), then each section's heading and
  its paragraphs, one per row.
* 「表二 主动公开」, 「表三 依申请公开」, 「表四 复议诉讼」: each table alone from A1, in the
  official layout of :mod:`gongkai.writers.printed` (merged headers and labels, the captions of
  table 二, the 勾稽 note). Values are numeric cells (int for counts, the decimal as written for money), blank
  when not stated, with a number format that prints them as the report does. Panes are frozen
  below the header rows and right of the label columns; printed on A4, one page wide, the header
  rows repeated and the report's title in the page header.
* 「检查结果」: the findings, one per row (级别, 规则, 单元格, 位置, 说明), the cells named in
  words and linked to where they are in this workbook; a line saying that nothing was found when
  there is nothing. The reader skips this sheet by its name, so a workbook written here reads
  back as the same report. Cells named by an error or a warning are shaded in the tables.

openpyxl's normal mode, not write-only: write-only mode cannot merge cells. Styles are set through
openpyxl's public cell attributes; merged areas are recorded as ranges without openpyxl
re-bordering their cells (every position is bordered already), which keeps a report within a few
hundredths of a second.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.cell import get_column_letter, quote_sheetname
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from gongkai.model.cleantext import clean_lines
from gongkai.model.layouts import CellKind, cell_name, layout_for
from gongkai.model.numbers import exact
from gongkai.model.report import Finding, Severity
from gongkai.model.sections import FINDINGS_SHEET
from gongkai.writers.printed import PrintedReport, PrintedTable, Role
from gongkai.writers.sheets import put

__all__ = ["FINDINGS_SHEET", "REPORT_SHEET", "TABLE_SHEETS", "write_xlsx"]

REPORT_SHEET = "年度报告"
TABLE_SHEETS = {2: "表二 主动公开", 3: "表三 依申请公开", 4: "表四 复议诉讼"}

# Column width (Excel's unit: the default font's digit, about 7 px) per millimetre of the
# printed type area. Above true size (about 0.54), so that the headers of table 三's narrow value
# columns wrap to two lines on screen; printing fits the table to the page width anyway.
_CHARS_PER_MM = 0.7
_TEXT_WIDTH_MM = 156.0  # the report sheet's one column: the type area of GB/T 9704 A4
_LINE_POINTS = 15.0  # one line of 11-point text (Excel's default row height)
_WIDE_CHAR = 2.2  # a CJK character at 11 points is about twice a digit's width, with a margin

_NUMBER_FORMATS = {
    CellKind.COUNT: "0",
    CellKind.SIGNED: "+0;-0;0",  # 2019 本年增/减 prints its sign, as format_value does
    CellKind.MONEY: "General",  # a plain decimal without trailing zeros: 0.35, 3, 1234567
}

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_TEXT = Alignment(horizontal="left", vertical="top", wrap_text=True)
_BOLD = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=16)
_TITLE_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_SEVERITY_WORD = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}
_SHADE = {
    Severity.ERROR: PatternFill("solid", start_color="FFF4CCCC"),
    Severity.WARNING: PatternFill("solid", start_color="FFFFF2CC"),
}
_FINDING_COLUMNS = (("级别", 6.0), ("规则", 16.0), ("单元格", 44.0), ("位置", 20.0), ("说明", 64.0))

Address = tuple[str, int, int]  # sheet, row, column (1-based)


def write_xlsx(printed: PrintedReport) -> bytes:
    """The report as an XLSX workbook (see the module docstring for its sheets)."""
    wb = Workbook()
    styles = _Styles()
    _report_sheet(wb.active, printed, styles)
    addresses: dict[str, Address] = {}
    for table in printed.tables:
        ws = wb.create_sheet(TABLE_SHEETS[table.number])
        addresses.update(_table_sheet(ws, table, printed.title, styles))
    _shade(wb, printed.findings, addresses)
    _findings_sheet(wb.create_sheet(FINDINGS_SHEET), printed, addresses, styles)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- layout helpers ------------------------------------------------------------------------------


class _Styles:
    """Cell styles of one workbook, set through openpyxl's public attributes (a style not given
    keeps the workbook's default)."""

    def apply(
        self,
        cell: Any,
        *,
        border: Border | None = None,
        alignment: Alignment | None = None,
        font: Font | None = None,
        number_format: str | None = None,
    ) -> Any:
        """Style the cell (returned, for chaining) with the given style objects."""
        if border is not None:
            cell.border = border
        if alignment is not None:
            cell.alignment = alignment
        if font is not None:
            cell.font = font
        if number_format is not None:
            cell.number_format = number_format
        return cell


def _merge(ws: Worksheet, row: int, col: int, rows: int, cols: int) -> None:
    """Record a merged area (1-based top-left, size); its cells keep the borders they have."""
    ws.merged_cells.add(CellRange(min_row=row, min_col=col, max_row=row + rows - 1, max_col=col + cols - 1))


def _text_width(text: str) -> float:
    """The text's width in Excel's column unit (wide characters count about two)."""
    return sum(_WIDE_CHAR if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def _lines(text: str, width: float) -> int:
    """Lines the text wraps to in a cell ``width`` units wide (a unit of padding kept)."""
    if not text:
        return 1
    return sum(max(1, math.ceil(_text_width(part) / max(width - 1.0, 1.0))) for part in text.split("\n"))


def _print_setup(ws: Worksheet, title: str, header_rows: int = 0) -> None:
    """A4 portrait, one page wide (as long as it needs), the header rows on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    if header_rows:
        ws.print_title_rows = f"1:{header_rows}"
    ws.oddHeader.center.text = clean_lines(title).replace("&", "&&")  # & starts a header code
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


# --- the sheets ----------------------------------------------------------------------------------


def _report_sheet(ws: Worksheet, printed: PrintedReport, styles: _Styles) -> None:
    """The title, then each section's heading and paragraphs: the running text of the report."""
    ws.title = REPORT_SHEET
    width = _TEXT_WIDTH_MM * _CHARS_PER_MM
    ws.column_dimensions["A"].width = width
    styles.apply(ws.cell(1, 1), font=_TITLE_FONT, alignment=_TITLE_ALIGN)
    put(ws.cell(1, 1), printed.title)
    ws.row_dimensions[1].height = 30.0 * _lines(printed.title, width * 11 / 16)  # 16-point type
    row = 2
    for section in printed.sections:
        row += 1  # a blank row before each heading, as on paper
        put(styles.apply(ws.cell(row, 1), font=_BOLD, alignment=_TEXT), section.heading)
        for paragraph in section.paragraphs:
            row += 1
            put(styles.apply(ws.cell(row, 1), alignment=_TEXT), paragraph)
            lines = _lines(paragraph, width)
            if lines > 1:
                ws.row_dimensions[row].height = _LINE_POINTS * lines
        row += 1
    _print_setup(ws, printed.title)


def _table_sheet(ws: Worksheet, table: PrintedTable, title: str, styles: _Styles) -> dict[str, Address]:
    """A table from A1 in its printed layout; returns where each value cell's key was written."""
    widths = [mm * _CHARS_PER_MM for mm in table.widths]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = round(width, 2)
    # Positions under a merged cell keep a border of their own: Excel draws a merged area's edges
    # from the cells along them.
    for r in range(1, table.height + 1):
        for c in range(1, table.width + 1):
            styles.apply(ws.cell(r, c), border=_BORDER)
    addresses: dict[str, Address] = {}
    lines = [1] * table.height
    spanning: list[tuple[int, int, int]] = []  # (first row, rows, lines needed) of taller cells
    for pc in table.cells:
        r, c = pc.row + 1, pc.col + 1
        cell = ws.cell(r, c)
        if pc.role is Role.VALUE:
            if pc.value is not None:  # a value not stated stays blank, never the string ""
                # money as the digits written (Decimal); a count as it is, never truncated
                cell.value = pc.value if isinstance(pc.value, int) else exact(pc.value)
            number_format = _NUMBER_FORMATS[pc.kind or CellKind.COUNT]
            styles.apply(cell, border=_BORDER, alignment=_CENTRE, number_format=number_format)
            if pc.key is not None:
                addresses[pc.key] = (ws.title, r, c)
        else:
            # Headers, captions and labels heading several rows are centred; row labels read left.
            align = _LEFT if pc.role is Role.LABEL and pc.rowspan == 1 else _CENTRE
            font = _BOLD if pc.role is Role.CAPTION else None
            put(styles.apply(cell, border=_BORDER, alignment=align, font=font), pc.text)
            need = _lines(pc.text, sum(widths[pc.col : pc.col + pc.colspan]))
            if pc.rowspan == 1:
                lines[pc.row] = max(lines[pc.row], need)
            else:
                spanning.append((pc.row, pc.rowspan, need))
        if pc.rowspan > 1 or pc.colspan > 1:
            _merge(ws, r, c, pc.rowspan, pc.colspan)
    # Excel and WPS never fit a row to a merged cell's text: the rows it spans are made tall enough.
    for first, rows, need in spanning:
        have = sum(lines[first : first + rows])
        if need > have:
            lines[first + rows - 1] += need - have
    for r, count in enumerate(lines, start=1):
        if count > 1:
            ws.row_dimensions[r].height = _LINE_POINTS * count
    ws.freeze_panes = ws.cell(table.header_rows + 1, table.label_columns + 1).coordinate
    _print_setup(ws, f"{title}　{ws.title}", table.header_rows)
    return addresses


def _shade(wb: Workbook, findings: Iterable[Finding], addresses: dict[str, Address]) -> None:
    """Shade the value cells that errors (red) and warnings (yellow) name; an error wins."""
    worst: dict[str, Severity] = {}
    for finding in findings:
        if finding.severity not in _SHADE:
            continue
        for key in finding.cells:
            if key in addresses and worst.get(key) is not Severity.ERROR:
                worst[key] = finding.severity
    for key, severity in worst.items():
        sheet, r, c = addresses[key]
        wb[sheet].cell(r, c).fill = _SHADE[severity]


def _address_text(address: Address) -> str:
    sheet, r, c = address
    return f"{quote_sheetname(sheet)}!{get_column_letter(c)}{r}"


def _findings_sheet(
    ws: Worksheet, printed: PrintedReport, addresses: dict[str, Address], styles: _Styles
) -> None:
    """One row per finding; cells in words with their place in this workbook, linked to the first."""
    for col, (heading, width) in enumerate(_FINDING_COLUMNS, start=1):
        styles.apply(ws.cell(1, col, heading), border=_BORDER, alignment=_CENTRE, font=_BOLD)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    _print_setup(ws, f"{printed.title}　{FINDINGS_SHEET}", 1)
    if not printed.findings:
        ws.cell(2, 1, "检查未发现问题。")
        _merge(ws, 2, 1, 1, len(_FINDING_COLUMNS))
        return
    layout = layout_for(printed.format)
    for row, finding in enumerate(printed.findings, start=2):
        named = []
        for key in finding.cells:
            where = addresses.get(key)
            words = cell_name(key, layout)
            named.append(f"{words}（{_address_text(where)}）" if where else words)
        place = finding.place or (f"第{finding.line}行" if finding.line else None)
        values = (_SEVERITY_WORD[finding.severity], finding.rule, "\n".join(named), place, finding.message)
        height = 1
        for col, value in enumerate(values, start=1):
            cell = styles.apply(ws.cell(row, col), border=_BORDER, alignment=_CENTRE if col == 1 else _TEXT)
            put(cell, value)
            height = max(height, _lines(value or "", _FINDING_COLUMNS[col - 1][1]))
        first = next((addresses[k] for k in finding.cells if k in addresses), None)
        if first is not None:
            link = ws.cell(row, 3)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=_address_text(first))
        if height > 1:
            ws.row_dimensions[row].height = _LINE_POINTS * height
    ws.auto_filter.ref = f"A1:{get_column_letter(len(_FINDING_COLUMNS))}{len(printed.findings) + 1}"
