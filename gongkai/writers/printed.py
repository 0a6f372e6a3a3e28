"""A report as it is printed: the title, the six sections and tables 二, 三, 四 as merged grids.

Every writer renders this one model (HTML, Markdown, DOCX and through it PDF, XLSX), so the
official layout is worked out once, here, from the layout data of :mod:`gongkai.model.layouts`
(blocks, rows, groups, header trees) and the headings of :mod:`gongkai.model.sections`. Nothing
here knows a file format.

A table is a grid of ``height`` × ``width`` positions; each :class:`PrintedCell` sits at its
top-left position and covers ``rowspan`` × ``colspan`` of them, as in HTML. The official layouts:

* 表二: four columns. Each block of 第二十条 is a caption row, a header row (「信息内容」 and
  the block's columns, the last one widened to fill the row) and its data rows.
* 表三: three label columns and seven value columns. The 勾稽 note covers the three header rows
  of the label columns; 「三、本年度办理结果」 and each group heading (「（三）不予公开」…) are merged
  down the rows they head.
* 表四: three header rows (行政复议 | 行政诉讼 → 未经复议直接起诉, 复议后起诉 → five leaves each)
  and one data row of fifteen values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from gongkai.model.layouts import (
    ACTIVE_HEADER,
    APPEAL_COLUMNS,
    APPEAL_HEADER,
    G_RESULTS,
    REQUEST_BALANCE_NOTE,
    REQUEST_COLUMNS,
    REQUEST_HEADER,
    ROW_OTHER_SINGLE,
    Block,
    CellKind,
    Format,
    HeaderNode,
    Layout,
    Row,
    layout_for,
)
from gongkai.model.numbers import plain
from gongkai.model.report import Finding, Report2019, Report2021, report_cells, report_from_json
from gongkai.model.sections import SECTION_HEADINGS, official_heading, report_title

Report = Report2021 | Report2019

# Header text of a table-二 column whose official label does not print the unit the value is
# in (format-and-law.md §3.2: 「a generator must print the unit it means」).
_ACTIVE_HEADER_TEXT = {"procurement.amount": "采购总金额（单位：元）"}
# Which section each table belongs to.
_TABLE_OF_SECTION = {"active": 2, "requests": 3, "appeals": 4}


class Role(StrEnum):
    """What a printed cell is, which decides how it is drawn (and HTML's ``th``/``td``)."""

    CAPTION = "caption"  # 「第二十条第（一）项」 over a block of table 二
    HEADER = "header"  # a column header (「信息内容」, 「自然人」, 「行政复议」…), or the 勾稽 note
    LABEL = "label"  # a row label (「规章」, 「（一）予以公开」, the group 「（三）不予公开」)
    VALUE = "value"  # a number (or a blank for a value not stated)


@dataclass(frozen=True, slots=True)
class PrintedCell:
    """One cell of a printed table, at its top-left position."""

    text: str
    row: int
    col: int
    role: Role
    rowspan: int = 1
    colspan: int = 1
    key: str | None = None  # a value cell's full dotted key (``requests.new.total``)
    value: int | float | None = None  # a value cell's number; None when not stated
    kind: CellKind | None = None  # a value cell's kind (count, signed, money)


@dataclass(frozen=True)
class PrintedTable:
    """Table 二, 三 or 四 as printed."""

    number: int  # 2, 3 or 4
    width: int  # columns
    height: int  # rows
    header_rows: int  # rows at the top that head the columns (repeated on a new page)
    label_columns: int  # columns on the left that hold row labels
    # Relative column widths, in millimetres of a 156 mm type area (GB/T 9704 A4).
    widths: tuple[float, ...]
    cells: tuple[PrintedCell, ...]  # row by row, left to right

    def rows(self) -> list[list[PrintedCell]]:
        """The cells that start in each row (a merged cell appears once, in its first row)."""
        out: list[list[PrintedCell]] = [[] for _ in range(self.height)]
        for cell in self.cells:
            out[cell.row].append(cell)
        return out

    def grid(self) -> list[list[PrintedCell | None]]:
        """Every position: the cell that starts there, or None where a merged cell covers it."""
        out: list[list[PrintedCell | None]] = [[None] * self.width for _ in range(self.height)]
        for cell in self.cells:
            out[cell.row][cell.col] = cell
        return out

    def value_cells(self) -> Iterator[PrintedCell]:
        """The cells that hold values, in reading order."""
        return (c for c in self.cells if c.role is Role.VALUE)


@dataclass(frozen=True)
class PrintedSection:
    """One of the six sections: its heading, its text (paragraphs) and its table, if any."""

    key: str  # overview, active, requests, appeals, problems, other
    heading: str  # 「二、主动公开政府信息情况」
    paragraphs: tuple[str, ...]
    table: PrintedTable | None = None


@dataclass(frozen=True)
class PrintedReport:
    """A whole report as printed."""

    title: str
    agency: str | None
    year: int | None
    format: Format
    sections: tuple[PrintedSection, ...]
    findings: tuple[Finding, ...] = field(default=())

    @property
    def tables(self) -> list[PrintedTable]:
        """Tables 二, 三 and 四, in order."""
        return [s.table for s in self.sections if s.table is not None]


# --- values --------------------------------------------------------------------------------


def format_value(value: Any, kind: CellKind | None = None) -> str:
    """A value's printed text: blank when not stated, digits for counts, a plain decimal for
    money, an explicit sign for a 2019 本年增/减 above zero.

    >>> [format_value(v) for v in (None, 0, -7, 12, 0.35, 3.0, 100.5, 1234567)]
    ['', '0', '-7', '12', '0.35', '3', '100.5', '1234567']
    >>> format_value(12, CellKind.SIGNED), format_value(0, CellKind.SIGNED)
    ('+12', '0')
    >>> from decimal import Decimal
    >>> format_value(Decimal("99.000000")), format_value(Decimal("4166.241619"))
    ('99', '4166.241619')
    """
    if value is None:
        return ""
    if isinstance(value, bool):  # never a cell value; True would print as 1
        raise TypeError(f"not a cell value: {value!r}")
    text = plain(value)  # 0.4, not 0.39999…; 99, not 99.0 (issue 13)
    if kind is CellKind.SIGNED and value > 0:
        text = "+" + text
    return text


# --- building --------------------------------------------------------------------------------


class _Grid:
    """Cells placed one by one; positions covered by a merged cell are skipped."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.cells: list[PrintedCell] = []
        self.taken: set[tuple[int, int]] = set()
        self.row = -1
        self.col = 0

    def new_row(self) -> None:
        self.row += 1
        self.col = 0

    def add(self, text: str, role: Role, rowspan: int = 1, colspan: int = 1, **value: Any) -> None:
        while (self.row, self.col) in self.taken:
            self.col += 1
        if self.col + colspan > self.width:
            raise ValueError(f"row {self.row} overflows {self.width} columns at 「{text}」")
        self.cells.append(PrintedCell(text, self.row, self.col, role, rowspan, colspan, **value))
        for r in range(self.row, self.row + rowspan):
            for c in range(self.col, self.col + colspan):
                self.taken.add((r, c))
        self.col += colspan

    def table(
        self, number: int, header_rows: int, label_columns: int, widths: tuple[float, ...]
    ) -> PrintedTable:
        assert len(widths) == self.width
        return PrintedTable(
            number, self.width, self.row + 1, header_rows, label_columns, widths, tuple(self.cells)
        )


def _value(grid: _Grid, cells: Mapping[str, Any], key: str, kind: CellKind, colspan: int = 1) -> None:
    value = cells.get(key)
    grid.add(format_value(value, kind), Role.VALUE, colspan=colspan, key=key, value=value, kind=kind)


def active_table(layout: Layout, cells: Mapping[str, Any]) -> PrintedTable:
    """Table 二: a caption, a header and the data rows for each block of 第二十条."""
    width = 1 + max(len(b.columns) for b in layout.active_blocks)
    grid = _Grid(width)
    for block in layout.active_blocks:
        grid.new_row()
        grid.add(block.caption, Role.CAPTION, colspan=width)
        grid.new_row()
        grid.add(ACTIVE_HEADER.official, Role.HEADER)
        for i, column in enumerate(block.columns):
            grid.add(_active_header(block, column.key), Role.HEADER, colspan=_stretch(block, i, width))
        for row in block.rows:
            grid.new_row()
            grid.add(row.label.official, Role.LABEL)
            for i, column in enumerate(block.columns):
                key = f"active.{row.key}.{column.key}"
                _value(grid, cells, key, column.kind, colspan=_stretch(block, i, width))
    return grid.table(2, 0, 1, (48.0,) + (108.0 / (width - 1),) * (width - 1))


def _active_header(block: Block, column_key: str) -> str:
    for row in block.rows:
        special = _ACTIVE_HEADER_TEXT.get(f"{row.key}.{column_key}")
        if special:
            return special
    return next(c.label.official for c in block.columns if c.key == column_key)


def _stretch(block: Block, index: int, width: int) -> int:
    """The last column of a narrower block fills the rest of the row."""
    return 1 + (width - 1 - len(block.columns) if index == len(block.columns) - 1 else 0)


def _header_depth(node: HeaderNode) -> int:
    return 1 + max((_header_depth(c) for c in node.children), default=0)


def _header_rows(grid: _Grid, root: HeaderNode, top_left: tuple[str, int] | None) -> int:
    """The header tree printed as rows: groups span their leaves, shallow leaves reach down."""
    depth = _header_depth(root) - 1  # the root is not printed
    levels: list[list[HeaderNode]] = [list(root.children)]
    for level in range(depth):
        grid.new_row()
        if level == 0 and top_left is not None:
            text, columns = top_left
            grid.add(text, Role.HEADER, rowspan=depth, colspan=columns)
        below: list[HeaderNode] = []
        for node in levels[level]:
            leaves = sum(1 for n in node.walk() if not n.children)
            if node.children:
                grid.add(node.label.official, Role.HEADER, colspan=leaves)
                below.extend(node.children)
            else:
                grid.add(node.label.official, Role.HEADER, rowspan=depth - level)
        levels.append(below)
    return depth


def request_rows(layout: Layout, cells: Mapping[str, Any]) -> list[Row]:
    """Table 三's data rows: the layout's, with the single 「（六）其他处理」 row of a 2019-style
    report kept where the report has it (report-json.md keeps it in a 2021 report too)."""
    single_other = "requests.other.natural" in cells
    rows: list[Row] = []
    for row in layout.request_rows:
        if single_other and row.key.startswith("other."):
            if ROW_OTHER_SINGLE not in rows:
                rows.append(ROW_OTHER_SINGLE)
            continue
        rows.append(row)
    return rows


def requests_table(layout: Layout, cells: Mapping[str, Any]) -> PrintedTable:
    """Table 三: the 勾稽 note and the applicant header, then one row per outcome."""
    grid = _Grid(3 + len(REQUEST_COLUMNS))
    header = _header_rows(grid, REQUEST_HEADER, (REQUEST_BALANCE_NOTE.official, 3))
    rows = request_rows(layout, cells)
    results = [r for r in rows if r.group is not None or r.key == "total"]  # under 三、本年度办理结果
    previous_group = None
    for row in rows:
        grid.new_row()
        if row.key == results[0].key:
            grid.add(G_RESULTS.official, Role.LABEL, rowspan=len(results))
        if (
            row.group is None or row.group is G_RESULTS
        ):  # 一、二、四 across three, （一）（二）（七） across two
            grid.add(row.label.official, Role.LABEL, colspan=3 if row not in results else 2)
        else:
            if row.group is not previous_group:
                size = sum(1 for r in rows if r.group is row.group)
                grid.add(row.group.official, Role.LABEL, rowspan=size)
            grid.add(row.label.official, Role.LABEL)
        previous_group = row.group
        for column in REQUEST_COLUMNS:
            _value(grid, cells, f"requests.{row.key}.{column.key}", column.kind)
    return grid.table(3, header, 3, (12.0, 20.0, 54.0) + (10.0,) * len(REQUEST_COLUMNS))


def appeals_table(layout: Layout, cells: Mapping[str, Any]) -> PrintedTable:
    """Table 四: the grouped header and one row of fifteen values."""
    leaves = [n for n in APPEAL_HEADER.walk() if not n.children]
    grid = _Grid(len(leaves))
    header = _header_rows(grid, APPEAL_HEADER, None)
    grid.new_row()
    kinds = {f"{g}.{c.key}": c.kind for g, _ in layout.appeal_groups for c in APPEAL_COLUMNS}
    for leaf in leaves:
        assert leaf.key is not None
        _value(grid, cells, f"appeals.{leaf.key}", kinds[leaf.key])
    return grid.table(4, header, 0, (156.0 / len(leaves),) * len(leaves))


def printed_report(
    report: Report | Mapping[str, Any], findings: tuple[Finding, ...] | list[Finding] = ()
) -> PrintedReport:
    """The report as printed: title, six sections with their text, tables in the official layout.

    A section whose text is missing prints its heading alone (the writers show it empty, for the
    officer to fill in); the findings, when given, are carried for the writers that list them.
    """
    if isinstance(report, Mapping):
        report = report_from_json(report)
    layout = layout_for(report.format)
    cells = report_cells(report)
    tables = {
        2: active_table(layout, cells),
        3: requests_table(layout, cells),
        4: appeals_table(layout, cells),
    }
    texts = report.sections.model_dump() if report.sections is not None else {}
    sections = []
    for key, _, _, _ in SECTION_HEADINGS:
        text = texts.get(key) or ""
        paragraphs = tuple(p.strip() for p in text.split("\n") if p.strip())
        table = tables.get(_TABLE_OF_SECTION.get(key, 0))
        sections.append(PrintedSection(key, official_heading(key), paragraphs, table))
    return PrintedReport(
        report_title(report.agency, report.year),
        report.agency,
        report.year,
        Format(report.format),
        tuple(sections),
        tuple(findings),
    )
