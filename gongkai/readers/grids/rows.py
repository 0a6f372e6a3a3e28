"""What a grid row says: which table it begins, where its label ends, where its values go.

Every table's reader uses these: :func:`table_rows` assigns the rows of each grid to table
二, 三 or 四 and reads each row's labels once (:class:`RowLabels`, cached across reports, since
labels repeat while values do not: nothing cached on them depends on a value);
:func:`place_values` puts a data row's value cells under the header's columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from gongkai.model.labels import Label, core
from gongkai.model.layouts import (
    ACTIVE_HEADER,
    LAYOUT_2021,
    REQUEST_BALANCE_NOTE,
    REQUEST_GROUPS,
    REQUEST_HEADER,
    ROW_OTHER_SINGLE,
    Row,
)
from gongkai.readers.document import Grid, GridCell
from gongkai.readers.values import is_number_text, is_value_text


def _label_texts(row: list[GridCell]) -> tuple[str, ...]:
    """The texts of a row up to its first number: what says which row (and table) it is.

    Caches are keyed on this part, which repeats from report to report; the values don't.
    """
    texts = []
    for cell in row:
        text = cell.text
        if text and is_number_text(text):  # (a blank is no number: no need to ask the cache)
            break
        texts.append(text)
    return tuple(texts)


def table_of_texts(texts: tuple[str, ...]) -> str | None:
    """The table (active, requests, appeals) that a row of these texts begins, if any."""
    return _table_of_texts(texts)


@lru_cache(maxsize=16384)
def _table_of_texts(texts: tuple[str, ...]) -> str | None:
    cores = [core(t) for t in texts]
    joined = "".join(cores)
    if "第二十条" in joined or any(ACTIVE_HEADER.matches(c) for c in cores):
        return "active"
    if REQUEST_BALANCE_NOTE.matches(joined) or "申请人情况" in joined or "本年新收" in joined:
        return "requests"
    if "行政复议" in cores and ("行政诉讼" in cores or len([c for c in cores if c]) <= 2):
        return "appeals"
    if any("行政复议" in c and "行政诉讼" in c for c in cores):
        return "appeals"  # the header's words run together in one cell, as converters print it
    return None


@dataclass(frozen=True, slots=True)
class RowLabels:
    """What a row's label texts (:func:`_label_texts`) say: the same in every report, so cached."""

    texts: tuple[str, ...]
    table: str | None  # the table a row of them begins
    alone: RowShape  # their shape in a row that has no cell after them
    followed: RowShape  # their shape in a row with cells after them
    first_filled: int | None  # the index of the first text that says something (a core)
    named: bool  # a text is not a value (number, dash, blank): the row has a label

    def shape_in(self, row: list[GridCell]) -> RowShape:
        """The labels' shape in ``row``, a row of these labels (followed by cells or not)."""
        return self.followed if len(self.texts) < len(row) else self.alone


def row_labels(row: list[GridCell]) -> RowLabels:
    """What the row's labels say (see :class:`RowLabels`)."""
    return _row_labels(_label_texts(row))


@lru_cache(maxsize=16384)
def _row_labels(texts: tuple[str, ...]) -> RowLabels:
    return RowLabels(
        texts,
        _table_of_texts(texts),
        label_shape(texts, False),
        label_shape(texts, True),
        next((i for i, text in enumerate(texts) if core(text)), None),
        not all(is_value_text(text) for text in texts),
    )


@dataclass(slots=True)
class TableRows:
    """The rows of one grid that belong to one table, with what each row's labels say."""

    grid: Grid
    rows: list[list[GridCell]] = field(default_factory=list)
    labels: list[RowLabels] = field(default_factory=list)


def table_rows(grids: list[Grid]) -> dict[str, list[TableRows]]:
    """Rows of each grid, assigned to the table they belong to (a grid may hold several)."""
    out: dict[str, list[TableRows]] = {}
    current: TableRows | None = None
    for grid in grids:
        started: set[str] = set()
        for row in grid.rows:
            labels = _row_labels(_label_texts(row))  # once per row: the table readers use them too
            table = labels.table
            if table is not None and table not in started:
                started.add(table)  # a marker of a table already begun in this grid does not restart it
                current = TableRows(grid)
                out.setdefault(table, []).append(current)
            # Rows before any marker continue the table above: a running header or a page
            # number that is not a bare number splits one table into two grids.
            if current is not None:
                current.rows.append(row)
                current.labels.append(labels)
    return out


def split_tables(grids: list[Grid]) -> dict[str, list[tuple[Grid, list[list[GridCell]]]]]:
    """Rows of each grid, assigned to the table they belong to (a grid may hold several)."""
    return {table: [(p.grid, p.rows) for p in pieces] for table, pieces in table_rows(grids).items()}


def strip_blank_ends(cells: list[GridCell]) -> list[GridCell]:
    """The cells without the blank ones at either end (the padding of merged cells)."""
    start, stop = 0, len(cells)
    while start < stop and not cells[start].text.strip():
        start += 1
    while stop > start and not cells[stop - 1].text.strip():
        stop -= 1
    return cells[start:stop]


