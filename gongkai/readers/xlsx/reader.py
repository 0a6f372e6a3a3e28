"""XLSX → :class:`~gongkai.readers.document.Document`: a report laid out in a workbook.

Two shapes are met: the whole report (title, section headings and paragraphs as one-cell rows,
the three tables with merged cells, on one sheet or a sheet per table), and a supervisor's
spreadsheet of one report (only the tables, often one per sheet, the organ and year in a first
row, in the sheet name, or nowhere).

**Blocks.** Blank rows and sheet boundaries separate blocks. A row whose only non-empty cell is
text is a paragraph, unless it belongs to the table it touches: a table-二 caption
(「第二十条第（一）项」) or a table row whose values are all blank reads with its table. Such a
row stays a paragraph when it reads as running text: a section heading, a title (it names a
year), a sentence (。；！？), a note (单位、注、说明…) or a long line. Rows tied together by a merge
spanning rows stay together. Table rows make a positional grid, merges expanded as the HTML
reader does: the top-left cell carries the text, covered positions are empty cells. A line break
inside a cell (Alt+Enter) is dropped in a table (「商业」「企业」 is one label) and splits
paragraphs in running text. Hidden sheets are skipped (a notice says so), and so is a sheet named
「检查结果」 (``FINDINGS_SHEET``): the findings gongkai's XLSX writer lists beside the report, not
part of it.

**Provenance.** ``line`` (of a GridCell or a Paragraph) is the row's number counted through the
workbook: the first visible sheet's rows are 1, 2, …; each further sheet continues after the last
used row of the sheet before it. ``Document.places`` says it in words (「工作表「表三」第5行」),
and notices name the sheet and the cell.

**Values.** Cached values are read (a formula's result as last saved); a formula saved without a
result is left blank and named in a READ-FORMULA notice, never read as 0. A number prints as a
spreadsheet shows it: 12.0 → 「12」, at most 15 significant digits (never 「1.5000000001」). The
cell's number format is applied where it changes what the number says: a percentage, a unit the
format prints (「0.00"万元"」), a scaling (a trailing 「,」 for thousands; 「0!.0000"万元"」 shows 元
as 万元). It is not applied where it would only hide what was typed: decimal places are not
rounded, and the negative and zero sections are not used (an accounting format prints 0 as 「-」
and may drop the minus sign). Dates and booleans are text (:mod:`.numbers`).

**Safety.** The package is checked before openpyxl inflates anything (:mod:`.package`: a zip
bomb, an entity bomb), and merges are read from the sheet XML there. openpyxl reads in read-only
mode (streamed; merges not materialised, which in normal mode take most of a small report's
time), within a cap of cell positions walked (a sheet of absurd size) and of cells per table.

**Rooms.** This module reads rows into blocks and walks the workbook; ``package`` makes the
package safe and reads the sheet XML; ``numbers`` turns a cell's value into the text a
spreadsheet shows.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils.cell import get_column_letter

from gongkai.model.sections import FINDINGS_SHEET
from gongkai.readers.bounds import ZIP_DAMAGE, damage
from gongkai.readers.document import Document, DocumentNotice, Grid, GridCell, Paragraph, UnreadableDocument
from gongkai.readers.sections import match_heading
from gongkai.readers.xlsx.numbers import cell_text, one_line
from gongkai.readers.xlsx.package import (
    DAMAGED,
    FORMULA_RE,
    as_utf8,
    check_package,
    damage_name,
    open_workbook,
    sheet_merges,
    sheet_parts,
    uncomputed_formulas,
)

MAX_SHEETS = 200
# Cell positions walked in a workbook (openpyxl pads each row up to its last cell): a report uses
# a few thousand; a stray cell at column XFD of a million rows is refused long before it stalls.
MAX_POSITIONS = 2_000_000
MAX_GRID_CELLS = 20_000  # one table, as in the text reader: the three tables hold about 1,000
_NOTICE_CELLS = 5  # cells named in one notice before 「等」


# --- rows → blocks ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Cell:
    text: str  # line breaks kept
    value: bool  # a number or a dash: a table value, never running text


@dataclass
class _Sheet:
    """What the reader keeps of a sheet: its non-empty cells and its merged areas."""

    title: str
    cells: dict[int, dict[int, _Cell]] = field(default_factory=dict)  # row → column → cell
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def last_row(self) -> int:
        """The last row holding a cell or a merged area."""
        return max([*self.cells, *(m[2] for m in self.merges), 0])


_YEAR_RE = re.compile(r"(?<!\d)20\d{2}\s*年")
_NOTE_RE = re.compile(r"^(?:注|备注|说明|单位|填报|填表|制表|审核|联系)")
_LONG_TEXT_CHARS = 80  # the longest table label (a 2021 table-三 row) has under 40


def _reads_as_text(text: str) -> bool:
    """Whether a lone text cell is running text rather than a table's caption or label.

    >>> [_reads_as_text(t) for t in ("二、主动公开政府信息情况", "某某局2024年度政府信息公开工作年度报告")]
    [True, True]
    >>> [_reads_as_text(t) for t in ("第二十条第（一）项", "四、结转下年度继续办理", "单位：件")]
    [False, False, True]
    """
    return bool(
        match_heading(text)
        or _YEAR_RE.search(text)
        or any(mark in text for mark in "。；！？")
        or _NOTE_RE.match(text)
        or len(text) > _LONG_TEXT_CHARS
    )


def _units(rows: list[int], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Row ranges that belong together: single rows, joined where a merge spans rows."""
    units: list[tuple[int, int]] = []
    for start, end in sorted([(r, r) for r in rows] + spans):
        if units and start <= units[-1][1]:
            units[-1] = (units[-1][0], max(units[-1][1], end))
        else:
            units.append((start, end))
    return units


