"""Table 三 (依申请公开): rows by label within their group, columns by the two-level header."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from gongkai.model.labels import Label, core
from gongkai.model.layouts import (
    G_OTHER,
    REQUEST_COLUMNS,
    REQUEST_GROUPS,
    REQUEST_HEADER,
    ROW_OTHER_SINGLE,
    Row,
)
from gongkai.readers.document import Grid, GridCell
from gongkai.readers.grids.apart import (
    BLANK,
    GROUP,
    LABEL,
    OTHER,
    PIECE,
    VALUES,
    Relabel,
    RowKind,
    pair_apart_rows,
)
from gongkai.readers.grids.cells import cell_keys, note_fingerprints, store_counts
from gongkai.readers.grids.columns import header_columns
from gongkai.readers.grids.rows import (
    REQUEST_ROWS,
    RowLabels,
    RowShape,
    distinct_cells,
    place_values,
    row_shape,
)
from gongkai.readers.tables import Notice, TableReading
from gongkai.readers.values import is_value_text, read_value

_REQUEST_COLUMN_KEYS = tuple(c.key for c in REQUEST_COLUMNS)


@lru_cache(maxsize=4096)
def match_request_row(label_cores: tuple[str, ...], group: Label | None) -> Row | None:
    """The table-三 row named by a row's label cells (last, most specific, first)."""
    for position, label_core in enumerate(reversed(label_cores)):
        for row in REQUEST_ROWS:
            if row is ROW_OTHER_SINGLE:
                if position == 0 and G_OTHER.matches(label_core):
                    return row
                continue
            if (
                row.key == "other.other"
                and group is not G_OTHER
                and not any(G_OTHER.matches(c) for c in label_cores)
            ):
                continue
            if row.label.matches(label_core):
                return row
    return None


@lru_cache(maxsize=1024)  # headers repeat from report to report
def _cell_keys_by_row(columns: tuple[str, ...]) -> Mapping[str, tuple[str, ...]]:
    """Each table-三 row's cell keys under a header's columns: 「requests.granted.natural」…"""
    return MappingProxyType({row.key: cell_keys("requests", row.key, columns) for row in REQUEST_ROWS})


def read_requests(
    grid: Grid,
    rows: list[list[GridCell]],
    reading: TableReading,
    labels: list[RowLabels],
) -> None:
    """Table 三's rows of one grid: the header rows first, then each data row under its group.

    ``labels``: what each row's labels say, as :func:`~gongkai.readers.grids.rows.table_rows`
    read them.
    """
    ev = reading.evidence
    group: Label | None = None
    header_rows: list[list[GridCell]] = []
    keys: list[str] | None = None
    positions: Mapping[int, str] | None = None
    header_notice: Notice | None = None
    repeated = False  # the header names a column twice
    row_cell_keys: Mapping[str, tuple[str, ...]] = {}  # the full keys of each row's cells
    shapes = [lb.shape_in(row) for row, lb in zip(rows, labels, strict=True)]
    if any(not s.cores and s.has_values for s in shapes):  # a row of numbers without its label
        rows, notices = pair_apart_rows(rows, *_row_kinds(rows, shapes), "表三")
        reading.notices += notices
        shapes = [row_shape(row) for row in rows]
    for index, (row, shape) in enumerate(zip(rows, shapes, strict=True)):
        cores = shape.cores
        group = shape.group or group
        if shape.balance_note:
            ev.balance_note = True
        if keys is None and shape.is_header:
            header_rows.append(row)
            continue
        match = match_request_row(cores, group) if cores else None
        if match is ROW_OTHER_SINGLE and not shape.has_values and index + 1 < len(rows):
            # 「（六）其他处理」 alone on a row of empty cells, its sub-rows below: a group heading.
            following = match_request_row(shapes[index + 1].cores, G_OTHER)
            if following is not None and following.key.startswith("other."):
                continue
        if match is None or not (shape.has_values or len(row) > shape.label_end):
            if keys is None:
                header_rows.append(row)
            elif cores and (shape.has_values or shape.group is None):
                last = row[shape.label_positions[-1]]
                reading.notices.append(
                    Notice("READ-ROW", f"表三中的行「{last.text}」不是格式中的行，已忽略", last.line)
                )
            continue
        if keys is None:
            keys, positions, header_notice = header_columns(
                grid, header_rows, REQUEST_HEADER, _REQUEST_COLUMN_KEYS, reading.notices, "表三"
            )
            ev.request_columns = keys
            repeated = len(set(keys)) < len(keys)
            row_cell_keys = _cell_keys_by_row(tuple(keys))
        line = row[shape.label_positions[-1]].line
        if match.key.startswith("other.") or match is ROW_OTHER_SINGLE:
            note_fingerprints(ev, "".join(cores), line, single_other=match is ROW_OTHER_SINGLE)
        if match.key == "partial":
            ev.partial_note = ev.partial_note or "区分处理" in "".join(cores)
        ev.request_rows.append((match.key, line))
        if header_notice is not None:  # the cells of this row under the columns not found
            header_notice.cells += [
                f"requests.{match.key}.{c}" for c in _REQUEST_COLUMN_KEYS if c not in keys
            ]
        placed: list[GridCell | None] = row[shape.label_end :]
        guess = None
        if len(placed) != len(keys):  # not the usual row, one value under each column
            placed, guess = place_values(row, keys, positions, start=shape.label_end)
        placed_keys = row_cell_keys[match.key]
        if repeated:
            columns, placed = distinct_cells(keys, placed)
            placed_keys = cell_keys("requests", match.key, tuple(columns))
        if guess:
            notice = Notice("READ-ROW-WIDTH", f"表三「{match.label.official}」行：{guess}", line)
            reading.notices.append(notice)
            given = [cell for cell in placed if cell is not None]
            if len(given) < len(keys) and all(read_value(c.text).value is not None for c in given):
                reading.short_rows.append((match, keys, given, notice))
        store_counts(reading, placed_keys, placed)


