"""The one table reader: any grid → cells of tables 二, 三 and 四, by row label and header.

Every reader (text, HTML, DOCX, XLSX, PDF, OFD, OCR) hands its grids to :func:`read_tables`.
Rows are matched by their labels, columns by their headers; values are placed by the
header's column order, and only fall back to grid positions when a row's cell count
leaves no other way. Labels of both layouts are accepted here: deciding the layout is
the assembler's job, from the fingerprints collected on the way.

- ``rows``: which table a row begins (:func:`~gongkai.readers.grids.rows.table_rows`),
  what its labels say, where its values go;
- ``columns``: a header → the value columns it names (tables 三 and 四);
- ``cells``: a value stored on the layout, with the notices it calls for;
- ``active``, ``requests``, ``appeals``: tables 二, 三 and 四.

What it returns (:class:`~gongkai.readers.tables.TableReading`) is defined in
:mod:`gongkai.readers.tables`.
"""

from __future__ import annotations

from gongkai.readers.document import Grid
from gongkai.readers.grids.active import read_active
from gongkai.readers.grids.appeals import headless_appeals, read_appeals, read_headless_appeals
from gongkai.readers.grids.columns import COLUMN_NAMES
from gongkai.readers.grids.loose import table_grids
from gongkai.readers.grids.requests import read_requests
from gongkai.readers.grids.rows import split_tables, table_rows
from gongkai.readers.placement import ShortRow, resolve
from gongkai.readers.tables import TableReading
from gongkai.readers.values import read_value


def read_tables(grids: list[Grid], headless: Grid | None = None) -> TableReading:
    """Place the cells of every grid on the layout (both layouts' labels accepted).

    ``headless`` is a grid of table 四 without its header (:func:`headless_appeals` finds it in
    a document); its values are placed by position when no other grid is table 四.
    """
    reading = TableReading()
    tables = table_rows(grids)
    for table, pieces in tables.items():
        reading.evidence.tables.add(table)
        for piece in pieces:
            if table == "active":
                read_active(piece.grid, piece.rows, reading, piece.labels)
            elif table == "requests":
                read_requests(piece.grid, piece.rows, reading, piece.labels)
            else:
                read_appeals(piece.grid, piece.rows, reading, piece.labels)
    if headless is not None and "appeals" not in tables and any(g is headless for g in grids):
        read_headless_appeals(headless, reading)
    if reading.short_rows:
        _place_short_rows(reading)
    return reading


def _place_short_rows(reading: TableReading) -> None:
    """Rows that lost their blank cells go where table 三's identities say (placement.py)."""
    shorts = [
        ShortRow(row.key, tuple(keys), tuple(read_value(c.text).value for c in given))
        for row, keys, given, _ in reading.short_rows
    ]
    for key in [k for k in reading.cells if any(k.startswith(f"requests.{s.row}.") for s in shorts)]:
        del reading.cells[key], reading.lines[key]
    cells = {k: v.value for k, v in reading.cells.items() if k.startswith("requests.")}
    decided = resolve(shorts, cells, lambda c: COLUMN_NAMES.get(c, c))
    for (short, placement, message), (row, _, given, notice) in zip(decided, reading.short_rows, strict=True):
        keys = [f"requests.{short.row}.{c}" for c in placement.columns]
        for key, cell in zip(keys, given, strict=True):
            reading.cells[key] = read_value(cell.text)
            reading.lines[key] = cell.line
        notice.message = f"表三「{row.label.official}」行：{message}"
        notice.cells = keys


__all__ = ["headless_appeals", "read_tables", "split_tables", "table_grids"]