def _kinds(sheet: _Sheet, units: list[tuple[int, int]], rows: list[int]) -> list[str]:
    """Each unit's kind: ``table``, ``text`` or ``gap`` (an empty merged area)."""
    kinds = []
    for start, end in units:
        found = [
            cell
            for r in rows[bisect_left(rows, start) : bisect_right(rows, end)]
            for cell in sheet.cells[r].values()
        ]
        if not found:
            kinds.append("gap")
        elif len(found) > 1 or found[0].value:
            kinds.append("table")
        else:
            kinds.append("text" if _reads_as_text(" ".join(found[0].text.split())) else "unsure")
    # A lone label touching a table (a caption, a row of blank values) belongs to it: spread
    # downwards, then upwards, through runs of such rows.
    for i in range(1, len(units)):
        if kinds[i] == "unsure" and kinds[i - 1] == "table" and units[i][0] == units[i - 1][1] + 1:
            kinds[i] = "table"
    for i in range(len(units) - 2, -1, -1):
        if kinds[i] == "unsure" and kinds[i + 1] == "table" and units[i + 1][0] == units[i][1] + 1:
            kinds[i] = "table"
    return ["text" if kind == "unsure" else kind for kind in kinds]


def _sheet_blocks(sheet: _Sheet, offset: int) -> list[Paragraph | Grid]:
    """A sheet's paragraphs and grids in row order; ``offset`` is added to row numbers."""
    rows = sorted(sheet.cells)
    units = _units(rows, [(m[0], m[2]) for m in sheet.merges if m[2] > m[0]])
    kinds = _kinds(sheet, units, rows)
    blocks: list[Paragraph | Grid] = []
    i = 0
    while i < len(units):
        start, end = units[i]
        if kinds[i] == "text":
            r = rows[bisect_left(rows, start)]
            text = next(iter(sheet.cells[r].values())).text
            blocks += [Paragraph(" ".join(p.split()), offset + r) for p in text.split("\n") if p.strip()]
        elif kinds[i] == "table":
            while i + 1 < len(units) and kinds[i + 1] == "table" and units[i + 1][0] == end + 1:
                i += 1
                end = units[i][1]
            blocks.append(_grid(sheet, start, end, offset))
        i += 1
    return blocks


