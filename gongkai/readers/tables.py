"""The one table reader: any grid → cells of tables 二, 三 and 四, by row label and header.

Every reader (text now; HTML, DOCX, PDF later) hands its grids to :func:`read_tables`.
Rows are matched by their labels, columns by their headers; values are placed by the
header's column order, and only fall back to grid positions when a row's cell count
leaves no other way. Labels of both layouts are accepted here: deciding the layout is
the assembler's job, from the fingerprints collected on the way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from gongkai.model.labels import CHINESE_NUMERALS, Label, core, fold
from gongkai.model.layouts import (
    ACTIVE_2019,
    ACTIVE_2021,
    ACTIVE_HEADER,
    APPEAL_GROUPS,
    APPEAL_HEADER,
    G_OTHER,
    LAYOUT_2021,
    LAYOUTS,
    REQUEST_BALANCE_NOTE,
    REQUEST_COLUMNS,
    REQUEST_GROUPS,
    REQUEST_HEADER,
    ROW_OTHER_SINGLE,
    SINGLE_OTHER_FINGERPRINT,
    Block,
    CellKind,
    Column,
    Format,
    HeaderNode,
    Row,
    cell_name,
)
from gongkai.model.reading import TableEvidence
from gongkai.readers.document import UNCERTAIN_BELOW, Grid, GridCell, Paragraph
from gongkai.readers.headers import positional_leaves, sequential_leaves
from gongkai.readers.placement import ShortRow, resolve
from gongkai.readers.sections import match_heading
from gongkai.readers.values import CellValue, is_number_text, is_value_text, read_value

_ITEM_RE = re.compile(r"第二十条第[(（]?([一二三四五六七八九十]{1,3})[)）]?项")


@dataclass(slots=True)
class ReadCell:
    """A cell placed on the layout: its full key, the value read, where it came from."""

    key: str
    value: CellValue
    line: int


@dataclass
class Notice:
    """Something the reader had to assume or could not place; becomes a READ-* finding."""

    rule: str
    message: str
    line: int | None = None
    cells: list[str] = field(default_factory=list)
    info: bool = False  # only says what the spec prescribes (a dash read as null, 万元 → 元)


@dataclass
class TableReading:
    """The result of reading a document's grids."""

    cells: dict[str, ReadCell] = field(default_factory=dict)
    evidence: TableEvidence = field(default_factory=TableEvidence)
    notices: list[Notice] = field(default_factory=list)
    # Table-三 rows with fewer values than columns, placed in order until the identities decide.
    short_rows: list[tuple[Row, list[str], list[GridCell], Notice]] = field(default_factory=list)


# --- splitting grids into tables -----------------------------------------------------------


def _label_texts(row: list[GridCell]) -> tuple[str, ...]:
    """The texts of a row up to its first number: what says which row (and table) it is.

    Caches are keyed on this part, which repeats from report to report; the values don't.
    """
    texts = []
    for cell in row:
        if is_number_text(cell.text):
            break
        texts.append(cell.text)
    return tuple(texts)


def _table_of_row(row: list[GridCell]) -> str | None:
    return _table_of_texts(_label_texts(row))


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
    return None


def split_tables(grids: list[Grid]) -> dict[str, list[tuple[Grid, list[list[GridCell]]]]]:
    """Rows of each grid, assigned to the table they belong to (a grid may hold several)."""
    out: dict[str, list[tuple[Grid, list[list[GridCell]]]]] = {}
    current_rows: list[list[GridCell]] | None = None
    for grid in grids:
        started: set[str] = set()
        for row in grid.rows:
            table = _table_of_row(row)
            if table is not None and table not in started:
                started.add(table)  # a marker of a table already begun in this grid does not restart it
                current_rows = []
                out.setdefault(table, []).append((grid, current_rows))
            # Rows before any marker continue the table above: a running header or a page
            # number that is not a bare number splits one table into two grids.
            if current_rows is not None:
                current_rows.append(row)
    return out


# --- placing a row's values -----------------------------------------------------------------


def _label_end(row: list[GridCell]) -> int:
    """Index just past the row's last label (non-value) cell."""
    return _row_shape(row).label_end


def _trimmed(cells: list[GridCell]) -> list[GridCell]:
    start, stop = 0, len(cells)
    while start < stop and not cells[start].text.strip():
        start += 1
    while stop > start and not cells[stop - 1].text.strip():
        stop -= 1
    return cells[start:stop]


