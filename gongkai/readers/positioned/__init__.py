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
from itertools import pairwise

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
        blocks, counter = page_blocks(page, counter, doc.places)
        doc.blocks.extend(blocks)
    return doc


def page_blocks(
    page: Page, counter: int = 1, places: dict[int, str] | None = None
) -> tuple[list[Paragraph | Grid], int]:
    """One page's blocks in reading order, numbering lines from ``counter``.

    ``places``, when given, receives where each number is: 「第2页」, 「第2页表格1第3行」.
    """
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
    tables = 0
    for _, block in sorted(placed, key=lambda item: item[0]):
        if isinstance(block, Grid):
            tables += 1
            for r, row in enumerate(block.rows, start=1):
                for cell in row:
                    cell.line = counter
                if places is not None:
                    places[counter] = f"第{page.number}页表格{tables}第{r}行"
                counter += 1
        else:
            block = Paragraph(block.text, counter)
            if places is not None:
                places[counter] = f"第{page.number}页"
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
    for horizontal in (False, True):
        # Lines within a snap of each other are one position (clustered in order, so that two
        # pieces a pixel apart never fall either side of a rounding boundary), then merged
        # along it where they touch.
        ordered = sorted((ln for ln in raw if ln.horizontal == horizontal), key=lambda ln: ln.at)
        clusters: list[list[_Line]] = []
        for line in ordered:
            if clusters and line.at - clusters[-1][-1].at <= snap:
                clusters[-1].append(line)
            else:
                clusters.append([line])
        for cluster in clusters:
            start = len(merged)
            for line in sorted(cluster, key=lambda ln: ln.start):
                last = merged[-1] if len(merged) > start else None
                if last is not None and line.start <= last.end + snap:
                    last.end = max(last.end, line.end)
                else:
                    merged.append(_Line(horizontal, line.at, line.start, line.end))
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

_NUMBER = re.compile(r"^[-+]?\d[\d,，.]*%?$|^[-—–－/]$")
_ITEM_START = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.．、])")
_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
_BLOCK_CAPTION = re.compile(r"^第二十条第[(（]?[一二三四五六七八九十]{1,3}[)）]?项$")


@dataclass(slots=True)
class _Segment:
    """Pieces of one line close together: one cell's text on that line."""

    pieces: list[Piece]
    line: int  # index of its line in the page's lines
    text: str = ""

    @property
    def x0(self) -> float:
        return self.pieces[0].x0

    @property
    def x1(self) -> float:
        return self.pieces[-1].x1

    @property
    def top(self) -> float:
        return min(p.top for p in self.pieces)

    @property
    def bottom(self) -> float:
        return max(p.bottom for p in self.pieces)

    @property
    def numeric(self) -> bool:
        return bool(_NUMBER.match(self.text))


def _segments(line: list[Piece], unit: float, index: int = 0) -> list[_Segment]:
    """A line cut where the gap between pieces is wider than a character."""
    segments: list[_Segment] = []
    for piece in line:
        if segments and piece.x0 - segments[-1].x1 <= 0.9 * unit:
            segments[-1].pieces.append(piece)
        else:
            segments.append(_Segment([piece], index))
    for segment in segments:
        segment.text = _join(segment.pieces, unit).strip()
    return segments


def _unruled_tables(lines: list[list[Piece]], unit: float) -> list[tuple[float, Grid, set[int]]]:
    """Tables printed without rules, found by their rows of numbers.

    A line with two or more numbers standing apart is a row (an *anchor*); anchors less than
    a few lines apart, the lines between them (wrapped labels) and the header lines right
    above the first make one table. Value columns are where the numbers stand; labels are
    the text left of them, a wrapped label joined again (a new label starts with its
    numbering, 「1.」「（一）」「一、」, or after a gap) and given to the row whose numbers lie
    within its height, or else the nearest.
    """
    segmented = [_segments(line, unit, i) for i, line in enumerate(lines)]
    anchors = [i for i, segs in enumerate(segmented) if _is_row(segs, unit)]
    anchors = sorted({*anchors, *_blank_rows(lines, segmented, set(anchors), unit)})
    found: list[tuple[float, Grid, set[int]]] = []
    k = 0
    while k < len(anchors):
        run = [anchors[k]]
        while k + 1 < len(anchors) and _continues(segmented, run[-1], anchors[k + 1], unit):
            k += 1
            run.append(anchors[k])
        k += 1
        first, last = run[0], run[-1]
        start = first
        left = min(s.x0 for i in run for s in segmented[i])
        right = max(s.x1 for i in run for s in segmented[i])
        while (
            start > 0
            and _gap(lines[start - 1], lines[start]) < 2 * unit
            and not _HEADING.match(segmented[start - 1][0].text)
            and start - 1 not in anchors
            # running text above the table spans most of its width in one piece
            and not any(len(s.text) > 20 and s.x1 - s.x0 > 0.7 * (right - left) for s in segmented[start - 1])
        ):
            start -= 1
        grid = _unruled_grid(segmented, set(run), start, first, last, unit)
        if grid is not None:
            found.append((lines[start][0].top, grid, {id(lines[i]) for i in range(start, last + 1)}))
    return found


