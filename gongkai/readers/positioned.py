"""Text laid out on pages → paragraphs and table grids, for the fixed-layout forms.

PDF, OFD and OCR give no paragraphs or tables, only pieces of text at positions and the lines
drawn on the page. This module rebuilds the intermediate form from them, the same way for all
three, so a fix here helps every fixed-layout form:

- **Ruled tables**: horizontal and vertical rules that cross each other make a table; the
  positions of the rules cut it into slots, and two neighbouring slots with no rule between
  them are one merged cell. The grid is positional, merged cells expanded as the HTML reader
  does (the top-left position holds the text, covered positions are empty).
- **Unruled tables**: consecutive lines made of several pieces far apart, with numbers among
  them, are cut into columns where every line has a gap (see :func:`_unruled_tables`).
- Everything else is running text, one paragraph per printed line, top to bottom.

Coordinates are any unit (points, millimetres, pixels) with y growing downwards; tolerances
are taken from the text's own height, so the same code reads a PDF in points and a scan in
pixels.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from gongkai.readers.document import Document, Grid, GridCell, Paragraph


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text on one line and its box (x0, top, x1, bottom), y downwards."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float | None = None  # OCR only

    @property
    def middle(self) -> float:
        """The vertical centre."""
        return (self.top + self.bottom) / 2

    @property
    def centre(self) -> float:
        """The horizontal centre."""
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True, slots=True)
class Rule:
    """A ruling line drawn on the page, as a box (a thin rectangle or a segment)."""

    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class Page:
    """One page: its text pieces and its rules, in one coordinate system."""

    number: int
    pieces: list[Piece] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)


def chars_to_pieces(chars: Iterable[tuple[str, float, float, float, float]]) -> list[Piece]:
    """Characters ``(text, x0, top, x1, bottom)`` in content order, grouped into runs.

    Neighbours on one line with no gap wider than about a third of a character are one run;
    white space and line breaks end a run (and are dropped).
    """
    pieces: list[Piece] = []
    chars_of_run: list[str] = []
    box = [0.0, 0.0, 0.0, 0.0]
    for ch, x0, top, x1, bottom in chars:
        if not ch or ch.isspace() or ch in "\ufffe\x02":
            if chars_of_run:
                pieces.append(Piece("".join(chars_of_run), *box))
                chars_of_run = []
            continue
        if chars_of_run:
            size = box[3] - box[1]
            same_line = abs((top + bottom) / 2 - (box[1] + box[3]) / 2) < 0.5 * size
            if same_line and -0.5 * size <= x0 - box[2] <= 0.35 * size:
                chars_of_run.append(ch)
                box = [box[0], min(box[1], top), max(box[2], x1), max(box[3], bottom)]
                continue
            pieces.append(Piece("".join(chars_of_run), *box))
        chars_of_run = [ch]
        box = [x0, top, x1, bottom]
    if chars_of_run:
        pieces.append(Piece("".join(chars_of_run), *box))
    return pieces


def pages_to_document(pages: Iterable[Page], name: str) -> Document:
    """The document's paragraphs and tables, page by page, in reading order.

    Line numbers are a running count of printed lines and table rows through the document.
    """
    doc = Document(name)
    counter = 1
    for page in pages:
        blocks, counter = page_blocks(page, counter)
        doc.blocks.extend(blocks)
    return doc


def page_blocks(page: Page, counter: int = 1) -> tuple[list[Paragraph | Grid], int]:
    """One page's blocks in reading order, numbering lines from ``counter``."""
    if not page.pieces:
        return [], counter
    unit = _text_height(page.pieces)
    placed: list[tuple[float, Paragraph | Grid]] = []
    loose = list(page.pieces)
    for box, grid in _ruled_tables(page.rules, page.pieces, unit):
        placed.append((box[1], grid))
        loose = [p for p in loose if not _inside(p, box)]
    lines = _lines(loose)
    for top, grid, used in _unruled_tables(lines, unit):
        placed.append((top, grid))
        lines = [line for line in lines if id(line) not in used]
    for line in lines:
        text = _join(line, unit)
        if text.strip():
            placed.append((line[0].top, Paragraph(text.strip(), 0)))
    blocks: list[Paragraph | Grid] = []
    for _, block in sorted(placed, key=lambda item: item[0]):
        if isinstance(block, Grid):
            for row in block.rows:
                for cell in row:
                    cell.line = counter
                counter += 1
        else:
            block = Paragraph(block.text, counter)
            counter += 1
        blocks.append(block)
    return blocks, counter


