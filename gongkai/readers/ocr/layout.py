"""Where the text is on a cleaned page: its ruling lines and its text boxes.

Ruling lines are found with morphology; text lines are cut out as connected components,
never across a ruling line, so every box lies inside one table cell by construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gongkai.readers.positioned.pieces import Rule

if TYPE_CHECKING:
    import numpy as np


# ---------------------------------------------------------------------------------------------
# Ruling lines


def ruling_lines(
    ink: np.ndarray, char: float, cv2: Any, np: Any
) -> tuple[list[Rule], np.ndarray, np.ndarray]:
    """Table rules: long thin runs of ink, as boxes, and masks of them (all, vertical only).

    Horizontal rules are longer than three characters, so no character's stroke is one (and
    no run of strokes: nothing bridges the gap between two characters). A vertical rule may
    be as short as one table row, no longer than a character's stroke, so it is kept only
    where both its ends meet a horizontal rule.
    """
    width = ink.shape[1]
    thick = max(4, round(width / 300), round(0.25 * char))  # a rule is at most ~1 mm thick
    across = max(24, width // 40, round(3 * char))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, across), np.uint8))
    down = max(10, round(0.8 * char))
    vertical = cv2.morphologyEx(
        cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 1), np.uint8)),
        cv2.MORPH_OPEN,
        np.ones((down, 1), np.uint8),
    )
    rules: list[Rule] = []
    flats: list[tuple[int, int, int, int]] = []
    count, labels, stats, _ = cv2.connectedComponentsWithStats(horizontal, connectivity=8)
    keep = np.zeros(count, np.uint8)
    for k in range(1, count):
        x, y, w, h, _area = (int(v) for v in stats[k])
        if h <= thick and w >= across:
            flats.append((x, y, x + w, y + h))
            keep[k] = 1
            rules.append(Rule(x, y, x + w, y + h))
    rule_mask = keep[labels]
    reach = thick + 4

    def meets(x: int, y: int) -> bool:
        return any(
            x0 - reach <= x <= x1 + reach and top - reach <= y <= bottom + reach
            for x0, top, x1, bottom in flats
        )

    count, labels, stats, _ = cv2.connectedComponentsWithStats(vertical, connectivity=8)
    keep = np.zeros(count, np.uint8)
    for k in range(1, count):
        x, y, w, h, _area = (int(v) for v in stats[k])
        middle = x + w // 2
        if w <= thick and h >= down and meets(middle, y) and meets(middle, y + h):
            keep[k] = 1
            rules.append(Rule(x, y, x + w, y + h))
    vertical_mask = keep[labels]
    rule_mask |= vertical_mask
    grow = np.ones((3, 3), np.uint8)
    return _aligned(rules, thick), cv2.dilate(rule_mask, grow), cv2.dilate(vertical_mask, grow)


def _aligned(rules: list[Rule], thick: int) -> list[Rule]:
    """Pieces of one straight line (a border broken at each crossing) given one position.

    A scan wobbles by a pixel along a line; positioned.py merges collinear pieces only when
    they stand at nearly the same place, and tells a double border from one line by it.
    """
    out: list[Rule] = []
    for vertical in (False, True):
        group = sorted(
            (r for r in rules if (r.bottom - r.top > r.x1 - r.x0) == vertical),
            key=lambda r: r.x0 + r.x1 if vertical else r.top + r.bottom,
        )
        runs: list[list[Rule]] = []
        for rule in group:
            at = (rule.x0 + rule.x1) / 2 if vertical else (rule.top + rule.bottom) / 2
            if runs:
                last = runs[-1][-1]
                last_at = (last.x0 + last.x1) / 2 if vertical else (last.top + last.bottom) / 2
                if at - last_at <= thick / 2:
                    runs[-1].append(rule)
                    continue
            runs.append([rule])
        for run in runs:
            if vertical:
                x0 = sorted(r.x0 for r in run)[len(run) // 2]
                x1 = sorted(r.x1 for r in run)[len(run) // 2]
                out += [Rule(x0, r.top, x1, r.bottom) for r in run]
            else:
                top = sorted(r.top for r in run)[len(run) // 2]
                bottom = sorted(r.bottom for r in run)[len(run) // 2]
                out += [Rule(r.x0, top, r.x1, bottom) for r in run]
    return out


def character_size(ink: np.ndarray, cv2: Any, np: Any) -> float:
    """About the height of a character: the tallest quarter of the small blobs of ink.

    Most blobs are whole characters or their left and right parts; tables and pictures are
    the few large ones, left out.
    """
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    small = heights[(heights >= 3) & (heights < ink.shape[0] / 20) & (widths < ink.shape[1] / 20)]
    return float(np.percentile(small, 90)) if small.size else 10.0


# ---------------------------------------------------------------------------------------------
# Text lines


@dataclass(slots=True)
class TextBox:
    x0: int
    top: int
    x1: int
    bottom: int

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def text_boxes(
    text: np.ndarray, char: float, vertical_mask: np.ndarray, rules: list[Rule], cv2: Any, np: Any
) -> tuple[list[TextBox], float]:
    """Runs of characters on one line, never across a vertical rule; and the height of a run.

    Characters closer than about one character are one run: the white after a full-width
    「，」 or 「、」 stays inside its line, the gap between two columns of an unruled table does not.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(text, connectivity=8)
    # Specks of scan noise out; not flat strokes: 一 at 6 pt and 200 dpi is 2 pixels high.
    real = stats[1:, cv2.CC_STAT_AREA] >= 3
    if not real.any():
        return [], 1.0
    unit = char
    keep = np.zeros(count, np.uint8)
    keep[1:][real] = 1
    text = keep[labels]
    gap = max(3, round(0.9 * unit))
    smear = cv2.dilate(text, np.ones((1, gap), np.uint8)) & (1 - vertical_mask)
    count, labels, _, _ = cv2.connectedComponentsWithStats(smear, connectivity=8)
    ys, xs = np.nonzero(text)
    owner = labels[ys, xs]
    x0 = np.full(count, 1 << 30)
    top = np.full(count, 1 << 30)
    x1 = np.full(count, -1)
    bottom = np.full(count, -1)
    np.minimum.at(x0, owner, xs)
    np.minimum.at(top, owner, ys)
    np.maximum.at(x1, owner, xs + 1)
    np.maximum.at(bottom, owner, ys + 1)
    boxes = [
        TextBox(int(x0[k]), int(top[k]), int(x1[k]), int(bottom[k])) for k in range(1, count) if x1[k] > 0
    ]
    boxes = _join_stacked(boxes, unit, rules)
    heights_of_runs = [b.height for b in boxes if b.height >= 0.5 * unit]
    if heights_of_runs:
        unit = float(np.median(heights_of_runs))
    return boxes, unit


