"""Hypothesis strategies: random canonical reports that satisfy every identity of report-json.md.

Numbers are small and mostly zero, as in real reports of departments and districts:
most applicant columns and most outcome rows are empty, table 四 is usually all zero.

* Table 三, each applicant column: outcome rows drawn, （七）总计 their sum, 上年结转 and
  结转下年度 drawn, 本年新收 the balance (一 + 二 = 三（七） + 四); the 总计 column is the
  sum of the six applicant columns in every row.
* Table 四, each group: four outcome columns drawn, 总计 their sum.
* Table 二: counts ≥ 0; 2019 本年增/减 signed (never below minus the previous year's count),
  2019 本年新公开数量 ≤ 对外公开总数量; money as floats of at most two decimals in 万元
  (2021 fees.amount) or whole 元 (2019 procurement.amount).
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from gongkai.model.layouts import APPEAL_COLUMNS, REQUEST_COLUMNS, Layout, layout_for
from gongkai.model.report import Report2019, Report2021, build_report

AGENCIES = (
    "杭州市某某区科学技术局",
    "某某县民政局",
    "某某市人民政府办公室",
    "某某市自然资源和规划局",
    "某某区住房和城乡建设局",
    "某某县某某镇人民政府",
    "某某市生态环境局某某分局",
    "某某区市场监督管理局",
)
YEARS = {"2019": (2019, 2020), "2021": (2021, 2022, 2023, 2024, 2025)}
APPLICANT_COLUMNS = tuple(c.key for c in REQUEST_COLUMNS[:6])


def small_counts(high: int = 50) -> st.SearchStrategy[int]:
    """A count as real reports have them: mostly 0, often a few, sometimes up to ``high``."""
    return st.one_of(st.just(0), st.just(0), st.integers(1, 5), st.integers(0, high))


def _blank_or(strategy: st.SearchStrategy[Any], blanks: bool) -> st.SearchStrategy[Any]:
    """``strategy``, or now and then ``None`` (a blank cell) when ``blanks``."""
    if not blanks:
        return strategy
    return st.one_of(strategy, strategy, strategy, strategy, st.none())


def money_wan(blanks: bool = False) -> st.SearchStrategy[int | float | None]:
    """A fee total in 万元: 0, or a decimal of at most two places (0.35, 12.5, 3)."""

    def to_wan(cents: int) -> int | float:
        value = Decimal(cents) / 100
        return int(value) if value == value.to_integral_value() else float(value)

    return _blank_or(st.one_of(st.just(0), st.integers(0, 500_000).map(to_wan)), blanks)


@st.composite
def _requests(draw: st.DrawFn, layout: Layout, single_other: bool) -> dict[str, int]:
    """Table 三 cells (keys under ``requests``) that satisfy every identity."""
    rows = [r.key for r in layout.request_rows]
    outcomes = rows[rows.index("granted") : rows.index("total")]
    if single_other:
        outcomes = [k for k in outcomes if not k.startswith("other.")] + ["other"]
    all_rows = ["new", "carried_in", *outcomes, "total", "carried_over"]
    # Many organs receive no request at all; most of the others a few, from 自然人 above all.
    busy = draw(st.sampled_from(["none", "none", "few", "few", "many"]))
    cells: dict[str, int] = {}
    for col in APPLICANT_COLUMNS:
        odds = {"none": 0, "few": 4 if col == "natural" else 1, "many": 4 if col == "natural" else 2}[busy]
        active = draw(st.integers(0, 4)) < odds
        high = 50 if busy == "many" else 5
        # Most requests end 予以公开; the other outcome rows are rarer.
        values = {
            row: (draw(small_counts(high)) if active and draw(st.integers(0, 7)) == 0 else 0)
            for row in outcomes
        }
        if active:
            values["granted"] = draw(small_counts(high))
        total = sum(values.values())
        carried_over = draw(small_counts(high // 5 + 1)) if active else 0
        carried_in = draw(st.integers(0, total + carried_over)) if active and draw(st.booleans()) else 0
        values["total"] = total
        values["carried_over"] = carried_over
        values["carried_in"] = carried_in
        values["new"] = total + carried_over - carried_in
        for row, value in values.items():
            cells[f"{row}.{col}"] = value
    for row in all_rows:
        cells[f"{row}.total"] = sum(cells[f"{row}.{col}"] for col in APPLICANT_COLUMNS)
    return cells


@st.composite
def _appeals(draw: st.DrawFn, layout: Layout) -> dict[str, int]:
    """Table 四 cells (keys under ``appeals``): each group's four outcomes add up to its 总计."""
    cells: dict[str, int] = {}
    groups = dict.fromkeys(k.split(".")[0] for k in layout.appeal_keys)
    any_appeal = draw(st.integers(0, 2)) == 0
    for group in groups:
        active = any_appeal and draw(st.booleans())
        parts = [draw(small_counts(10)) if active else 0 for _ in APPEAL_COLUMNS[:4]]
        for col, value in zip(APPEAL_COLUMNS[:4], parts, strict=True):
            cells[f"{group}.{col.key}"] = value
        cells[f"{group}.total"] = sum(parts)
    return cells