def _text_height(pieces: list[Piece]) -> float:
    heights = [p.bottom - p.top for p in pieces if p.bottom > p.top]
    return statistics.median(heights) if heights else 1.0


def _inside(piece: Piece, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    return x0 <= piece.centre <= x1 and top <= piece.middle <= bottom


# ---------------------------------------------------------------------------------------------
# Lines of text


def _lines(pieces: list[Piece]) -> list[list[Piece]]:
    """Pieces grouped into printed lines (their vertical centres overlap), each sorted by x."""
    lines: list[list[Piece]] = []
    spans: list[tuple[float, float]] = []
    for piece in sorted(pieces, key=lambda p: (p.middle, p.x0)):
        if lines:
            top, bottom = spans[-1]
            if top <= piece.middle <= bottom:
                lines[-1].append(piece)
                spans[-1] = (min(top, piece.top), max(bottom, piece.bottom))
                continue
        lines.append([piece])
        spans.append((piece.top, piece.bottom))
    for line in lines:
        line.sort(key=lambda p: p.x0)
    return lines


def _join(pieces: list[Piece], unit: float) -> str:
    """A line's text: pieces side by side are one word; a wide gap is a space."""
    out: list[str] = []
    right = None
    for piece in pieces:
        if right is not None and piece.x0 - right > 0.8 * unit:
            out.append(" ")
        out.append(piece.text)
        right = piece.x1
    return "".join(out)


def _cell_text(pieces: list[Piece], unit: float) -> str:
    """A cell's text: its lines joined without a break (「商业」「企业」 is one label)."""
    return "".join(_join(line, unit).strip() for line in _lines(pieces))


# ---------------------------------------------------------------------------------------------
# Ruled tables


@dataclass(slots=True)
class _Line:
    horizontal: bool
    at: float  # y of a horizontal line, x of a vertical one
    start: float
    end: float


def _rule_lines(rules: list[Rule], unit: float) -> list[_Line]:
    """Rules as horizontal and vertical lines, collinear pieces merged."""
    thin = max(0.35 * unit, 0.5)
    raw: list[_Line] = []
    for r in rules:
        width, height = r.x1 - r.x0, r.bottom - r.top
        if height <= thin and width > thin:
            raw.append(_Line(True, (r.top + r.bottom) / 2, r.x0, r.x1))
        elif width <= thin and height > thin:
            raw.append(_Line(False, (r.x0 + r.x1) / 2, r.top, r.bottom))
    snap = max(0.2 * unit, 0.5)
    merged: list[_Line] = []
    for line in sorted(raw, key=lambda ln: (ln.horizontal, round(ln.at / snap), ln.start)):
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.horizontal == line.horizontal
            and abs(last.at - line.at) <= snap
            and line.start <= last.end + snap
        ):
            last.end = max(last.end, line.end)
            continue
        merged.append(_Line(line.horizontal, line.at, line.start, line.end))
    return merged