def _join_stacked(boxes: list[TextBox], unit: float, rules: list[Rule]) -> list[TextBox]:
    """Parts of one character above each other (二, 三, ：, 「」 marks) are one box.

    Two boxes are joined when one stands over the other and together they are no taller than
    a character, with no horizontal rule between them.
    """
    boxes = sorted(boxes, key=lambda b: b.top)
    merged = True
    while merged:
        merged = False
        out: list[TextBox] = []
        for box in boxes:
            for other in reversed(out[-40:]):
                overlap = min(box.x1, other.x1) - max(box.x0, other.x0)
                if overlap <= 0.5 * min(box.x1 - box.x0, other.x1 - other.x0):
                    continue
                top, bottom = min(box.top, other.top), max(box.bottom, other.bottom)
                if bottom - top > 1.25 * unit or _ruled_between(other, box, rules):
                    continue
                other.x0, other.x1 = min(box.x0, other.x0), max(box.x1, other.x1)
                other.top, other.bottom = top, bottom
                merged = True
                break
            else:
                out.append(box)
        boxes = sorted(out, key=lambda b: b.top)
    return boxes


def _ruled_between(upper: TextBox, lower: TextBox, rules: list[Rule]) -> bool:
    a, b = sorted((upper, lower), key=lambda box: box.top)
    x = (max(a.x0, b.x0) + min(a.x1, b.x1)) / 2
    return any(
        r.x1 - r.x0 > r.bottom - r.top
        and r.x0 <= x <= r.x1
        and a.middle <= (r.top + r.bottom) / 2 <= b.middle
        for r in rules
    )
