"""Short rows of table 三 placed by the table's identities (issue 3, §3).

Where a form loses the grid (text copied out of a PDF, OCR), a row keeps its numbers but
not their columns: 「（一）予以公开 5 2 7」 has three numbers for seven columns, the blank
cells gone. The numbers keep their order, so a placement is a choice of which columns they
fill. Each is scored by the identities it makes hold (the row's total, and each column's
（七）总计 and 第一项加第二项 = 第三项加第四项, with the other rows as read); the best is kept.
When several placements score the same, the one leaning most to the left columns (自然人
first, the usual case) is kept, and the finding says that it could not be decided.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

Value = int | float | None

APPLICANTS = ("natural", "commercial", "research", "nonprofit", "legal", "other_org")
_NOT_OUTCOMES = ("new", "carried_in", "total", "carried_over")
MAX_PLACEMENTS = 5000  # C(7, k) is at most 35; a wider table is not table 三


@dataclass
class ShortRow:
    """A row with fewer values than columns: its row key, column keys and values in order."""

    row: str  # e.g. "granted", "denied.state_secret"
    columns: tuple[str, ...]  # the header's column keys, e.g. natural … total
    values: tuple[Value, ...]


@dataclass
class Placement:
    """The columns chosen for a short row, and whether the identities decided it."""

    columns: tuple[str, ...]
    decided: bool
    alternatives: int  # other placements that scored the same


def _num(value: Value) -> float:
    return 0.0 if value is None else float(value)


def _score(cells: dict[str, Value], row: str) -> int:
    """How many identities touching ``row`` hold, minus how many fail."""
    score = 0

    def check(total: Value, parts: Sequence[Value]) -> None:
        nonlocal score
        if total is None and all(p is None for p in parts):
            return
        score += 1 if abs(_num(total) - sum(_num(p) for p in parts)) < 1e-9 else -1

    check(cells.get(f"requests.{row}.total"), [cells.get(f"requests.{row}.{c}") for c in APPLICANTS])
    rows = {k[len("requests.") :].rsplit(".", 1)[0] for k in cells if k.startswith("requests.")}
    outcome_rows = sorted(rows - set(_NOT_OUTCOMES))
    for column in (*APPLICANTS, "total"):
        if row not in _NOT_OUTCOMES or row == "total":
            parts = [cells.get(f"requests.{r}.{column}") for r in outcome_rows]
            check(cells.get(f"requests.total.{column}"), parts)
        if row in _NOT_OUTCOMES:
            check(
                _num(cells.get(f"requests.new.{column}")) + _num(cells.get(f"requests.carried_in.{column}")),
                [cells.get(f"requests.total.{column}"), cells.get(f"requests.carried_over.{column}")],
            )
    return score


def place_short_row(short: ShortRow, cells: dict[str, Value]) -> Placement:
    """The most likely columns for a short row's values, given the table's other cells.

    ``cells`` holds the table's flat keys (``requests.granted.natural``…) as read; it is not
    changed. Values keep their order; blank columns are the ones left out.
    """
    n, k = len(short.columns), len(short.values)
    if k >= n or k == 0:
        return Placement(short.columns[:k], True, 0)
    scored: list[tuple[int, tuple[str, ...]]] = []
    base = {key: value for key, value in cells.items() if not key.startswith(f"requests.{short.row}.")}
    for i, chosen in enumerate(combinations(range(n), k)):
        if i >= MAX_PLACEMENTS:
            break
        columns = tuple(short.columns[c] for c in chosen)
        trial = dict(base)
        trial.update({f"requests.{short.row}.{c}": v for c, v in zip(columns, short.values, strict=True)})
        scored.append((_score(trial, short.row), columns))
    best = max(score for score, _ in scored)
    winners = [columns for score, columns in scored if score == best]  # combinations come left-first
    return Placement(winners[0], len(winners) == 1, len(winners) - 1)


def resolve(
    shorts: Sequence[ShortRow], cells: dict[str, Value], name: Callable[[str], str]
) -> list[tuple[ShortRow, Placement, str]]:
    """Place every short row (each given the others as placed so far); say how, in words.

    Returns, per row, its placement and a message for a READ-ROW-WIDTH finding.
    """
    current = dict(cells)
    out: list[tuple[ShortRow, Placement, str]] = []
    for short in shorts:
        for key in [k for k in current if k.startswith(f"requests.{short.row}.")]:
            del current[key]
    for short in shorts:
        placement = place_short_row(short, current)
        current.update(
            {f"requests.{short.row}.{c}": v for c, v in zip(placement.columns, short.values, strict=True)}
        )
        placed = "、".join(name(c) for c in placement.columns)
        if placement.decided:
            message = (
                f"该行只有{len(short.values)}个数值（表头{len(short.columns)}列），"
                f"按表三的勾稽关系放入：{placed}；其余列按未填写处理，请核对"
            )
        else:
            message = (
                f"该行只有{len(short.values)}个数值（表头{len(short.columns)}列），勾稽关系不能确定位置"
                f"（另有{placement.alternatives}种放法同样成立），按最常见的靠左对位放入：{placed}，请核对原件"
            )
        out.append((short, placement, message))
    return out