def place_values(
    row: list[GridCell],
    keys: list[str],
    positions: dict[int, str] | None,
    start: int | None = None,
) -> tuple[dict[str, GridCell | None], str | None]:
    """Assign a data row's value cells to column keys; say how when it needed a guess.

    The header's column order decides: the cells after the row label, as many as there
    are columns (blank padding of merged cells trimmed). Only when the count does not fit
    are grid positions used, and failing those the cells are placed in order with a notice.
    """
    values = row[_label_end(row) if start is None else start :]
    for candidate in (values, _trimmed(values)):
        if len(candidate) == len(keys):
            return dict(zip(keys, candidate, strict=True)), None
    # Grid positions count only in a row as wide as the header: a shorter row has lost cells
    # (blanks dropped when the table was flattened to text) and its positions have shifted.
    if positions and len(row) > max(positions):
        placed: dict[str, GridCell | None] = dict.fromkeys(keys)
        for col, key in sorted(positions.items()):
            if col < len(row) and (placed.get(key) is None or not placed[key].text.strip()):
                placed[key] = row[col]
        if all(cell is None or is_value_text(cell.text) for cell in placed.values()):
            return placed, None
    trimmed = _trimmed(values)
    placed = {key: (trimmed[i] if i < len(trimmed) else None) for i, key in enumerate(keys)}
    return placed, f"该行有{len(trimmed)}个数值，表头有{len(keys)}列，已按顺序对位，请核对"


# --- table 二 -------------------------------------------------------------------------------

_ALL_BLOCKS: tuple[Block, ...] = ACTIVE_2021 + ACTIVE_2019


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


def _read_active(grid: Grid, rows: list[list[GridCell]], reading: TableReading) -> None:
    ev = reading.evidence
    item: int | None = None
    header: list[GridCell] = []
    for row in rows:
        texts = [c.text for c in row if core(c.text)]
        if not texts:
            continue
        number = _item_number("".join(texts))
        if number is not None and len(texts) == 1:
            item = number
            ev.active_blocks.append(item)
            header = []
            continue
        if ACTIVE_HEADER.matches(core(texts[0])):
            header = row[next(i for i, c in enumerate(row) if core(c.text)) :]
            labels = [c.text for c in header[1:] if core(c.text)]
            ev.active_headers[item or 0] = labels
            for cell in header[1:]:
                _fingerprint(ev, cell.text, cell.line)
                if "收费金额" in fold(cell.text):
                    ev.fee_header = cell.text
                if "采购总金额" in fold(cell.text) and re.search("万元|元", cell.text):
                    ev.procurement_unit = "万元" if "万元" in cell.text else "元"
            continue
        label_cell = next(c for c in row if core(c.text))
        match = _active_row(core(label_cell.text), item)
        if match is None:
            reading.notices.append(
                Notice("READ-ROW", f"表二中的行「{label_cell.text}」不是格式中的行，已忽略", label_cell.line)
            )
            continue
        data_row, blocks = match
        ev.active_rows.append(data_row.key)
        _fingerprint(ev, label_cell.text, label_cell.line)
        _place_active(grid, row, data_row, blocks, header, reading)


@lru_cache(maxsize=1024)
def _active_columns(
    header: tuple[str, ...], blocks: tuple[Block, ...]
) -> tuple[tuple[tuple[Column | None, str], ...], Mapping[int, str]]:
    """The columns a table-二 header names (None for one the layout lacks), and their positions.

    An empty header cell is the merged right part of its left neighbour.
    """
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


def _header_unit(header_text: str) -> str | None:
    """The money unit a header prints: 「本年收费金额（单位：万元）」 → 万元."""
    match = _HEADER_UNIT_RE.search(header_text)
    return match.group(1) if match else None


