"""Rows whose label came apart from their numbers: labels first, then rows of numbers without one.

A PDF → Markdown converter that meets a tall label cell (a label wrapped over several lines,
its numbers centred beside it) often prints the label on a row of its own, or as lines of
text breaking the table, and the numbers on the next row with empty label cells. Several
rows may come apart together: their labels first, then their numbers in the same order.

The label lines of such a run are cut into labels (a label may be wrapped over several
lines, its group's label may stand before it), and the labels paired in order with the rows
of numbers, when exactly one cutting names as many rows as there are rows of numbers; the
officer is told so (READ-ROW-APART, info, naming the cells). Otherwise which numbers belong
to which label cannot be told: nothing of those rows is read, and a READ-ROW-APART warning
names their cells. A lost or doubled line must never move a value to another row, so a
cutting never joins two rows' labels into one, nor continues a label with a line that starts
with a label's number. Tables 二 and 三 say what each row is (:class:`RowKind`); this module
only cuts and pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from gongkai.model.labels import core, fold
from gongkai.readers.document import GridCell
from gongkai.readers.tables import Notice

# What a row of a table is, for pairing: the kinds a run of labels is made of, and the rest.
LABEL = "label"  # names a data row of the layout, and holds no value
GROUP = "group"  # names a group of rows (「（三）不予公开」), and holds no value
PIECE = "piece"  # text that names nothing: a piece of a wrapped label
VALUES = "values"  # numbers (or blanks and dashes), no label
BLANK = "blank"  # every cell empty
OTHER = "other"  # anything else: a header, a caption, a whole row


@dataclass(frozen=True)
class RowKind:
    """What one grid row is, for pairing; a label also says which row and which cells it names."""

    kind: str
    name: str = ""  # the label as printed officially, for messages
    keys: tuple[str, ...] = ()  # the full keys of the cells of the row it names
    group_too: bool = False  # a label that also names a group (「（六）其他处理」 over its sub-rows)


Row = list[GridCell]
Relabel = Callable[[int, Row], RowKind]


def merge_rows(rows: Sequence[Row]) -> Row:
    """Rows laid over each other, column by column: a value over a blank, texts joined in order.

    The pieces of a label wrapped over several rows join into one cell; the numbers of the
    row that came apart fill the value cells the label row left empty.
    """
    width = max(len(r) for r in rows)
    merged: list[GridCell | None] = [None] * width
    for row in rows:
        for i, cell in enumerate(row):
            have = merged[i]
            if have is None or not have.text.strip():
                merged[i] = GridCell(cell.text, cell.line, confidence=cell.confidence)
            elif cell.text.strip():
                have.text += cell.text.strip()
    return [cell or GridCell("", rows[-1][0].line if rows[-1] else 0) for cell in merged]


def _numbered(row: Row) -> bool:
    """A row whose text starts with a label's number (「2.」「（三）」「四、」): a label begins there."""
    text = next((c.text for c in row if c.text.strip()), "")
    return core(text) != fold(text)


# A label wraps over a few lines at most; a longer stretch of rows is never one label.
MAX_LABEL_ROWS = 5
# Table 三 has 30 rows with its labels wrapped; a longer run of labels is not a table's.
MAX_RUN_ROWS = 120


@dataclass
class _Unit:
    kind: RowKind
    rows: list[Row]


def _segments(
    rows: list[Row], kinds: list[RowKind], run: list[int], count: int, relabel: Relabel
) -> list[list[_Unit]]:
    """The ways to cut a run of label rows into ``count`` labels (and groups), by the rows named.

    Each label is one or more rows in a row (a label wrapped, the pieces of a wrapped label,
    a group's label with its first row's); what the rows of a piece name together is asked
    of ``relabel``. Cuttings that name the same rows in the same order are one way (the one
    with the most pieces is kept); more than one way means the run is ambiguous.
    """

    @cache
    def kind_of(a: int, b: int) -> RowKind:
        if b - a == 1:
            return kinds[run[a]]
        if any(_numbered(rows[j]) for j in run[a + 1 : b]):
            return RowKind(PIECE)  # a label starts with its number: 「2.重复」 continues no label
        # rows that name a row each are one label only when they name the same row (its
        # halves); two rows' labels are never one, whatever a keyword of the two finds
        named = {kinds[j].keys for j in run[a:b] if kinds[j].kind == LABEL and not kinds[j].group_too}
        if len(named) > 1:
            return RowKind(PIECE)
        joined = relabel(run[a], merge_rows([rows[j] for j in run[a:b]]))
        if joined.kind == LABEL and named and joined.keys not in named:
            return RowKind(PIECE)
        for c in range(a + 1, b):  # nor is a label followed by all of another row's label
            head, tail = kind_of(a, c), kind_of(c, b)
            if head.kind == tail.kind == LABEL and head.keys != tail.keys:
                return RowKind(PIECE)
        return joined

    @cache
    def ways(a: int, left: int) -> dict[tuple[tuple[str, ...], ...], tuple[tuple[int, int, bool], ...]]:
        if a == len(run):
            return {(): ()} if left == 0 else {}
        found: dict[tuple[tuple[str, ...], ...], tuple[tuple[int, int, bool], ...]] = {}
        for b in range(a + 1, min(len(run), a + MAX_LABEL_ROWS) + 1):
            kind = kind_of(a, b)
            options = []
            if kind.kind == LABEL and left > 0:
                options.append(((kind.keys,), ways(b, left - 1)))
            # a group's label stands alone; wrapped, it joins its first row's label
            if b == a + 1 and (kind.kind == GROUP or kind.group_too):
                options.append(((), ways(b, left)))
            for head, rest in options:
                for named, cuts in rest.items():
                    if head and head[0] in named:
                        continue  # a row is named once: two labels of it are one label wrapped
                    cut = ((a, b, bool(head)), *cuts)
                    if head + named not in found or len(cut) > len(found[head + named]):
                        found[head + named] = cut
            if len(found) > 1:
                break  # ambiguous already
        return found

    return [
        [
            _Unit(kind_of(a, b) if label else RowKind(GROUP), [rows[j] for j in run[a:b]])
            for a, b, label in cuts
        ]
        for cuts in ways(0, count).values()
    ]