def _grid(sheet: _Sheet, first: int, last: int, offset: int) -> Grid:
    """Rows ``first``–``last`` as a positional grid, merges expanded as the HTML reader does."""
    anchors = {(m[0], m[1]): m for m in sheet.merges if first <= m[0] <= last}
    columns = [c for r in range(first, last + 1) for c in sheet.cells.get(r, ())]
    columns += [c for m in anchors.values() for c in (m[1], m[3])]
    left, right = min(columns), max(columns)
    height, width = last - first + 1, right - left + 1
    if height * width > MAX_GRID_CELLS:
        raise UnreadableDocument(
            f"工作表「{sheet.title}」第{first}行起的表格有{height}行×{width}列，"
            f"超过{MAX_GRID_CELLS}个单元格，不是年度报告的统计表"
        )
    covered: set[tuple[int, int]] = set()
    for top, lft, bottom, rgt in anchors.values():
        covered.update((r, c) for r in range(top, min(bottom, last) + 1) for c in range(lft, rgt + 1))
    grid = Grid(positional=True)
    for r in range(first, last + 1):
        line = offset + r
        cells = sheet.cells.get(r, {})
        row: list[GridCell] = []
        c = left
        while c <= right:
            merge = anchors.get((r, c))
            cell = cells.get(c)
            if merge is not None:
                colspan, rowspan = merge[3] - c + 1, min(merge[2], last) - r + 1
                text = one_line(cell.text) if cell else ""
                row += [GridCell(text if k == 0 else "", line, colspan, rowspan) for k in range(colspan)]
                c += colspan
                continue
            # A position under a merge is empty, whatever a careless writer left in it.
            text = one_line(cell.text) if cell and (r, c) not in covered else ""
            row.append(GridCell(text, line))
            c += 1
        grid.rows.append(row)
    return grid


# --- the workbook ----------------------------------------------------------------------------


class _Budget:
    """Cell positions left to walk in the workbook (see ``MAX_POSITIONS``)."""

    def __init__(self) -> None:
        self.left = MAX_POSITIONS

    def spend(self, positions: int, title: str, row: int) -> None:
        self.left -= positions
        if self.left < 0:
            raise UnreadableDocument(
                f"工作表「{title}」过大（到第{row}行已超过{MAX_POSITIONS}个单元格位置），不是一份年度报告"
            )


def _rows(ws: Any, title: str) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows as openpyxl streams them; a damaged sheet raises one clear message."""
    ws.reset_dimensions()  # a stored dimension may lie; rows are padded only to their last cell
    rows = iter(ws.iter_rows())
    while True:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. a date outside Excel's range, read as an error
            try:
                row = next(rows)
            except StopIteration:
                return
            except DAMAGED as exc:
                raise UnreadableDocument(f"工作表「{title}」已损坏，无法读取（{damage_name(exc)}）") from None
        yield row


def _read_sheet(ws: Any, xml: bytes, budget: _Budget) -> _Sheet:
    """A visible sheet's non-empty cells (as text) and merged areas."""
    sheet = _Sheet(ws.title, merges=sheet_merges(xml, ws.title))
    # openpyxl yields every row from the first, an empty tuple for a row the XML leaves out.
    for number, row in enumerate(_rows(ws, ws.title), start=1):
        budget.spend(max(1, len(row)), ws.title, number)
        for cell in row:
            if cell.value is None:
                continue
            text, value = cell_text(cell)
            if text:
                sheet.cells.setdefault(cell.row, {})[cell.column] = _Cell(text, value)
    return sheet


def _formula_notice(title: str, cells: list[tuple[int, int]], offset: int) -> DocumentNotice:
    names = [f"{get_column_letter(c)}{r}" for r, c in cells[:_NOTICE_CELLS]]
    more = f"等{len(cells)}个单元格" if len(cells) > _NOTICE_CELLS else ""
    return DocumentNotice(
        "READ-FORMULA",
        f"工作表「{title}」的{'、'.join(names)}{more}是公式，但文件没有保存计算结果，已按空白读取；"
        "请在 Excel 或 WPS 中打开、重新计算并保存后再检查",
        offset + cells[0][0],
        info=False,
    )


