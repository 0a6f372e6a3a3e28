"""Table 二 (主动公开): blocks by 第二十条 item, rows by label, columns by each block's header."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from gongkai.model.labels import CHINESE_NUMERALS, core, fold
from gongkai.model.layouts import (
    ACTIVE_2019,
    ACTIVE_2021,
    ACTIVE_HEADER,
    Block,
    CellKind,
    Column,
    Format,
    Row,
)
from gongkai.readers.document import Grid, GridCell
from gongkai.readers.grids.apart import BLANK, LABEL, OTHER, PIECE, VALUES, RowKind, pair_apart_rows
from gongkai.readers.grids.cells import fingerprints_in, store_cell
from gongkai.readers.grids.rows import RowLabels, place_values, row_labels, strip_blank_ends
from gongkai.readers.tables import Notice, TableReading
from gongkai.readers.values import is_value_text, read_value

_ITEM_RE = re.compile(r"第二十条第[(（]?([一二三四五六七八九十]{1,3})[)）]?项")


_ALL_BLOCKS: tuple[Block, ...] = ACTIVE_2021 + ACTIVE_2019


@lru_cache(maxsize=4096)  # captions and labels repeat from report to report
def _item_number(text: str) -> int | None:
    match = _ITEM_RE.search(fold(text))
    if not match:
        return None
    numeral = match.group(1)
    if numeral == "十":
        return 10
    return CHINESE_NUMERALS.index(numeral[-1]) + (10 if numeral.startswith("十") else 0)


@lru_cache(maxsize=64)
def _blocks_of_row(row_key: str) -> tuple[Block, ...]:
    return tuple(b for b in _ALL_BLOCKS if any(r.key == row_key for r in b.rows))


@lru_cache(maxsize=4096)
def _active_row(label_core: str, item: int | None) -> tuple[Row, tuple[Block, ...]] | None:
    for block in _ALL_BLOCKS:
        if item is not None and block.item != item:
            continue
        for row in block.rows:
            if row.label.matches(label_core):
                return row, _blocks_of_row(row.key)
    if item is not None:
        return _active_row(label_core, None)
    return None


def is_active_label(label_core: str) -> bool:
    """A caption (「第二十条第（一）项」) or a row label of table 二, of either layout."""
    return _item_number(label_core) is not None or _active_row(label_core, None) is not None


def _row_kind(row: list[GridCell], item: int | None, header: tuple[str, ...]) -> RowKind:
    """What a row of table 二 is, for pairing labels with the numbers that came apart from them.

    A label names the cells of its row under the block's header (``header``: its column
    texts), or under the layout's columns of its block when no header came before it.
    """
    texts = [c.text for c in row if c.text.strip()]
    if not texts:
        return RowKind(BLANK)
    labels = [t for t in texts if not is_value_text(t)]
    if not labels:
        return RowKind(VALUES)
    if len(labels) < len(texts) or ACTIVE_HEADER.matches(core(labels[0])):
        return RowKind(OTHER)
    if _item_number("".join(labels)) is not None:
        return RowKind(OTHER)
    match = _active_row(core("".join(labels)), item)
    if match is None:
        return RowKind(PIECE)
    data_row, blocks = match
    columns = [c for c, _ in _active_columns(header, data_row.key)[0] if c is not None]
    if not columns:
        columns = list(next((b for b in blocks if b.item == item), blocks[0]).columns)
    keys = tuple(dict.fromkeys(f"active.{data_row.key}.{c.key}" for c in columns))
    return RowKind(LABEL, data_row.label.official, keys)


def _numbers_only(row: list[GridCell]) -> bool:
    """A row of values (numbers, dashes, blanks) that are not all blank: it has no label."""
    filled = False
    for cell in row:
        if not is_value_text(cell.text):
            return False  # most rows: their label is the first cell
        filled = filled or bool(cell.text.strip())
    return filled


def _pair_apart(
    rows: list[list[GridCell]], labels: list[RowLabels], reading: TableReading
) -> list[list[GridCell]]:
    """Rows whose labels came apart from their numbers, paired again (apart.py); ``rows``
    itself when none did."""
    if not any(not lb.named and _numbers_only(row) for row, lb in zip(rows, labels, strict=True)):
        return rows  # no row of numbers without a label: nothing came apart
    where: list[tuple[int | None, tuple[str, ...]]] = []  # each row's block item and header
    item: int | None = None
    header: tuple[str, ...] = ()
    for row in rows:
        texts = [c.text for c in row if core(c.text)]
        if len(texts) == 1 and _item_number(texts[0]) is not None:
            item, header = _item_number(texts[0]), ()
        elif texts and ACTIVE_HEADER.matches(core(texts[0])):
            start = next(i for i, c in enumerate(row) if core(c.text))
            header = tuple(c.text for c in row[start + 1 :])
        where.append((item, header))
    kinds = [_row_kind(row, *at) for row, at in zip(rows, where, strict=True)]
    paired, notices = pair_apart_rows(rows, kinds, lambda i, row: _row_kind(row, *where[i]), "表二")
    reading.notices += notices
    return paired


def _first_filled(row: list[GridCell], start: int) -> int | None:
    """The index of the row's first cell from ``start`` on that says something."""
    return next((i for i in range(start, len(row)) if core(row[i].text)), None)