def _place_active(
    grid: Grid,
    row: list[GridCell],
    data_row: Row,
    blocks: list[Block],
    header: list[GridCell],
    reading: TableReading,
) -> None:
    """Place one row of table 二 under its block's header (信息内容 | column labels…)."""
    ev = reading.evidence
    offset = row.index(next(c for c in row if core(c.text)))  # where the row label sits
    columns, header_positions = _active_columns(tuple(c.text for c in header[1:]), tuple(blocks))
    columns = list(columns)
    positions = {offset + i: key for i, key in header_positions.items()}
    if not columns:  # no header seen: the row's block (of either layout) whose width fits, in layout order
        width = len(_trimmed(row[offset + 1 :]))
        block = next((b for b in blocks if len(b.columns) == width), blocks[0])
        columns = [(c, c.label.official) for c in block.columns]
        reading.notices.append(
            Notice(
                "READ-HEADER", f"表二「{data_row.label.official}」行前没有表头，按格式列序读取", row[0].line
            )
        )
    keys = [str(i) for i in range(len(columns))]
    placed, guess = place_values(row, keys, positions if grid.positional else None, start=offset + 1)
    if guess:
        reading.notices.append(
            Notice("READ-ROW-WIDTH", f"表二「{data_row.label.official}」行：{guess}", row[0].line)
        )
    for i, (column, header_text) in enumerate(columns):
        cell = placed.get(str(i))
        if cell is None:
            continue
        if column is None:
            if cell.text.strip():
                known = any(x.matches(core(header_text)) for b in blocks for x in b.extra_columns)
                item = ev.active_blocks[-1] if ev.active_blocks else 0
                ev.active_extra.append((item, header_text, cell.line, known))
            continue
        if column.key == "amount" and data_row.key == "procurement" and re.search("万元|元", cell.text):
            ev.procurement_unit = "万元" if "万" in cell.text else "元"
        _store(
            reading,
            f"active.{data_row.key}.{column.key}",
            read_value(cell.text, column.kind, column.unit, _header_unit(header_text)),
            cell.line,
            cell.confidence,
        )


# --- table 三 -------------------------------------------------------------------------------

_REQUEST_ROWS: tuple[Row, ...] = (*LAYOUT_2021.request_rows, ROW_OTHER_SINGLE)


@lru_cache(maxsize=4096)
def match_request_row(label_cores: tuple[str, ...], group: Label | None) -> Row | None:
    """The table-三 row named by a row's label cells (last, most specific, first)."""
    for position, label_core in enumerate(reversed(label_cores)):
        for row in _REQUEST_ROWS:
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


@dataclass(frozen=True)
class _RowShape:
    """What a row's texts say, independent of where the row sits (cached across reports)."""

    label_end: int
    label_positions: tuple[int, ...]  # indexes of the non-empty label cells
    cores: tuple[str, ...]
    group: Label | None  # the last group label among the cells
    is_header: bool
    has_values: bool


def _row_shape(row: list[GridCell]) -> _RowShape:
    # Labels are the text cells before the first number; a word after it (「若干」) is a bad value.
    labels = _label_texts(row)
    shape = _label_shape(labels)
    if shape.has_values or len(labels) == len(row):
        return shape
    return _RowShape(shape.label_end, shape.label_positions, shape.cores, shape.group, shape.is_header, True)


def _is_known_label(label_core: str) -> bool:
    """A label of table 三: a row, a group, a header label or the printed note."""
    return (
        any(r.label.matches(label_core) for r in _REQUEST_ROWS)
        or any(g.matches(label_core) for g in REQUEST_GROUPS)
        or any(n.label.matches(label_core) for n in REQUEST_HEADER.walk()[1:])
        or REQUEST_BALANCE_NOTE.matches(label_core)
    )


@lru_cache(maxsize=16384)
def _label_shape(texts: tuple[str, ...]) -> _RowShape:
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
    return _RowShape(
        end,
        positions,
        cores,
        group,
        _is_request_header(cores),
        any(t.strip() for t in texts[end:]),
    )


