"""Ruled tables: rules that cross each other make a table, their positions cut it into slots.

Two neighbouring slots with no rule between them are one merged cell. The grid is positional,
merged cells expanded as the HTML reader does (the top-left position holds the text, covered
positions are empty).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gongkai.readers.document import Grid, GridCell
from gongkai.readers.positioned.pieces import Piece, Rule, cell_text, inside


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


def ruled_tables(
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
        grid = _slots_to_grid(xs, ys, hs, vs, [p for p in pieces if inside(p, box)], unit, snap)
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
                        cell_text(cell_pieces, unit),
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