def _components(lines: list[_Line], snap: float) -> list[list[_Line]]:
    """Groups of lines that touch each other: each group with both directions is a table."""
    parent = list(range(len(lines)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    horizontals = [i for i, ln in enumerate(lines) if ln.horizontal]
    verticals = [i for i, ln in enumerate(lines) if not ln.horizontal]
    for h in horizontals:
        hl = lines[h]
        for v in verticals:
            vl = lines[v]
            if hl.start - snap <= vl.at <= hl.end + snap and vl.start - snap <= hl.at <= vl.end + snap:
                parent[find(h)] = find(v)
    groups: dict[int, list[_Line]] = {}
    for i, line in enumerate(lines):
        groups.setdefault(find(i), []).append(line)
    return [
        g
        for g in groups.values()
        if sum(ln.horizontal for ln in g) >= 2 and sum(not ln.horizontal for ln in g) >= 2
    ]


def _cuts(values: Iterable[float], gap: float) -> list[float]:
    """Positions closer than ``gap`` are one cut (a double border is one line)."""
    cuts: list[list[float]] = []
    for v in sorted(values):
        if cuts and v - cuts[-1][-1] < gap:
            cuts[-1].append(v)
        else:
            cuts.append([v])
    return [sum(c) / len(c) for c in cuts]


def _covers(lines: list[_Line], at: float, start: float, end: float, snap: float) -> bool:
    """Whether a rule runs at ``at`` over the middle of [start, end]."""
    middle = (start + end) / 2
    return any(abs(ln.at - at) <= snap and ln.start - snap <= middle <= ln.end + snap for ln in lines)


def _ruled_tables(
    rules: list[Rule], pieces: list[Piece], unit: float
) -> list[tuple[tuple[float, float, float, float], Grid]]:
    lines = _rule_lines(rules, unit)
    snap = max(0.25 * unit, 0.75)
    tables = []
    for group in _components(lines, snap):
        hs = [ln for ln in group if ln.horizontal]
        vs = [ln for ln in group if not ln.horizontal]
        ys = _cuts((ln.at for ln in hs), 0.5 * unit)
        xs = _cuts((ln.at for ln in vs), 0.5 * unit)
        if len(ys) < 2 or len(xs) < 2:
            continue
        box = (xs[0] - snap, ys[0] - snap, xs[-1] + snap, ys[-1] + snap)
        grid = _slots_to_grid(xs, ys, hs, vs, [p for p in pieces if _inside(p, box)], unit, snap)
        if grid.rows:
            tables.append((box, grid))
    return tables


def _slots_to_grid(
    xs: list[float],
    ys: list[float],
    hs: list[_Line],
    vs: list[_Line],
    pieces: list[Piece],
    unit: float,
    snap: float,
) -> Grid:
    """Slots between the cuts, joined where no rule separates them, as a positional grid."""
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    owner = {(r, c): (r, c) for r in range(n_rows) for c in range(n_cols)}

    def find(slot: tuple[int, int]) -> tuple[int, int]:
        while owner[slot] != slot:
            owner[slot] = owner[owner[slot]]
            slot = owner[slot]
        return slot

    def join(a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            owner[max(ra, rb)] = min(ra, rb)  # the top-left slot owns the merged cell

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and not _covers(vs, xs[c + 1], ys[r], ys[r + 1], snap):
                join((r, c), (r, c + 1))
            if r + 1 < n_rows and not _covers(hs, ys[r + 1], xs[c], xs[c + 1], snap):
                join((r, c), (r + 1, c))
    extent: dict[tuple[int, int], tuple[int, int]] = {}
    for slot in owner:
        root = find(slot)
        last_r, last_c = extent.get(root, root)
        extent[root] = (max(last_r, slot[0]), max(last_c, slot[1]))
    texts: dict[tuple[int, int], list[Piece]] = {}
    for piece in pieces:
        r = _band(ys, piece.middle)
        c = _band(xs, piece.centre)
        if r is not None and c is not None:
            texts.setdefault(find((r, c)), []).append(piece)
    grid = Grid(positional=True)
    for r in range(n_rows):
        row: list[GridCell] = []
        for c in range(n_cols):
            root = find((r, c))
            last_r, last_c = extent[root]
            rowspan, colspan = last_r - root[0] + 1, last_c - root[1] + 1
            if root == (r, c):
                cell_pieces = texts.get(root, [])
                confidences = [p.confidence for p in cell_pieces if p.confidence is not None]
                row.append(
                    GridCell(
                        _cell_text(cell_pieces, unit),
                        0,
                        colspan,
                        rowspan,
                        min(confidences) if confidences else None,
                    )
                )
            elif root[0] == r:
                row.append(GridCell("", 0, colspan, rowspan))
            else:
                row.append(GridCell("", 0))
        grid.rows.append(row)
    return grid


def _band(cuts: list[float], at: float) -> int | None:
    for i in range(len(cuts) - 1):
        if cuts[i] <= at <= cuts[i + 1]:
            return i
    return None


# ---------------------------------------------------------------------------------------------
# Unruled tables

_NUMBER = re.compile(r"^[-+]?\d[\d,，.]*%?$")


def _unruled_tables(lines: list[list[Piece]], unit: float) -> list[tuple[float, Grid, set[int]]]:
    """Runs of lines that look like table rows, cut into columns where all of them have a gap.

    A line belongs to a table when it has a number standing apart from its other text, or
    when it lies between two such lines (a header line, a wrapped label). Column cuts are
    the x positions no piece of the run crosses; a header piece that crosses a cut spans
    the columns it covers, as a merged header cell does.
    """
    found: list[tuple[float, Grid, set[int]]] = []
    run: list[list[Piece]] = []

    def tabular(line: list[Piece]) -> bool:
        cells = _segments(line, unit)
        return len(cells) >= 3 and sum(bool(_NUMBER.match(_join(c, unit).strip())) for c in cells) >= 2

    i = 0
    while i < len(lines):
        if not tabular(lines[i]):
            i += 1
            continue
        start = i
        # Header lines right above the first row belong to the table (a gap of under two lines).
        while (
            start > 0
            and _close(lines[start - 1], lines[start], unit)
            and len(_segments(lines[start - 1], unit)) >= 2
        ):
            start -= 1
        end = i
        while (
            end + 1 < len(lines)
            and _close(lines[end], lines[end + 1], unit)
            and (tabular(lines[end + 1]) or (end + 2 < len(lines) and tabular(lines[end + 2])))
        ):
            end += 1
        run = lines[start : end + 1]
        grid = _columns_grid(run, unit)
        if grid is not None:
            found.append((run[0][0].top, grid, {id(line) for line in run}))
        i = end + 1
    return found


def _close(upper: list[Piece], lower: list[Piece], unit: float) -> bool:
    return min(p.top for p in lower) - max(p.bottom for p in upper) < 1.5 * unit


def _segments(line: list[Piece], unit: float) -> list[list[Piece]]:
    """A line cut where the gap between pieces is wider than a character."""
    segments: list[list[Piece]] = []
    for piece in line:
        if segments and piece.x0 - segments[-1][-1].x1 <= 0.9 * unit:
            segments[-1].append(piece)
        else:
            segments.append([piece])
    return segments


def _columns_grid(run: list[list[Piece]], unit: float) -> Grid | None:
    boxes = [[(s[0].x0, s[-1].x1, s) for s in _segments(line, unit)] for line in run]
    # Columns are the x ranges that the rows' own segments (not the headers') fill.
    body = [row for row, line in zip(boxes, run, strict=True) if len(row) >= 3]
    intervals = sorted((x0, x1) for row in body for x0, x1, _ in row)
    columns: list[list[float]] = []
    for x0, x1 in intervals:
        if columns and x0 <= columns[-1][1] + 0.3 * unit:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    if len(columns) < 3:
        return None
    grid = Grid(positional=True)
    for row in boxes:
        cells = [GridCell("", 0) for _ in columns]
        for x0, x1, segment in row:
            covered = [k for k, (c0, c1) in enumerate(columns) if x0 < c1 and x1 > c0]
            if not covered:
                covered = [min(range(len(columns)), key=lambda k: abs(columns[k][0] - x0))]
            first = covered[0]
            text = _join(segment, unit).strip()
            cells[first] = GridCell(
                (cells[first].text + text) if cells[first].text else text, 0, len(covered), 1
            )
        grid.rows.append(cells)
    return grid