def _read_requests(grid: Grid, rows: list[list[GridCell]], reading: TableReading) -> None:
    ev = reading.evidence
    group: Label | None = None
    header_rows: list[list[GridCell]] = []
    keys: list[str] | None = None
    positions: Mapping[int, str] | None = None
    header_notice: Notice | None = None
    shapes = [_row_shape(row) for row in rows]
    for index, (row, shape) in enumerate(zip(rows, shapes, strict=True)):
        cores = shape.cores
        group = shape.group or group
        ev.balance_note = ev.balance_note or any(REQUEST_BALANCE_NOTE.matches(c) for c in cores)
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
            keys, positions, header_notice = _columns(
                grid, header_rows, REQUEST_HEADER, _REQUEST_COLUMN_KEYS, reading, "表三"
            )
            ev.request_columns = keys
        line = row[shape.label_positions[-1]].line
        if match.key.startswith("other.") or match is ROW_OTHER_SINGLE:
            _fingerprint(ev, "".join(cores), line, single_other=match is ROW_OTHER_SINGLE)
        if match.key == "partial":
            ev.partial_note = ev.partial_note or "区分处理" in "".join(cores)
        ev.request_rows.append((match.key, line))
        if header_notice is not None:  # the cells of this row under the columns not found
            header_notice.cells += [
                f"requests.{match.key}.{c}" for c in _REQUEST_COLUMN_KEYS if c not in keys
            ]
        placed, guess = place_values(row, keys, positions)
        if guess:
            notice = Notice("READ-ROW-WIDTH", f"表三「{match.label.official}」行：{guess}", line)
            reading.notices.append(notice)
            given = [cell for cell in placed.values() if cell is not None]
            if len(given) < len(keys) and all(read_value(c.text).value is not None for c in given):
                reading.short_rows.append((match, keys, given, notice))
        for col_key, cell in placed.items():
            if cell is not None:
                _store(
                    reading,
                    f"requests.{match.key}.{col_key}",
                    read_value(cell.text),
                    cell.line,
                    cell.confidence,
                )


# Header labels that never name a data row (总计 and 其他 do both).
_REQUEST_HEADER_ONLY = [n.label for n in REQUEST_HEADER.walk()[1:] if n.key not in ("total", "other_org")]


def _is_request_header(cores: list[str]) -> bool:
    return any(
        REQUEST_BALANCE_NOTE.matches(c) or any(lb.matches(c) for lb in _REQUEST_HEADER_ONLY) for c in cores
    )


_REQUEST_COLUMN_KEYS = tuple(c.key for c in REQUEST_COLUMNS)
_COLUMN_NAMES = {n.key: n.label.official for n in REQUEST_HEADER.walk() + APPEAL_HEADER.walk() if n.key}


def leaves_in_layout_order(header_rows: list[list[GridCell]], root: HeaderNode) -> dict[int, str] | None:
    """Columns by the layout's order, when the header's lowest labels are exactly its leaves.

    A group label whose merged cell is not known (a table printed without rules centres 「行政
    诉讼」 over ten columns it does not touch) leaves repeated leaves such as 「结果维持」
    without a parent. When the deepest label of each column, left to right, names the
    layout's leaves in their order, the columns are the layout's columns.
    """
    leaves = [n for n in root.walk() if n.key and not n.children]
    width = max(len(r) for r in header_rows)
    deepest: list[tuple[int, str]] = []
    for col in range(width):
        for row in reversed(header_rows):
            if col < len(row) and core(row[col].text):
                deepest.append((col, core(row[col].text)))
                break
    found = [(col, text) for col, text in deepest if any(n.label.matches(text) for n in leaves)]
    if len(found) != len(leaves) or not all(
        n.label.matches(text) for n, (_, text) in zip(leaves, found, strict=True)
    ):
        return None
    return {col: n.key for n, (col, _) in zip(leaves, found, strict=True) if n.key}


def _columns(
    grid: Grid,
    header_rows: list[list[GridCell]],
    root: HeaderNode,
    default: tuple[str, ...],
    reading: TableReading,
    table_name: str,
) -> tuple[list[str], Mapping[int, str] | None, Notice | None]:
    """The value columns the header names, in order (and their positions in a positional grid).

    A header that names only some columns yields those: their cells are placed by name, the
    missing columns stay empty, and LAY-T3-SHAPE / LAY-T4-SHAPE say what is missing. Only a
    table with no recognisable header is read in the layout's column order. The READ-HEADER
    notice about missing columns is returned too, so that the caller can name the cells left
    empty once it knows the rows.
    """
    if header_rows:
        if grid.positional:
            positions = positional_leaves(header_rows, root)
            keys = list(dict.fromkeys(positions[c] for c in sorted(positions)))
            if len(keys) != len(default):
                by_order = leaves_in_layout_order(header_rows, root)
                if by_order is not None:
                    positions, keys = by_order, list(default)
        else:
            positions, keys = None, sequential_leaves(header_rows, root)
        if keys:
            notice = None
            if len(keys) != len(default):
                missing = "、".join(_COLUMN_NAMES.get(k, k) for k in default if k not in keys)
                notice = Notice(
                    "READ-HEADER",
                    f"{table_name}表头缺少：{missing}；这些列的数值无法对应，按未填写处理",
                    header_rows[0][0].line,
                )
                reading.notices.append(notice)
            return keys, positions, notice
    line = header_rows[0][0].line if header_rows and header_rows[0] else None
    reading.notices.append(Notice("READ-HEADER", f"{table_name}没有可识别的表头，按格式的列序读取", line))
    return list(default), None, None