def pair_apart_rows(
    rows: list[Row], kinds: list[RowKind], relabel: Relabel, table_name: str
) -> tuple[list[Row], list[Notice]]:
    """The rows with each run of labels joined to the rows of numbers after it, and the notices.

    ``kinds`` says what each row is; ``relabel(index, row)`` what pieces of a label joined
    into ``row`` name, as if it stood at ``index``. Rows outside such runs are kept as they are.
    """
    out: list[Row] = []
    notices: list[Notice] = []
    paired: list[_Unit] = []
    i, n = 0, len(rows)
    while i < n:
        if kinds[i].kind not in (LABEL, GROUP, PIECE):
            out.append(rows[i])
            i += 1
            continue
        start = i
        while i < n and kinds[i].kind in (LABEL, GROUP, PIECE, BLANK):
            i += 1
        middle = i
        while i < n and kinds[i].kind in (VALUES, BLANK):
            i += 1
        numbers = [rows[j] for j in range(middle, i) if kinds[j].kind == VALUES]
        if not numbers:  # labels of rows left blank, as printed
            out += rows[start:middle]
            i = middle
            continue
        run = [j for j in range(start, middle) if kinds[j].kind != BLANK]
        too_long = len(run) > MAX_RUN_ROWS  # no table has so many rows: not worth cutting
        cuttings = [] if too_long else _segments(rows, kinds, run, len(numbers), relabel)
        if len(cuttings) != 1:
            # later rows still need the groups
            out += [rows[j] for j in run if kinds[j].kind == GROUP]
            notices.append(
                _unpaired([rows[j] for j in run], [kinds[j] for j in run], numbers, len(cuttings), table_name)
            )
            continue
        values = iter(numbers)
        for unit in cuttings[0]:
            if unit.kind.kind == GROUP:
                out += unit.rows
            else:
                out.append(merge_rows([*unit.rows, next(values)]))
                paired.append(unit)
    if paired:
        names = "、".join(f"「{u.kind.name}」" for u in paired[:3]) + ("等" if len(paired) > 3 else "")
        notices.append(
            Notice(
                "READ-ROW-APART",
                f"{table_name}有{len(paired)}行的行名与数值分开排列（{names}），行名在前、数值在后；"
                "已按先后顺序对应，行数相符",
                paired[0].rows[0][0].line,
                [key for u in paired for key in u.kind.keys],
                info=True,
            )
        )
    return out, notices


def _unpaired(
    label_rows: list[Row], kinds: list[RowKind], numbers: list[Row], ways: int, table_name: str
) -> Notice:
    """READ-ROW-APART: a run whose labels and rows of numbers do not pair, left unread."""
    first = label_rows[0][0].line if label_rows and label_rows[0] else numbers[0][0].line
    labels = [k for k in kinds if k.kind == LABEL]
    texts = ["".join(c.text.strip() for c in row) for row in label_rows]
    shown = "".join(f"「{t}」" for t in texts[:6]) + ("等" if len(texts) > 6 else "")
    message = (
        f"{table_name}第{first}行起，行名与数值分开排列：行名{shown}之后有{len(numbers)}行没有行名的数值，"
    )
    if ways:
        message += "有不止一种对应方式；"
    else:
        message += "行数对不上；"
    message += "无法确定各行数值属于哪一行，这些行未读取，请对照原件核对"
    return Notice(
        "READ-ROW-APART", message, first, list(dict.fromkeys(key for k in labels for key in k.keys))
    )