def _blank_rows(
    lines: list[list[Piece]], segmented: list[list[_Segment]], anchors: set[int], unit: float
) -> list[int]:
    """Rows whose cells are all blank: a label alone, right under a header of column names, or
    right under a row of the table where a block of table 二 ends.

    A header line is two or more short names standing apart, no number among them; the
    line under it, close, is one label that stands where the header's first name does. At the
    end of a block, the label stands where the row above stands its own, and the next block's
    caption (「第二十条第（五）项」), a heading or a wide gap follows: no label of a row below
    can wrap there.
    """
    found = []
    for i in range(1, len(lines)):
        alone, above = segmented[i], segmented[i - 1]
        after = segmented[i + 1] if i + 1 < len(lines) else []
        if (
            i - 1 in anchors
            and len(alone) == 1
            and not alone[0].numeric
            and len(alone[0].text) <= 20
            and not _BLOCK_CAPTION.search(alone[0].text)
            and (  # labels set flush left, or centred in their column
                abs(alone[0].x0 - above[0].x0) <= unit
                or abs(alone[0].x0 + alone[0].x1 - above[0].x0 - above[0].x1) <= 2 * unit
            )
            and _gap(lines[i - 1], lines[i]) < 2.5 * unit
            and (
                not after
                or _BLOCK_CAPTION.search(after[0].text)
                or _HEADING.match(after[0].text)
                or _gap(lines[i], lines[i + 1]) >= 2.5 * unit
            )
        ):
            found.append(i)
    for i in range(len(lines) - 1):
        header, below = segmented[i], segmented[i + 1]
        if (
            len(header) >= 2
            and not any(s.numeric or len(s.text) > 16 for s in header)
            and i + 1 not in anchors
            and len(below) == 1
            and len(below[0].text) <= 20
            and _gap(lines[i], lines[i + 1]) < 2.5 * unit
            and (
                abs(below[0].x0 - header[0].x0) <= unit
                or abs(below[0].x0 + below[0].x1 - header[0].x0 - header[0].x1) <= 2 * unit
            )
        ):
            found.append(i + 1)
    return found


def _is_row(segments: list[_Segment], unit: float) -> bool:
    """A table row: two numbers standing apart, or a label and one number far from it."""
    numbers = sum(s.numeric for s in segments)
    if numbers >= 2:
        return True
    return (
        len(segments) == 2
        and segments[1].numeric
        and not segments[0].numeric
        and segments[1].x0 - segments[0].x1 > 3 * unit
    )


def _continues(segmented: list[list[_Segment]], upper: int, lower: int, unit: float) -> bool:
    """Whether two rows of numbers belong to one table: close, and only label text between."""
    numbers = [s for i in (upper, lower) for s in segmented[i] if s.numeric]
    between = [s for i in range(upper + 1, lower) for s in segmented[i]]
    if not numbers and between:  # two blank rows with text between: nothing says it is a label
        return False
    if any(_BLOCK_CAPTION.search(s.text) for s in between):
        # a block of table 二 begins (「第二十条第（五）项」): its own header follows, which the test
        # below misses when the columns it spans are blank in both rows (no number shows them)
        return False
    value_left = min((s.x0 for s in numbers), default=float("inf"))
    if any(s.x1 > value_left for s in between):
        return False  # text over the value columns: a header, so a new table
    limit = (lower - upper) * 2.5 * unit
    return min(s.top for s in segmented[lower]) - max(s.bottom for s in segmented[upper]) < limit