# --- table 四 -------------------------------------------------------------------------------

_APPEAL_KEYS = tuple(n.key for n in APPEAL_HEADER.walk() if n.key and not n.children)


def _read_appeals(grid: Grid, rows: list[list[GridCell]], reading: TableReading) -> None:
    header_rows: list[list[GridCell]] = []
    for row in rows:
        # The data row holds only numbers, dashes and blanks: officers often fill in only the
        # non-zero cells (「1 … 1」), or leave the row blank; it follows at least one header row.
        if header_rows and len(row) >= 5 and all(is_value_text(c.text) for c in row):
            keys, positions, header_notice = _columns(
                grid, header_rows, APPEAL_HEADER, _APPEAL_KEYS, reading, "表四"
            )
            if header_notice is not None:
                header_notice.cells = [f"appeals.{k}" for k in _APPEAL_KEYS if k not in keys]
            reading.evidence.appeal_columns = keys
            placed, guess = place_values(row, keys, positions)
            if guess:
                reading.notices.append(Notice("READ-ROW-WIDTH", f"表四数据行：{guess}", row[0].line))
            for key, cell in placed.items():
                if cell is not None:
                    _store(reading, f"appeals.{key}", read_value(cell.text), cell.line, cell.confidence)
            return
        header_rows.append(row)
    reading.notices.append(
        Notice("READ-ROW", "表四没有找到数据行", rows[0][0].line if rows and rows[0] else None)
    )


# Between the 表四 heading and a header-less grid: a caption line or two (「行政复议行政诉讼」,
# 「单位：件」), never running text.
MAX_CAPTION_LINES = 2
MAX_CAPTION_CHARS = 40


def headless_appeals(blocks: Sequence[Paragraph | Grid]) -> Grid | None:
    """Table 四 printed without its header: a grid of exactly 15 numbers right under the 表四 heading.

    Some reports give table 四 as its data row alone (the header lost, or drawn as a picture):
    ``| 119 | 25 | 91 | 24 | 259 | 7 | 0 | … | 38 |`` after 「四、政府信息公开行政复议、行政诉讼情况」.
    Only a grid that follows the heading, with at most a caption line or two between, and holds
    nothing but 15 numbers (no blank, no dash, no label) is taken; :func:`read_tables` places
    its values in the fixed order of the layout.
    """
    captions: int | None = None  # caption lines since the 表四 heading; None when not under it
    for block in blocks:
        if isinstance(block, Paragraph):
            found = match_heading(block.text)
            if found is not None:
                captions = 0 if found[0] == "appeals" else None
            elif captions is not None:
                caption = len(block.text) <= MAX_CAPTION_CHARS and "。" not in block.text
                captions = captions + 1 if caption and captions < MAX_CAPTION_LINES else None
            continue
        if captions is not None:
            cells = [cell for row in block.rows for cell in _trimmed(row)]
            if len(cells) == len(_APPEAL_KEYS) and all(is_number_text(c.text) for c in cells):
                return block
        captions = None
    return None


def _read_headless_appeals(grid: Grid, reading: TableReading) -> None:
    """Table 四's 15 numbers placed by position, and whether each group's 总计 is its sum."""
    cells = [cell for row in grid.rows for cell in _trimmed(row)]
    reading.evidence.tables.add("appeals")
    reading.evidence.appeal_columns = list(_APPEAL_KEYS)
    keys = [f"appeals.{k}" for k in _APPEAL_KEYS]
    for key, cell in zip(keys, cells, strict=True):
        _store(reading, key, read_value(cell.text), cell.line, cell.confidence)
    values = [read_value(cell.text).value or 0 for cell in cells]
    group_names = [_COLUMN_NAMES[group] for group, _ in APPEAL_GROUPS]
    wrong = [
        name
        for g, name in enumerate(group_names)
        if abs(sum(values[5 * g : 5 * g + 4]) - values[5 * g + 4]) > 1e-9
    ]
    placed = (
        f"表四没有表头，按位置读取：15个数值依格式的列序放入{'、'.join(group_names)}三组，"
        "每组依次为结果维持、结果纠正、其他结果、尚未审结、总计"
    )
    if wrong:
        message = f"{placed}；但{'、'.join(wrong)}的总计不等于前四项之和，位置可能不对，请对照原件核对"
    else:
        message = f"{placed}；三组的总计都等于前四项之和"
    reading.notices.append(Notice("READ-HEADER", message, cells[0].line, keys, info=not wrong))