@dataclass(frozen=True, slots=True)
class _HeaderSays:
    """What a block's header (its texts after 信息内容) tells the layout checks."""

    filled: tuple[str, ...]  # the texts that say something
    fingerprints: tuple[tuple[int, Format, str], ...]  # cell index, layout, printed text
    fee_header: str | None  # the last text of a fee column (收费金额)
    procurement_unit: str | None  # the unit the last procurement column (采购总金额) prints


@lru_cache(maxsize=1024)  # headers repeat from report to report
def _header_says(header: tuple[str, ...]) -> _HeaderSays:
    fee_header = procurement_unit = None
    for text in header:
        if "收费金额" in fold(text):
            fee_header = text
        if "采购总金额" in fold(text) and re.search("万元|元", text):
            procurement_unit = "万元" if "万元" in text else "元"
    return _HeaderSays(
        tuple(text for text in header if core(text)),
        tuple((i, fmt, printed) for i, text in enumerate(header) for fmt, printed in fingerprints_in(text)),
        fee_header,
        procurement_unit,
    )


@dataclass(frozen=True, slots=True)
class _LabelSays:
    """What the text in a row's label cell says, within a block (cached: labels repeat)."""

    item: int | None  # the item a caption (「第二十条第（一）项」) names
    header: bool  # the header's first cell (信息内容)
    row: tuple[Row, tuple[Block, ...]] | None  # the data row it names, and the blocks that have it
    fingerprints: tuple[tuple[Format, str], ...]  # printed texts only one layout uses


@lru_cache(maxsize=4096)
def _label_says(text: str, item: int | None) -> _LabelSays:
    label = core(text)
    header = ACTIVE_HEADER.matches(label)
    row = None if header else _active_row(label, item)
    return _LabelSays(_item_number(text), header, row, fingerprints_in(text))


def read_active(
    grid: Grid, rows: list[list[GridCell]], reading: TableReading, labels: list[RowLabels]
) -> None:
    """Table 二's rows of one grid: each block's item caption, its header, its data rows.

    ``labels``: what each row's labels say, as :func:`~gongkai.readers.grids.rows.table_rows`
    read them.
    """
    ev = reading.evidence
    paired = _pair_apart(rows, labels, reading)
    if paired is not rows:
        rows, labels = paired, [row_labels(row) for row in paired]
    item: int | None = None
    header: tuple[str, ...] = ()  # the texts of the block's header, after 信息内容
    for row, lb in zip(rows, labels, strict=True):
        # where the row label sits: the first cell that says something
        offset = lb.first_filled
        if offset is None:  # none of the labels does: a number, if any
            offset = _first_filled(row, len(lb.texts))
            if offset is None:
                continue
        label_cell = row[offset]
        says = _label_says(label_cell.text, item)
        if says.item is not None and _first_filled(row, offset + 1) is None:  # a caption alone in its row
            item = says.item
            ev.active_blocks.append(item)
            header = ()
            continue
        if says.header:
            cells = row[offset + 1 :]
            header = tuple([c.text for c in cells])
            heads = _header_says(header)
            ev.active_headers[item or 0] = list(heads.filled)
            for index, fmt, printed in heads.fingerprints:
                ev.fingerprints[fmt].append((printed, cells[index].line))
            if heads.fee_header is not None:
                ev.fee_header = heads.fee_header
            if heads.procurement_unit is not None:
                ev.procurement_unit = heads.procurement_unit
            continue
        if says.row is None:
            reading.notices.append(
                Notice("READ-ROW", f"表二中的行「{label_cell.text}」不是格式中的行，已忽略", label_cell.line)
            )
            continue
        data_row, blocks = says.row
        ev.active_rows.append(data_row.key)
        for fmt, printed in says.fingerprints:
            ev.fingerprints[fmt].append((printed, label_cell.line))
        _place_active(grid, row, offset, data_row, blocks, header, reading)


