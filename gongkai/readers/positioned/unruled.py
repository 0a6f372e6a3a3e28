"""Unruled tables: consecutive lines of several pieces far apart, with numbers among them.

They are cut into columns where every line has a gap (see :func:`unruled_tables`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations, pairwise

from gongkai.readers.document import Grid, GridCell
from gongkai.readers.positioned.pieces import Piece, join_line

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
        segment.text = join_line(segment.pieces, unit).strip()
    return segments


def unruled_tables(
    lines: list[list[Piece]], unit: float, *, centred_labels: bool = True
) -> list[tuple[float, Grid, set[int]]]:
    """Tables printed without rules, found by their rows of numbers.

    A line with two or more numbers standing apart is a row (an *anchor*); anchors less than
    a few lines apart, the lines between them (wrapped labels) and the header lines right
    above the first make one table. Value columns are where the numbers stand; labels are
    the text left of them, a wrapped label joined again (a new label starts with its
    numbering, 「1.」「（一）」「一、」, or after a gap) and given to the row whose numbers lie
    within its height, or else the nearest.

    ``centred_labels``: whether a label column may be told by its labels' centres as well as
    their starts. Text laid out in character columns (:mod:`gongkai.readers.text.aligned`) has no
    true widths, so there a centre means nothing and only the starts count.
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
            # running text above the table spans most of its width in one piece, or ends a sentence
            and not any(
                (len(s.text) > 20 and s.x1 - s.x0 > 0.7 * (right - left)) or s.text.endswith("。")
                for s in segmented[start - 1]
            )
        ):
            start -= 1
        grid = _unruled_grid(segmented, set(run), start, first, last, unit, centred_labels)
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
        header = segmented[i]
        if len(header) < 2:
            continue
        # header words wrapped onto lines of their own, under the header's column names
        k = i + 1
        while k + 1 < len(lines) and k - i <= 5 and all(s.x0 >= header[1].x0 - unit for s in segmented[k]):
            k += 1
        below = segmented[k]
        # the label stands where the next row's label does, not under the header of a column of
        # numbers (a header word wrapped onto a third line is no label)
        row = next((segmented[j] for j in sorted(anchors) if j > k), [])
        if (
            (
                not row
                or row[0].numeric
                or below[0].x0 <= row[0].x0 + unit
                or abs(below[0].x0 + below[0].x1 - row[0].x0 - row[0].x1) <= 2 * unit
            )
            and not any(s.numeric or len(s.text) > 16 for s in header)
            and k not in anchors
            and len(below) == 1
            and len(below[0].text) <= 20
            and _gap(lines[k - 1], lines[k]) < 2.5 * unit
            and (
                abs(below[0].x0 - header[0].x0) <= unit
                or abs(below[0].x0 + below[0].x1 - header[0].x0 - header[0].x1) <= 2 * unit
                # or set flush left under a centred 「信息内容」, short of the first column's name
                or (below[0].x0 <= header[0].x0 + unit and below[0].x1 <= header[1].x0)
            )
        ):
            found.append(k)
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
    segmented: list[list[_Segment]],
    anchors: set[int],
    start: int,
    first: int,
    last: int,
    unit: float,
    centred_labels: bool = True,
) -> Grid | None:
    value_segments = [s for i in anchors for s in segmented[i] if s.numeric]
    clusters = _clusters(((s.x0, s.x1) for s in value_segments), 0.2 * unit)
    if not clusters:  # rows all blank: the header line (the one naming the most) names the columns
        lines_above = [segmented[i] for i in range(first - 1, start - 1, -1)]
        named = max(lines_above, key=len, default=[])[1:]
        clusters = [[s.x0, s.x1] for s in named]
        if not clusters:
            return None
    # Each value column owns the band up to halfway to its neighbours: numbers and header
    # text are centred in their cells, which are wider than either.
    centres = [(x0 + x1) / 2 for x0, x1 in clusters]
    # A column left blank in every row has no number to show it; the header line right
    # above the rows still names it. When that line names more columns, its cells are they.
    labels_end = max((s.x1 for i in anchors for s in segmented[i] if not s.numeric), default=clusters[0][0])
    # The header line naming the most columns, the nearest the rows of those (a header word
    # wrapped onto a line of its own may stand between it and the rows).
    header = max(
        (segmented[i] for i in range(first - 1, start - 1, -1) if len(segmented[i]) >= 2),
        key=lambda line: sum(s.x0 > labels_end for s in line),
        default=[],
    )
    named = [s for s in header if s.x0 > labels_end]
    named_centres = [(s.x0 + s.x1) / 2 for s in named]
    if len(named) > len(centres) or (
        # as many names as columns of numbers, each over its own: the names show where the cells
        # are better than numbers set to one side of them (「12」 and 「2340000」 set right)
        len(named) == len(centres) > 1
        and all(
            min(range(len(named)), key=lambda n: abs(named_centres[n] - centre)) == k
            for k, centre in enumerate(centres)
        )
    ):
        centres = named_centres
    if len(centres) == 1:  # one value column: its band reaches back to the labels
        # or to the labels' own header (「信息内容」) on that header line, when that is wider than
        # every label
        if header:
            over = min(header, key=lambda s: abs((s.x0 + s.x1) / 2 - centres[0]))
            labels_end = max([labels_end] + [s.x1 for s in header if s.x1 <= over.x0])
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
    sub_columns = _label_columns(label_segments, unit, centred_labels)
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
            # A label between two rows goes to the nearer; at equal distance, to the one whose label
            # is still missing (a one-line label set at the top of a taller row).
            row = (
                inside[0]
                if len(inside) == 1
                else min(
                    inside or anchor_lines,
                    key=lambda i: (round(abs(middles[i] - middle) / unit, 1), bool(labels[i][sub])),
                )
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
        # A cell's line is its row's line in ``lines``, counted from 1 (page_blocks numbers them anew).
        row = [GridCell("".join(texts), i + 1) for texts in labels[i]]
        row += [GridCell("", i + 1) for _ in columns]
        for seg in segmented[i]:
            if (seg.x0 + seg.x1) / 2 >= label_right:
                position = len(sub_columns) + column_of(seg)
                row[position] = GridCell(row[position].text + seg.text, i + 1)
        grid.rows.append(row)
    return grid


def _label_columns(segments: list[_Segment], unit: float, centred: bool = True) -> list[list[_Segment]]:
    """Label text grouped into the label columns it stands in, left to right.

    Text of one column starts at the same x when left-aligned, or has the same centre when
    centred (a wrapped label's lines too); either makes two pieces one column. A piece that
    starts where a much longer or shorter one does is left-aligned: its centre says nothing,
    and may fall by chance on the centre of text in the next column (a label spanning two
    columns, with column widths of their own), so it is not compared by its centre.
    """
    parent = list(range(len(segments)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    keys = [((s.x0 + s.x1) / 2, s.x0) for s in segments]
    # Left-aligned: starting exactly where a piece does whose centre is elsewhere. (Exactly:
    # centred text of a similar length starts within a character of the other by chance.)
    flush_left = [
        any(
            abs(x0 - other_x0) <= 0.15 * unit and abs(centre - other_centre) > unit
            for other_centre, other_x0 in keys
        )
        for centre, x0 in keys
    ]
    for i in range(len(segments)):
        for j in range(i):
            by_centre = (
                centred and not flush_left[i] and not flush_left[j] and abs(keys[i][0] - keys[j][0]) <= unit
            )
            if by_centre or abs(keys[i][1] - keys[j][1]) <= unit:
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
    by_line: dict[int, list[_Segment]] = {}
    for seg in segments:
        by_line.setdefault(seg.line, []).append(seg)

    def overlap(a: _Segment, b: _Segment) -> float:
        return min(a.x1, b.x1) - max(a.x0, b.x0)

    def names_a_group(upper: _Segment, lower_line: int) -> bool:
        """Whether ``upper`` names a group of the columns below rather than wraps onto the next line.

        A group's name (「行政复议」 over 「结果维持」「结果纠正」…) reaches over two or more cells of the
        line below, or has three or more of them in its room: as wide on either side of its centre
        as the nearest text of its own line, or the table's edge, allows. (No group of the official
        tables spans fewer than three columns, while a wrapped header word beside a column whose
        header is one line has two cells in its room: 「尚未」 over 「审结」 and 「总计」.)
        """
        lower = by_line[lower_line]
        if sum(overlap(upper, o) > 0 for o in lower) >= 2:
            return True
        own = by_line[upper.line]
        left = max([o.x1 for o in own if o.x1 <= upper.x0] + [columns[0][0]])
        right = min([o.x0 for o in own if o.x0 >= upper.x1] + [columns[-1][1]])
        centre = (upper.x0 + upper.x1) / 2
        half = max(min(centre - left, right - centre), (upper.x1 - upper.x0) / 2)
        return sum(centre - half <= o.x0 and o.x1 <= centre + half for o in lower) >= 3

    for seg in sorted(segments, key=lambda s: (s.top, s.x0)):
        for cell in cells:
            last = cell[-1]
            if (
                overlap(last, seg) > 0.5 * min(last.x1 - last.x0, seg.x1 - seg.x0)
                and 0 <= seg.top - last.bottom < 0.6 * unit
                and not _BLOCK_CAPTION.search(last.text)  # a block's caption stands alone over its header
                and not names_a_group(last, seg.line)
                # a wrapped line starts where the line above does, or is centred under it, and is no
                # wider (「行政诉讼」 over a wider 「未经复议直接起诉」 names a group)
                and (abs(seg.x0 - last.x0) <= unit or abs(seg.x0 + seg.x1 - last.x0 - last.x1) <= 2 * unit)
                and seg.x1 - seg.x0 <= last.x1 - last.x0 + 2 * unit
            ):
                cell.append(seg)
                break
        else:
            cells.append([seg])

    def covered(cell: list[_Segment]) -> list[int]:
        x0, x1 = min(s.x0 for s in cell), max(s.x1 for s in cell)
        found = [
            c
            for c, (c0, c1) in enumerate(columns)
            if min(x1, c1) - max(x0, c0) > min(0.25 * (c1 - c0), 0.5 * (x1 - x0))
        ]
        # text astride the line between two columns stands in the one its centre is in
        return found or [c for c, (c0, c1) in enumerate(columns) if c0 <= (x0 + x1) / 2 < c1]

    direct = [covered(cell) for cell in cells]
    # Two cells side by side that reach into each other's columns (header words centred in their
    # cells over numbers set to the right) each stand in the column of their centre.
    for k, j in combinations(range(len(cells)), 2):
        beside = cells[k][0].top < cells[j][-1].bottom and cells[j][0].top < cells[k][-1].bottom
        if beside and set(direct[k]) & set(direct[j]):
            for m in (k, j):
                centre = (min(s.x0 for s in cells[m]) + max(s.x1 for s in cells[m])) / 2
                own = [c for c in direct[m] if columns[c][0] <= centre < columns[c][1]]
                direct[m] = own or direct[m]
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
            line = cell[0].line + 1
            rows.append((cell[0].top, [GridCell("", line) for _ in range(width)]))
        row = rows[-1][1]
        if span is None:
            row[0] = GridCell(row[0].text + text, line, labels)
        else:
            a, b = span
            row[labels + a] = GridCell(row[labels + a].text + text, line, b - a + 1)
    return [row for _, row in rows]


def _line_middle(segments: list[_Segment]) -> float:
    return sum((s.top + s.bottom) / 2 for s in segments) / len(segments)
