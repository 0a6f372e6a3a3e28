"""Writing values into openpyxl cells safely: every XLSX export goes through :func:`put`.

Text is cleaned of characters XML cannot hold and, when it begins like a formula (``=`` ``+``
``-`` ``@``, a tab or a carriage return), stored as a string cell with Excel's quote prefix, so
it is never a live formula in the file nor becomes one when the cell is edited (issue 14).
Numbers stay numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from gongkai.model.cleantext import looks_like_formula, sheet_value

__all__ = ["append_row", "put"]


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
