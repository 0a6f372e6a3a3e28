"""Writing values into openpyxl cells safely: every XLSX export goes through :func:`put`.

Text is cleaned of characters XML cannot hold and, when it begins like a formula (``=`` ``+``
``-`` ``@``, a tab or a carriage return), stored as a string cell with Excel's quote prefix, so
it is never a live formula in the file nor becomes one when the cell is edited (issue 14).
Numbers stay numbers. A large table is written to a write-only workbook a row at a time
(:class:`StreamedTable`), going on in a new sheet when one is full.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from gongkai.model.cleantext import looks_like_formula, sheet_value

__all__ = ["SHEET_MAX_ROWS", "StreamedTable", "append_row", "put"]

SHEET_MAX_ROWS = 1_048_576  # Excel's limit a sheet


def put(cell: Cell, value: Any) -> Cell:
    """Set the cell's value safely (after its style: a shared style would drop the quote prefix)."""
    value = sheet_value(value)
    cell.value = value
    if isinstance(value, str) and looks_like_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def append_row(ws: Worksheet, values: Iterable[Any]) -> int:
    """Append a row below the sheet's last, each value through :func:`put`; returns its number.

    The cells are made first and appended whole: asking the sheet for its last row afterwards
    (``max_row``) looks at every cell, which made a sheet of n rows take n² steps (a coverage
    export of 20,000 organs took minutes)."""
    cells = [put(Cell(ws), value) for value in values]
    ws.append(cells)
    return cells[0].row if cells else ws.max_row


class StreamedTable:
    """A table written to a write-only workbook (``Workbook(write_only=True)``: each sheet streams to
    a temporary file, only the distinct strings stay in memory): a header, then rows, going on in a
    new sheet (「title2」…) when one holds ``max_rows``. Values go in as :func:`put` puts them."""

    def __init__(
        self, workbook: Workbook, title: str, columns: Iterable[str], max_rows: int | None = None
    ) -> None:
        self.workbook, self.title, self.columns = workbook, title, tuple(columns)
        self.max_rows = max_rows or SHEET_MAX_ROWS
        self.sheets = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.sheets += 1
        self.sheet = self.workbook.create_sheet(
            self.title if self.sheets == 1 else f"{self.title}{self.sheets}"
        )
        self.sheet.freeze_panes = "A2"
        self.sheet.append([self._cell(value) for value in self.columns])
        self.rows = 1

    def append(self, row: Iterable[Any]) -> None:
        """Write a row below the last (in a new sheet when this one is full)."""
        if self.rows >= self.max_rows:
            self._new_sheet()
        self.sheet.append([self._cell(value) for value in row])
        self.rows += 1

    def _cell(self, value: Any) -> Any:
        value = sheet_value(value)
        if isinstance(value, str) and looks_like_formula(value):
            # openpyxl takes any string starting with "=" for a formula: a cell that says it is text
            return put(WriteOnlyCell(self.sheet), value)
        return value