@st.composite
def _active_2021(draw: st.DrawFn, blanks: bool) -> dict[str, Any]:
    count = _blank_or(small_counts(), blanks)
    return {
        "rules.issued": draw(count),
        "rules.repealed": draw(count),
        "rules.in_force": draw(count),
        "normative.issued": draw(count),
        "normative.repealed": draw(count),
        "normative.in_force": draw(count),
        "licensing.decisions": draw(_blank_or(st.one_of(small_counts(), st.integers(0, 20_000)), blanks)),
        "penalty.decisions": draw(count),
        "coercion.decisions": draw(count),
        "fees.amount": draw(money_wan(blanks)),
    }


@st.composite
def _active_2019(draw: st.DrawFn, blanks: bool) -> dict[str, Any]:
    count = _blank_or(small_counts(), blanks)
    cells: dict[str, Any] = {}
    for row in ("rules", "normative"):
        total = draw(small_counts())
        cells[f"{row}.made"] = draw(_blank_or(small_counts(), blanks))
        cells[f"{row}.published"] = draw(_blank_or(st.integers(0, total), blanks))
        cells[f"{row}.total"] = total
    for row in ("licensing", "other_services", "penalty", "coercion"):
        previous = draw(small_counts())
        cells[f"{row}.previous"] = previous
        cells[f"{row}.change"] = draw(_blank_or(st.integers(-previous, 20), blanks))
        cells[f"{row}.decisions"] = draw(_blank_or(st.one_of(small_counts(), st.integers(0, 20_000)), blanks))
    previous = draw(count)
    cells["fees.previous"] = previous
    cells["fees.change"] = draw(_blank_or(st.integers(-(previous or 0), 5), blanks))
    cells["procurement.projects"] = draw(count)
    cells["procurement.amount"] = draw(
        _blank_or(
            st.one_of(st.just(0), st.integers(0, 5_000_000), st.integers(0, 100).map(lambda n: n * 10_000)),
            blanks,
        )
    )
    return cells


@st.composite
def valid_reports(
    draw: st.DrawFn,
    fmt: str | None = None,
    *,
    blanks: bool = True,
    blank_zeros: Collection[str] = (),
    single_other: bool = False,
) -> Report2021 | Report2019:
    """A random report of format ``fmt`` (``"2019"``, ``"2021"`` or either) whose tables add up.

    ``blanks``: table 二 cells are now and then ``None`` (a blank cell), as in real reports.
    ``blank_zeros``: tables (``"requests"``, ``"appeals"``) whose zero cells are now and then
    left blank (``None``, which arithmetic counts as 0); by default tables 三 and 四 are
    written in full. ``single_other``: a 2021 report that prints （六）其他处理 as one row
    (kept so, report-json.md); ignored for format 2019.
    """
    fmt = fmt or draw(st.sampled_from(["2019", "2021"]))
    layout = layout_for(fmt)
    blanks = blanks and draw(st.integers(0, 3)) == 0  # one report in four leaves cells blank
    active = draw(_active_2021(blanks) if fmt == "2021" else _active_2019(blanks))
    requests = draw(_requests(layout, single_other and fmt == "2021"))
    appeals = draw(_appeals(layout))
    cells = {
        **{f"active.{k}": v for k, v in active.items()},
        **{f"requests.{k}": v for k, v in requests.items()},
        **{f"appeals.{k}": v for k, v in appeals.items()},
    }
    for key, value in cells.items():
        if value == 0 and key.split(".")[0] in blank_zeros and draw(st.integers(0, 3)) == 0:
            cells[key] = None
    return build_report(
        fmt,
        cells,
        agency=draw(st.sampled_from(AGENCIES)),
        year=draw(st.sampled_from(YEARS[fmt])),
    )


__all__ = ["AGENCIES", "YEARS", "money_wan", "small_counts", "valid_reports"]