def _gap(upper: list[Piece], lower: list[Piece]) -> float:
    return min(p.top for p in lower) - max(p.bottom for p in upper)


def _clusters(intervals: Iterable[tuple[float, float]], slack: float) -> list[list[float]]:
    """Overlapping intervals merged: [x0, x1] of each cluster, left to right."""
    merged: list[list[float]] = []
    for x0, x1 in sorted(intervals):
        if merged and x0 <= merged[-1][1] + slack:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    return merged


def _unruled_grid(
    segmented: list[list[_Segment]], anchors: set[int], start: int, first: int, last: int, unit: float
) -> Grid | None:
    value_segments = [s for i in anchors for s in segmented[i] if s.numeric]
    clusters = _clusters(((s.x0, s.x1) for s in value_segments), 0.2 * unit)
    if not clusters:  # rows all blank: the header line names the columns
        named = segmented[first - 1][1:] if first > start else []
        clusters = [[s.x0, s.x1] for s in named]
        if not clusters:
            return None
    # Each value column owns the band up to halfway to its neighbours: numbers and header
    # text are centred in their cells, which are wider than either.
    centres = [(x0 + x1) / 2 for x0, x1 in clusters]
    # A column left blank in every row has no number to show it; the header line right
    # above the rows still names it. When that line names more columns, its cells are they.
    labels_end = max((s.x1 for i in anchors for s in segmented[i] if not s.numeric), default=clusters[0][0])
    if first > start:
        named = [s for s in segmented[first - 1] if s.x0 > labels_end]
        if len(named) > len(centres):
            centres = [(s.x0 + s.x1) / 2 for s in named]
    if len(centres) == 1:  # one value column: its band reaches back to the labels
        half = max(centres[0] - labels_end, unit)
        edges = [centres[0] - half, centres[0] + half]
    else:
        edges = [centres[0] - (centres[1] - centres[0]) / 2]
        edges += [(a + b) / 2 for a, b in pairwise(centres)]
        edges.append(centres[-1] + (centres[-1] - centres[-2]) / 2)
    columns = [[edges[c], edges[c + 1]] for c in range(len(centres))]
    label_right = min(edges[0], clusters[0][0] - 0.5 * unit)

    def column_of(seg: _Segment) -> int:
        middle = (seg.x0 + seg.x1) / 2
        return min(range(len(columns)), key=lambda c: abs(centres[c] - middle))

    # Labels: text left of the numbers, from the first row's line down (header lines above).
    label_segments = [
        s for i in range(first, last + 1) for s in segmented[i] if (s.x0 + s.x1) / 2 < label_right
    ]
    # A wrapped label of the first row may stand above it, touching it.
    label_segments += [
        s
        for i in range(start, first)
        for s in segmented[i]
        if (s.x0 + s.x1) / 2 < label_right and _ITEM_START.match(s.text)
    ]
    taken = {id(s) for s in label_segments}
    sub_columns = _label_columns(label_segments, unit)
    anchor_lines = sorted(anchors)
    middles = {i: _line_middle(segmented[i]) for i in anchor_lines}
    labels: dict[int, list[list[str]]] = {i: [[] for _ in sub_columns] for i in anchor_lines}
    for sub, members in enumerate(sub_columns):
        items: list[list[_Segment]] = []
        for seg in sorted(members, key=lambda s: s.top):
            if items:
                previous = items[-1]
                starts_anew = _ITEM_START.match(seg.text) or seg.top - previous[-1].bottom > 0.6 * unit
                two_rows = seg.line in anchors and any(p.line in anchors for p in previous)
                if not starts_anew and not two_rows:
                    previous.append(seg)
                    continue
            items.append([seg])
        for item in items:
            top, bottom = item[0].top, item[-1].bottom
            inside = [i for i in anchor_lines if top <= middles[i] <= bottom]
            middle = (top + bottom) / 2
            row = (
                inside[0]
                if len(inside) == 1
                else min(inside or anchor_lines, key=lambda i: abs(middles[i] - middle))
            )
            labels[row][sub].append("".join(s.text for s in item))
    grid = Grid(positional=True)
    grid.rows.extend(
        _header_rows(
            [s for i in range(start, first) for s in segmented[i] if id(s) not in taken],
            columns,
            label_right,
            len(sub_columns),
            unit,
        )
    )
    for i in anchor_lines:
        row = [GridCell("".join(texts), 0) for texts in labels[i]]
        row += [GridCell("", 0) for _ in columns]
        for seg in segmented[i]:
            if (seg.x0 + seg.x1) / 2 >= label_right:
                position = len(sub_columns) + column_of(seg)
                row[position] = GridCell(row[position].text + seg.text, 0)
        grid.rows.append(row)
    return grid