def _names_organ_and_year(title: str) -> bool:
    """A sheet name that reads as a report's title: 「某某县民政局2024年度」, 「2024年」."""
    match = _YEAR_RE.search(title)
    if not match:
        return False
    rest = title[match.end() :].lstrip("度").strip()
    return bool(title[: match.start()].strip()) or not rest


def xlsx_to_document(data: bytes, name: str = "<xlsx>") -> Document:
    """Paragraphs and table grids of a workbook's visible sheets, in sheet and row order.

    Raises :class:`UnreadableDocument` with one message for a damaged, hostile or absurdly large
    workbook (see the module docstring for the limits).
    """
    doc = Document(name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_DAMAGE:
        raise UnreadableDocument("XLSX 文件已损坏或被截断，无法打开") from None
    with archive:
        try:
            check_package(archive)
            parts = sheet_parts(archive)
        except DAMAGED as exc:
            raise UnreadableDocument(f"XLSX 文件已损坏，无法读取（{damage_name(exc)}）") from None
        _check_sheet_count(len(parts))  # before openpyxl opens every sheet
        workbook = open_workbook(data, archive, parts)
        try:
            _check_sheet_count(len(workbook.worksheets))
            _read_workbook(workbook, archive, parts, doc)
        finally:
            workbook.close()
    return doc


def _check_sheet_count(count: int) -> None:
    if count > MAX_SHEETS:
        raise UnreadableDocument(f"工作簿有{count}张工作表，超过{MAX_SHEETS}张，不是一份年度报告")


def _read_part(archive: zipfile.ZipFile, path: str | None) -> bytes:
    """A sheet's XML (already checked for a DTD), or nothing when the workbook names no such part."""
    if path is None:
        return b""
    try:
        return as_utf8(archive.read(path))
    except KeyError:
        return b""  # openpyxl skips a sheet whose part is missing too
    except DAMAGED as exc:
        raise UnreadableDocument(f"XLSX 中的 {path} 已损坏，无法读取（{damage(exc)}）") from None


def _read_workbook(workbook: Any, archive: zipfile.ZipFile, parts: dict[str, str], doc: Document) -> None:
    """Each visible sheet's blocks, notices and places, rows numbered through the workbook."""
    budget = _Budget()
    offset = 0
    titled: list[tuple[str, int]] = []  # sheet names that could stand for a title, with their line
    for ws in workbook.worksheets:
        if ws.sheet_state != "visible":
            doc.notices.append(DocumentNotice("READ-SHEET", f"已跳过隐藏的工作表「{ws.title}」"))
            continue
        if ws.title == FINDINGS_SHEET:
            continue
        xml = _read_part(archive, parts.get(ws.title))
        sheet = _read_sheet(ws, xml, budget)
        if FORMULA_RE.search(xml):
            uncomputed = uncomputed_formulas(xml)
            if uncomputed:
                doc.notices.append(_formula_notice(ws.title, uncomputed, offset))
                doc.places[offset + uncomputed[0][0]] = f"工作表「{ws.title}」第{uncomputed[0][0]}行"
        if _names_organ_and_year(ws.title):
            titled.append((ws.title, offset + 1))
        blocks = _sheet_blocks(sheet, offset)
        for block in blocks:
            lines = [row[0].line for row in block.rows if row] if isinstance(block, Grid) else [block.line]
            doc.places.update((line, f"工作表「{ws.title}」第{line - offset}行") for line in lines)
        doc.blocks += blocks
        offset += sheet.last_row
    # A supervisor's spreadsheet often says whose report it is only in a sheet's name.
    if titled and not any(_YEAR_RE.search(p.text) for p in doc.paragraphs):
        title, line = titled[0]
        doc.blocks.insert(0, Paragraph(title, line))
        doc.places.setdefault(line, f"工作表「{title}」的名称")
        doc.notices.append(
            DocumentNotice(
                "READ-SHEET-NAME", f"表格前没有写明机关和年度的标题，已按工作表名「{title}」读取", line
            )
        )