@lru_cache(maxsize=1024)
def _active_columns(
    header: tuple[str, ...], row_key: str
) -> tuple[tuple[tuple[Column | None, str], ...], Mapping[int, str]]:
    """The columns a table-二 header names over a row (None for one the layout lacks), and
    their positions.

    An empty header cell is the merged right part of its left neighbour. The cache is keyed on
    the row's key, not its blocks: hashing the blocks (frozen dataclasses) hashed every field.
    """
    blocks = _blocks_of_row(row_key)
    columns: list[tuple[Column | None, str]] = []
    positions: dict[int, str] = {}
    for i, text in enumerate(header, start=1):
        if not core(text):
            if columns:
                positions[i] = str(len(columns) - 1)
            continue
        column = None
        for block in blocks:
            column = next((c for c in block.columns if c.label.matches(core(text))), None)
            if column is not None:
                break
        columns.append((column, text))
        positions[i] = str(len(columns) - 1)
    return tuple(columns), MappingProxyType(positions)


_HEADER_UNIT_RE = re.compile(r"[(（]\s*(?:单位\s*[:：])?\s*(万元|元)\s*[)）]")


@lru_cache(maxsize=1024)
def _header_unit(header_text: str) -> str | None:
    """The money unit a header prints: 「本年收费金额（单位：万元）」 → 万元."""
    match = _HEADER_UNIT_RE.search(header_text)
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class _Placing:
    """A column of table 二 over one row: where its value goes and how it is read."""

    column: Column | None  # None: a column the layout lacks
    header_text: str
    key: str  # the cell's full key ("" for a column the layout lacks)
    read_as: tuple[CellKind, str | None, str | None] | tuple[()]  # read_value's arguments after the text


def _placings(columns: Iterable[tuple[Column | None, str]], row_key: str) -> tuple[_Placing, ...]:
    placings = []
    for column, text in columns:
        if column is None:
            placings.append(_Placing(None, text, "", ()))
            continue
        unit = _header_unit(text)
        # a plain count is read with read_value's defaults, the cheapest call of its cache
        plain = column.kind is CellKind.COUNT and column.unit is None and unit is None
        read_as = () if plain else (column.kind, column.unit, unit)
        placings.append(_Placing(column, text, f"active.{row_key}.{column.key}", read_as))
    return tuple(placings)


@lru_cache(maxsize=1024)  # headers and labels repeat from report to report
def _header_placings(
    header: tuple[str, ...], row_key: str, offset: int
) -> tuple[tuple[_Placing, ...], tuple[str, ...], Mapping[int, str]]:
    """The columns a block's header names over a row whose label is at ``offset``: how each is
    placed, their keys for :func:`place_values`, and their positions in the row."""
    columns, positions = _active_columns(header, row_key)
    keys = tuple(str(i) for i in range(len(columns)))
    shifted = MappingProxyType({offset + i: key for i, key in positions.items()})
    return _placings(columns, row_key), keys, shifted


def _place_active(
    grid: Grid,
    row: list[GridCell],
    offset: int,
    data_row: Row,
    blocks: list[Block],
    header: tuple[str, ...],
    reading: TableReading,
) -> None:
    """Place one row of table 二, its label at ``offset``, under its block's header (the texts of
    its column labels, after 信息内容)."""
    ev = reading.evidence
    placings, keys, positions = _header_placings(header, data_row.key, offset)
    if not placings:  # no header seen: the row's block (of either layout) whose width fits, in layout order
        width = len(strip_blank_ends(row[offset + 1 :]))
        block = next((b for b in blocks if len(b.columns) == width), blocks[0])
        placings = _placings([(c, c.label.official) for c in block.columns], data_row.key)
        keys = tuple(str(i) for i in range(len(placings)))
        reading.notices.append(
            Notice(
                "READ-HEADER", f"表二「{data_row.label.official}」行前没有表头，按格式列序读取", row[0].line
            )
        )
    placed: list[GridCell | None] = row[offset + 1 :]
    guess = None
    if len(placed) != len(keys):  # not the usual row, one value under each column
        placed, guess = place_values(row, keys, positions if grid.positional else None, start=offset + 1)
    if guess:
        reading.notices.append(
            Notice("READ-ROW-WIDTH", f"表二「{data_row.label.official}」行：{guess}", row[0].line)
        )
    for placing, cell in zip(placings, placed, strict=True):
        if cell is None:
            continue
        column = placing.column
        if column is None:
            if cell.text.strip():
                known = any(x.matches(core(placing.header_text)) for b in blocks for x in b.extra_columns)
                item = ev.active_blocks[-1] if ev.active_blocks else 0
                ev.active_extra.append((item, placing.header_text, cell.line, known))
            continue
        if column.key == "amount" and data_row.key == "procurement" and re.search("万元|元", cell.text):
            ev.procurement_unit = "万元" if "万" in cell.text else "元"
        value = read_value(cell.text, *placing.read_as)
        store_cell(reading, placing.key, value, cell.line, cell.confidence)