def _label_columns(segments: list[_Segment], unit: float) -> list[list[_Segment]]:
    """Label text grouped into the label columns it stands in, left to right.

    Text of one column starts at the same x when left-aligned, or has the same centre when
    centred (a wrapped label's lines too); either makes two pieces one column.
    """
    parent = list(range(len(segments)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    keys = [((s.x0 + s.x1) / 2, s.x0) for s in segments]
    for i in range(len(segments)):
        for j in range(i):
            if abs(keys[i][0] - keys[j][0]) <= unit or abs(keys[i][1] - keys[j][1]) <= unit:
                parent[find(i)] = find(j)
    groups: dict[int, list[_Segment]] = {}
    for i, seg in enumerate(segments):
        groups.setdefault(find(i), []).append(seg)
    return sorted(groups.values(), key=lambda g: min(s.x0 for s in g))


def _header_rows(
    segments: list[_Segment], columns: list[list[float]], label_right: float, labels: int, unit: float
) -> list[list[GridCell]]:
    """Header lines as positional rows: a header cell spans the value columns it is centred over.

    Header text is centred over its merged cell, so a short label over five columns stands
    over one or two: it is widened evenly on both sides until it meets the table's edge or
    the text of another header cell at the same height.
    """
    cells: list[list[_Segment]] = []  # a cell's text may wrap over several lines
    for seg in sorted(segments, key=lambda s: (s.top, s.x0)):
        for cell in cells:
            last = cell[-1]
            overlap = min(last.x1, seg.x1) - max(last.x0, seg.x0)
            if (
                overlap > 0.5 * min(last.x1 - last.x0, seg.x1 - seg.x0)
                and 0 <= seg.top - last.bottom < 0.6 * unit
            ):
                cell.append(seg)
                break
        else:
            cells.append([seg])

    def covered(cell: list[_Segment]) -> list[int]:
        x0, x1 = min(s.x0 for s in cell), max(s.x1 for s in cell)
        return [
            c
            for c, (c0, c1) in enumerate(columns)
            if min(x1, c1) - max(x0, c0) > min(0.25 * (c1 - c0), 0.5 * (x1 - x0))
        ]

    direct = [covered(cell) for cell in cells]
    spans: list[tuple[int, int] | None] = []
    for k, cell in enumerate(cells):
        if (min(s.x0 for s in cell) + max(s.x1 for s in cell)) / 2 < label_right or not direct[k]:
            spans.append(None)
            continue
        top, bottom = cell[0].top, cell[-1].bottom
        blocked = {
            c
            for j, other in enumerate(cells)
            if j != k and other[0].top < bottom - 0.2 * unit and other[-1].bottom > top + 0.2 * unit
            for c in direct[j]
        }
        a, b = direct[k][0], direct[k][-1]
        while a > 0 and b < len(columns) - 1 and a - 1 not in blocked and b + 1 not in blocked:
            a, b = a - 1, b + 1
        spans.append((a, b))
    rows: list[tuple[float, list[GridCell]]] = []
    width = labels + len(columns)
    for cell, span in sorted(zip(cells, spans, strict=True), key=lambda item: item[0][0].top):
        text = "".join(s.text for s in cell)
        if not rows or cell[0].top - rows[-1][0] > 0.5 * unit:
            rows.append((cell[0].top, [GridCell("", 0) for _ in range(width)]))
        row = rows[-1][1]
        if span is None:
            row[0] = GridCell(row[0].text + text, 0, labels)
        else:
            a, b = span
            row[labels + a] = GridCell(row[labels + a].text + text, 0, b - a + 1)
    return [row for _, row in rows]


def _line_middle(segments: list[_Segment]) -> float:
    return sum((s.top + s.bottom) / 2 for s in segments) / len(segments)