def place_values(
    row: list[GridCell],
    keys: Sequence[str],
    positions: Mapping[int, str] | None,
    start: int,
) -> tuple[list[GridCell | None], str | None]:
    """Assign a data row's value cells to column keys; say how when it needed a guess.

    Returns the cells in the order of ``keys`` (None for a column left without one). The
    header's column order decides: the cells after the row label, as many as there are
    columns (blank padding of merged cells trimmed). Only when the count does not fit are
    grid positions used, and failing those the cells are placed in order with a notice.
    A key named twice (see :func:`distinct_cells`) is in the result twice.
    """
    values = row[start:]
    if len(values) == len(keys):  # the usual row: no need to trim it
        return values, None
    trimmed = strip_blank_ends(values)
    if len(trimmed) == len(keys):
        return trimmed, None
    # Grid positions count only in a row as wide as the header: a shorter row has lost cells
    # (blanks dropped when the table was flattened to text) and its positions have shifted.
    if positions and len(row) > max(positions):
        placed: dict[str, GridCell | None] = dict.fromkeys(keys)
        for col, key in sorted(positions.items()):
            if col < len(row) and (placed.get(key) is None or not placed[key].text.strip()):
                placed[key] = row[col]
        if all(cell is None or is_value_text(cell.text) for cell in placed.values()):
            return [placed[key] for key in keys], None
    placed_in_order = [trimmed[i] if i < len(trimmed) else None for i in range(len(keys))]
    return placed_in_order, f"该行有{len(trimmed)}个数值，表头有{len(keys)}列，已按顺序对位，请核对"


def distinct_cells(
    keys: Sequence[str], cells: Sequence[GridCell | None]
) -> tuple[Sequence[str], Sequence[GridCell | None]]:
    """Keys and their cells with each key once: a header may name a column twice (Word's text
    export), and then its first place holds the last of its cells."""
    placed = dict(zip(keys, cells, strict=True))
    return list(placed), list(placed.values())


REQUEST_ROWS: tuple[Row, ...] = (*LAYOUT_2021.request_rows, ROW_OTHER_SINGLE)


@dataclass(frozen=True)
class RowShape:
    """What a row's texts say, independent of where the row sits (cached across reports)."""

    label_end: int
    label_positions: tuple[int, ...]  # indexes of the non-empty label cells
    cores: tuple[str, ...]
    group: Label | None  # the last group label among the cells
    is_header: bool
    has_values: bool
    balance_note: bool  # a cell is table 三's printed note (勾稽关系…)


def row_shape(row: list[GridCell]) -> RowShape:
    """What a row's labels say (see :class:`RowShape`)."""
    # Labels are the text cells before the first number; a word after it (「若干」) is a bad value.
    return row_labels(row).shape_in(row)


def is_request_label(label_core: str) -> bool:
    """A label of table 三 (a row, a group, a header label or the printed note)."""
    return _is_known_label(label_core)


def _is_known_label(label_core: str) -> bool:
    """A label of table 三: a row, a group, a header label or the printed note."""
    return (
        any(r.label.matches(label_core) for r in REQUEST_ROWS)
        or any(g.matches(label_core) for g in REQUEST_GROUPS)
        or any(n.label.matches(label_core) for n in REQUEST_HEADER.walk()[1:])
        or REQUEST_BALANCE_NOTE.matches(label_core)
    )


@lru_cache(maxsize=16384)
def label_shape(texts: tuple[str, ...], numbers_follow: bool) -> RowShape:
    """What a row's label texts say (:func:`row_shape`), ``numbers_follow`` when the row has
    cells after them."""
    end = 0
    for i, text in enumerate(texts):
        if not is_value_text(text):
            end = i + 1
    # A word among the values (「若干」 in a count cell) is a bad value, not part of the label:
    # the label ends at the last cell that names something of the table, when one does.
    known = [i for i in range(end) if not is_value_text(texts[i]) and _is_known_label(core(texts[i]))]
    if known:
        end = known[-1] + 1
    positions = tuple(i for i in range(end) if core(texts[i]))
    cores = tuple(core(texts[i]) for i in positions)
    group = None
    for c in cores:
        for g in REQUEST_GROUPS:
            if g.matches(c):
                group = g
    return RowShape(
        end,
        positions,
        cores,
        group,
        _is_request_header(cores),
        numbers_follow or any(t.strip() for t in texts[end:]),
        any(REQUEST_BALANCE_NOTE.matches(c) for c in cores),
    )


# Header labels that never name a data row (总计 and 其他 do both).
_REQUEST_HEADER_ONLY = [n.label for n in REQUEST_HEADER.walk()[1:] if n.key not in ("total", "other_org")]


def _is_request_header(cores: list[str]) -> bool:
    return any(
        REQUEST_BALANCE_NOTE.matches(c) or any(lb.matches(c) for lb in _REQUEST_HEADER_ONLY) for c in cores
    )