# --- shared -------------------------------------------------------------------------------


def _fingerprint(ev: TableEvidence, text: str, line: int, single_other: bool = False) -> None:
    folded = fold(text)
    for fmt, layout in LAYOUTS.items():
        for printed in layout.fingerprints:
            if printed in folded:
                ev.fingerprints[fmt].append((printed, line))
    if single_other:
        ev.fingerprints[Format.F2019].append((SINGLE_OTHER_FINGERPRINT, line))


def _store(
    reading: TableReading, key: str, value: CellValue, line: int, confidence: float | None = None
) -> None:
    if key in reading.cells:
        reading.notices.append(
            Notice("READ-DUPLICATE", f"{cell_name(key)}出现了两次，保留第一次读到的值", line, [key])
        )
        return
    reading.cells[key] = ReadCell(key, value, line)
    if confidence is not None and confidence < UNCERTAIN_BELOW:
        reading.notices.append(
            Notice(
                "READ-OCR",
                f"{cell_name(key)}：识别为「{value.text}」，但识别把握不大（置信度{confidence:.2f}），请对照原件核对",
                line,
                [key],
            )
        )
    elif confidence is not None and _unsigned_change(key, value):
        # a minus sign is a short dash that scan noise erases while the digits stay clear, and no
        # identity of the tables would notice the lost sign: the officer is asked to look
        reading.notices.append(
            Notice(
                "READ-OCR",
                f"{cell_name(key)}：扫描件中识别为「{value.text}」，没有正负号；减号在扫描中容易丢失，请对照原件核对",
                line,
                [key],
            )
        )
    if value.note and not (value.value is None and value.numeric and value.text.strip() in ("", "无")):
        reading.notices.append(
            Notice("READ-VALUE", f"{cell_name(key)}：{value.note}", line, [key], info=value.numeric)
        )


_SIGNED_KEYS = frozenset(
    f"active.{key}"
    for layout in LAYOUTS.values()
    for key, kind in layout.active_kinds.items()
    if kind is CellKind.SIGNED
)


def _unsigned_change(key: str, value: CellValue) -> bool:
    """A 2019 本年增/减 above zero written without its 「+」: from a scan, it may have lost a 「-」."""
    text = value.text.strip()
    return (
        key in _SIGNED_KEYS
        and isinstance(value.value, int | float)
        and value.value > 0
        and not text.startswith("+")
    )


def read_tables(grids: list[Grid], headless: Grid | None = None) -> TableReading:
    """Place the cells of every grid on the layout (both layouts' labels accepted).

    ``headless`` is a grid of table 四 without its header (:func:`headless_appeals` finds it in
    a document); its values are placed by position when no other grid is table 四.
    """
    reading = TableReading()
    tables = split_tables(grids)
    for table, pieces in tables.items():
        reading.evidence.tables.add(table)
        for grid, rows in pieces:
            if table == "active":
                _read_active(grid, rows, reading)
            elif table == "requests":
                _read_requests(grid, rows, reading)
            else:
                _read_appeals(grid, rows, reading)
    if headless is not None and "appeals" not in tables and any(g is headless for g in grids):
        _read_headless_appeals(headless, reading)
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
        del reading.cells[key]
    cells = {k: c.value.value for k, c in reading.cells.items() if k.startswith("requests.")}
    decided = resolve(shorts, cells, lambda c: _COLUMN_NAMES.get(c, c))
    for (short, placement, message), (row, _, given, notice) in zip(decided, reading.short_rows, strict=True):
        keys = [f"requests.{short.row}.{c}" for c in placement.columns]
        for key, cell in zip(keys, given, strict=True):
            reading.cells[key] = ReadCell(key, read_value(cell.text), cell.line)
        notice.message = f"表三「{row.label.official}」行：{message}"
        notice.cells = keys


__all__ = ["CellKind", "ReadCell", "TableEvidence", "TableReading", "headless_appeals", "read_tables"]