def _row_kind(row: list[GridCell], shape: RowShape, group: Label | None, after: RowShape | None) -> RowKind:
    """What a row of table 三 is, for pairing labels with the numbers that came apart from them."""
    texts = [c.text for c in row if c.text.strip()]
    if not texts:
        return RowKind(BLANK)
    if shape.is_header:
        return RowKind(OTHER)
    if all(is_value_text(t) for t in texts):
        return RowKind(VALUES)
    if any(is_value_text(t) for t in texts):
        return RowKind(OTHER)  # a whole row, label and numbers
    # Only labels. Every cell counts: a piece of a wrapped label is no known label, and
    # row_shape() takes a word after the known ones for a bad value.
    cores = tuple(core(t) for t in texts)
    groups = [g for c in cores for g in REQUEST_GROUPS if g.matches(c)]
    group = groups[-1] if groups else group
    match = match_request_row(cores, group)
    if match is ROW_OTHER_SINGLE and after is not None and not after.has_values:
        # 「（六）其他处理」 over its sub-rows is their group, as in read_requests
        following = match_request_row(after.cores, G_OTHER)
        if following is not None and following.key.startswith("other."):
            return RowKind(GROUP)
    if match is not None:
        keys = tuple(f"requests.{match.key}.{c}" for c in _REQUEST_COLUMN_KEYS)
        return RowKind(LABEL, match.label.official, keys, group_too=match is ROW_OTHER_SINGLE)
    if groups and groups[-1].matches(cores[-1]):
        return RowKind(GROUP)
    # a piece of a wrapped label, maybe after its group (「（三）不予公开」「1.属于国家」)
    return RowKind(PIECE)


def _row_kinds(rows: list[list[GridCell]], shapes: list[RowShape]) -> tuple[list[RowKind], Relabel]:
    """Each row's kind, and how to tell what joined pieces of a label name."""
    groups: list[Label | None] = []
    group: Label | None = None
    for shape in shapes:
        group = shape.group or group
        groups.append(group)
    kinds = [
        _row_kind(row, shape, groups[i], shapes[i + 1] if i + 1 < len(shapes) else None)
        for i, (row, shape) in enumerate(zip(rows, shapes, strict=True))
    ]

    def relabel(index: int, row: list[GridCell]) -> RowKind:
        shape = row_shape(row)
        return _row_kind(row, shape, shape.group or groups[index], None)

    return kinds, relabel
