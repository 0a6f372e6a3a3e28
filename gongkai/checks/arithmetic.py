"""Arithmetic within a report: values and identities of tables 二, 三, 四, as the two notices' tables
and their notes state them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from operator import itemgetter
from types import MappingProxyType
from typing import NamedTuple

from gongkai.checks.engine import CheckContext, Issue, rule
from gongkai.model.layouts import (
    APPEAL_COLUMNS,
    APPEAL_GROUPS,
    REQUEST_COLUMNS,
    CellKind,
    Format,
    cell_name,
    layout_for,
)
from gongkai.model.numbers import plain
from gongkai.model.report import Cell, Severity

E, W = Severity.ERROR, Severity.WARNING
APPLICANT_COLUMNS = [c.key for c in REQUEST_COLUMNS[:6]]
ALL_REQUEST_COLUMNS = [c.key for c in REQUEST_COLUMNS]
BALANCE_ROWS = ("new", "carried_in", "total", "carried_over")  # 一 + 二 = 三（七） + 四
BALANCE_KEYS = tuple(tuple(f"requests.{r}.{col}" for r in BALANCE_ROWS) for col in ALL_REQUEST_COLUMNS)
APPEAL_SUMS = tuple(
    (f"appeals.{group}.total", tuple(f"appeals.{group}.{c.key}" for c in APPEAL_COLUMNS[:4]), label)
    for group, label in APPEAL_GROUPS
)
BALANCE_CLAUSE = "国办公开办函〔2021〕30号、〔2019〕60号附件 表三注：本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"


def _n(value: int | float | None) -> int | float:
    """A cell in arithmetic: null counts as 0 (report-json.md)."""
    return value or 0


def _fmt(value: float) -> str:
    return plain(value)  # as written: 1234567.5, never 1.23457e+06 (issue 13)


def _is_count(value: object) -> bool:
    return value is None or (type(value) is int and value >= 0)


# Quick tests of many cells at once, in C rather than a loop per cell: a rule that passes them has
# nothing to say, and looks at each cell only when they fail.
_COUNT_TYPES = {int, type(None)}


def _integers(values: list[Cell]) -> bool:
    """Whether every value is blank or an integer (of type int: not a bool, not 3.0)."""
    return set(map(type, values)) <= _COUNT_TYPES


def _not_negative(values: list[Cell]) -> bool:
    """Whether no value is below 0 (the smallest of those other than 0 and blank)."""
    return min(filter(None, values), default=0) >= 0


def _all_counts(values: list[Cell]) -> bool:
    """Whether every value is blank or an integer ≥ 0."""
    return _integers(values) and _not_negative(values)


Sums = tuple[tuple[str, tuple[str, ...]], ...]  # (total cell, its part cells) for each identity


class T3Sums(NamedTuple):
    """The identities of table 三, as cell keys, and where its rows stand in :attr:`keys`."""

    rows: Sums  # (row's 总计, its applicant cells) for each row
    columns: Sums  # (（七）总计 of a column, the column's outcome cells) for each column
    row_totals: tuple[str, ...]  # the rows' 总计 cells
    keys: tuple[str, ...]  # every cell, row by row in the layout's order, WIDTH columns each
    read_all: itemgetter  # their values from cells, in one call (KeyError when one is absent)
    outcomes: tuple[int, int]  # the rows （一）…（六）: first, and one past the last
    balance: tuple[int, ...]  # the rows of BALANCE_ROWS, in that order


WIDTH = len(ALL_REQUEST_COLUMNS)  # a row of table 三: six applicant columns, then 总计


@lru_cache(maxsize=8)
def _t3_sums(fmt: str, single_other_row: bool) -> T3Sums:
    """Table 三's identities in a layout. Built once per layout: the checks run on every report of
    a corpus."""
    layout = layout_for(fmt)
    rows = []
    for row in layout.request_rows:
        key = "other" if single_other_row and row.key.startswith("other.") else row.key
        if key not in rows:
            rows.append(key)
    first, end = rows.index("granted"), rows.index("total")
    row_sums = tuple(
        (f"requests.{r}.total", tuple(f"requests.{r}.{c}" for c in APPLICANT_COLUMNS)) for r in rows
    )
    col_sums = tuple(
        (f"requests.total.{c}", tuple(f"requests.{r}.{c}" for r in rows[first:end]))
        for c in ALL_REQUEST_COLUMNS
    )
    keys = tuple(f"requests.{r}.{c}" for r in rows for c in ALL_REQUEST_COLUMNS)
    return T3Sums(
        row_sums,
        col_sums,
        tuple(total for total, _ in row_sums),
        keys,
        itemgetter(*keys),
        (first, end),
        tuple(map(rows.index, BALANCE_ROWS)),
    )


class T3Numbers(NamedTuple):
    """Table 三 read once: whether its rows add up, and its columns as numbers."""

    rows_add_up: bool  # in every row, the applicant cells add up to 总计 (blank as 0)
    columns: list[list[int | float]]  # column by column, as stated_cells reads them (blank as 0)


def _t3_numbers(ctx: CheckContext) -> T3Numbers:
    """Table 三 read once per report, for the rules on its identities.

    With it a rule tests all its identities in a few list operations, in C; only when one fails
    does it look at each identity, cell by cell, to word its findings.
    """
    found = ctx.shared.get("t3")
    if found is None:
        sums = _t3_sums(ctx.format, ctx.single_other_row)
        try:
            cells = list(sums.read_all(ctx.cells))
        except KeyError:  # a cell absent: not the cells of a whole report
            cells = list(map(ctx.cells.get, sums.keys))
        integers = set(map(type, cells)) == {int}
        numbers = cells if integers else [value or 0 for value in cells]
        columns = [numbers[column::WIDTH] for column in range(WIDTH)]
        row_sums = list(map(sum, zip(*columns[:-1], strict=True)))  # each row's applicant cells
        rows_add_up = row_sums == columns[-1]
        if not integers:  # a blank 总计 is its row's sum to the column identities (stated_cells)
            stated = zip(cells[WIDTH - 1 :: WIDTH], row_sums, columns[-1], strict=True)
            columns[-1] = [row_sum if cell is None else total for cell, row_sum, total in stated]
        found = ctx.shared["t3"] = T3Numbers(rows_add_up, columns)
    return found  # type: ignore[return-value]


def stated_cells(ctx: CheckContext) -> Mapping[str, Cell]:
    """The cells of table 三 as the column identities read them.

    A blank 总计 of a table-三 row beside filled applicant cells is "not stated", not 0
    (report-json.md): T3-ROW-SUM warns about it, and the column identities use the row's sum.
    The cells themselves when no row has such a total (the usual case), else a copy with those
    totals filled in.
    """
    sums = _t3_sums(ctx.format, ctx.single_other_row)
    if None not in map(ctx.cells.get, sums.row_totals):
        return ctx.cells  # every row's 总计 stated
    filled = {}
    for total_key, part_keys in sums.rows:
        if ctx.cells.get(total_key) is None:
            parts = [ctx.cells.get(k) for k in part_keys]
            if any(p is not None for p in parts):
                filled[total_key] = sum(p or 0 for p in parts)
    return {**ctx.cells, **filled} if filled else ctx.cells


def _sum_issues(
    ctx: CheckContext, cells: Mapping[str, Cell], sums: Sums, what: str, errors_text: str
) -> Iterator[Issue]:
    """An issue for each identity of ``sums`` whose parts don't add up to the total; a warning when
    the total is not stated. ``cells`` are read as written, or as :func:`stated_cells` gives them."""
    read = cells.get
    for total_key, part_keys in sums:
        total = read(total_key)
        expected = sum(filter(None, map(read, part_keys)))  # blanks count as 0 (left out, as zeros)
        if (total or 0) == expected:
            continue  # adds up (or all blank): the usual case, told without a message
        issue = _sum_issue(ctx, total_key, part_keys, total, expected, what, errors_text)
        if issue:
            yield issue


def _sum_issue(
    ctx: CheckContext,
    total_key: str,
    part_keys: tuple[str, ...],
    total: Cell,
    expected: int | float,
    what: str,
    errors_text: str,
) -> Issue | None:
    """An issue when the parts' sum ``expected`` is not the ``total``; a warning when the total is
    not stated."""
    if total is None:
        if expected:
            return Issue(
                f"{cell_name(total_key, ctx.layout)}未填写，但{what}合计为{_fmt(expected)}：总计未说明，请补填。",
                (total_key, *part_keys),
                expected=_fmt_cell(expected),
                found=None,
                severity=W,
            )
        return None
    if abs(_n(total) - expected) > 1e-9:
        diff = _n(total) - expected
        return Issue(
            f"{cell_name(total_key, ctx.layout)}为{_fmt(_n(total))}，但{what}合计为{_fmt(expected)}，"
            f"{'多' if diff > 0 else '少'}{_fmt(abs(diff))}。{errors_text}",
            (total_key, *part_keys),
            expected=_fmt_cell(expected),
            found=total,
        )
    return None


def _fmt_cell(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


# --- table 二 -------------------------------------------------------------------------------


@rule(
    "T2-VALUES",
    E,
    "表二数值合法",
    "国办公开办函〔2021〕30号、〔2019〕60号附件 表二：件数、项目数量为非负整数；本年增/减为整数；金额为非负数",
    "active.*",
)
def t2_values(ctx: CheckContext) -> Iterator[Issue]:
    """Counts are integers ≥ 0, 本年增/减 integers of either sign, money ≥ 0."""
    keys, by_kind = _active_kinds(ctx.format)
    read = ctx.cells.get
    if (
        _all_counts(list(map(read, by_kind[CellKind.COUNT])))
        and _integers(list(map(read, by_kind[CellKind.SIGNED])))
        and _not_negative(list(map(read, by_kind[CellKind.MONEY])))
    ):
        return  # every value right for its kind: the usual case
    for full, kind in keys:
        value = read(full)
        if value is None:
            continue
        if kind is CellKind.MONEY and value < 0:
            problem = "金额不能为负数"
        elif kind is CellKind.SIGNED and not isinstance(value, int):
            problem = "本年增/减应为整数"
        elif kind is CellKind.COUNT and not _is_count(value):
            problem = "应为非负整数"
        else:
            continue
        yield Issue(f"{cell_name(full, ctx.layout)}为{value}，{problem}。", (full,), found=value)


@lru_cache(maxsize=2)
def _active_kinds(
    fmt: str,
) -> tuple[tuple[tuple[str, CellKind], ...], Mapping[CellKind, tuple[str, ...]]]:
    """Table 二's full cell keys with the kind of each, in table order, and the keys of each kind
    (worked out once per layout)."""
    keys = tuple((f"active.{k}", kind) for k, kind in layout_for(fmt).active_kinds.items())
    return keys, MappingProxyType({kind: tuple(k for k, of in keys if of is kind) for kind in CellKind})


@rule(
    "T2-2019-PUB",
    W,
    "本年新公开数量不超过对外公开总数量",
    "国办公开办函〔2019〕60号 表二第二十条第（一）项",
    "active.rules.*, active.normative.*",
    formats=(Format.F2019,),
)
def t2_2019_published(ctx: CheckContext) -> Iterator[Issue]:
    """(2019) 本年新公开数量 ≤ 对外公开总数量 for 规章 and 规范性文件."""
    for row in ("rules", "normative"):
        published, total = ctx.value(f"active.{row}.published"), ctx.value(f"active.{row}.total")
        if published is not None and total is not None and published > total:
            yield Issue(
                f"{cell_name(f'active.{row}.published', ctx.layout)}为{published}，"
                f"大于对外公开总数量{total}：本年新公开的文件应计入对外公开总数。",
                (f"active.{row}.published", f"active.{row}.total"),
                expected=f"≤{total}",
                found=published,
            )


# --- table 三 -------------------------------------------------------------------------------


@rule(
    "T3-VALUES",
    E,
    "表三数值为非负整数",
    "国办公开办函〔2021〕30号、〔2019〕60号附件 表三：申请件数为非负整数",
    "requests.*",
)
def t3_values(ctx: CheckContext) -> Iterator[Issue]:
    """Every cell of table 三 is an integer ≥ 0 or null."""
    keys = ctx.table_keys("requests")
    values = list(map(ctx.cells.__getitem__, keys))
    if _all_counts(values):
        return  # the usual case
    for key, value in zip(keys, values, strict=True):
        if not _is_count(value):
            yield Issue(f"{cell_name(key, ctx.layout)}为{value}，申请件数应为非负整数。", (key,), found=value)


@rule(
    "T3-ROW-SUM",
    E,
    "表三各行：自然人与五类法人或其他组织之和等于总计",
    "国办公开办函〔2021〕30号、〔2019〕60号附件 表三：申请人情况“总计”列",
    "requests.<row>.*",
)
def t3_row_sum(ctx: CheckContext) -> Iterator[Issue]:
    """In every row, 自然人 + the five 法人或其他组织 columns = 总计 (warning when 总计 is blank)."""
    if _t3_numbers(ctx).rows_add_up:
        return  # the usual case
    row_sums = _t3_sums(ctx.format, ctx.single_other_row).rows
    yield from _sum_issues(
        ctx, ctx.cells, row_sums, "自然人与五类法人或其他组织", "请核对该行各申请人类别的数字。"
    )


@rule(
    "T3-BALANCE",
    E,
    "表三勾稽关系：一+二=三（七）总计+四",
    BALANCE_CLAUSE,
    "requests.{new,carried_in,total,carried_over}.*",
)
def t3_balance(ctx: CheckContext) -> Iterator[Issue]:
    """In every column, 一 + 二 = （七）总计 + 四 (the printed 勾稽 note)."""
    new, carried_in, total, carried_over = _t3_sums(ctx.format, ctx.single_other_row).balance
    columns = _t3_numbers(ctx).columns
    if all(c[new] + c[carried_in] == c[total] + c[carried_over] for c in columns):
        return  # every column balances: the usual case
    cells = stated_cells(ctx)
    for keys in BALANCE_KEYS:
        new, carried_in, total, carried_over = map(cells.get, keys)
        left = _n(new) + _n(carried_in)
        if total is None and carried_over is None and not left:
            continue
        right = _n(total) + _n(carried_over)
        if abs(left - right) > 1e-9:
            col_name = cell_name(keys[0], ctx.layout).split("行")[-1]
            yield Issue(
                f"表三{col_name}：本年新收({_fmt(_n(new))})+上年结转({_fmt(_n(carried_in))})={_fmt(left)}，"
                f"但办理结果总计({_fmt(_n(total))})+结转下年度({_fmt(_n(carried_over))})={_fmt(right)}，"
                f"相差{_fmt(abs(left - right))}。请核对第三项各行和第四项。",
                keys,
                expected=_fmt_cell(left),
                found=_fmt_cell(right),
            )


@rule(
    "T3-OUTCOME-SUM",
    E,
    "表三办理结果各项之和等于（七）总计",
    "国办公开办函〔2021〕30号、〔2019〕60号附件 表三：三、本年度办理结果（一）至（六）之和为（七）总计",
    "requests.{granted … other}.*, requests.total.*",
)
def t3_outcome_sum(ctx: CheckContext) -> Iterator[Issue]:
    """In every column, （七）总计 = （一）+（二）+（三）1–8+（四）1–3+（五）1–5+（六)."""
    sums = _t3_sums(ctx.format, ctx.single_other_row)
    first, end = sums.outcomes
    columns = _t3_numbers(ctx).columns
    if [sum(c[first:end]) for c in columns] == [c[end] for c in columns]:  # （七）总计 follows them
        return  # every column adds up: the usual case
    col_sums = sums.columns
    yield from _sum_issues(
        ctx,
        stated_cells(ctx),
        col_sums,
        "（一）至（六）各项办理结果",
        "请核对各项办理结果，部分公开只计入（二）。",
    )


# --- table 四 -------------------------------------------------------------------------------


@rule(
    "T4-VALUES",
    E,
    "表四数值为非负整数",
    "国办公开办函〔2021〕30号、〔2019〕60号附件 表四：案件数为非负整数",
    "appeals.*",
)
def t4_values(ctx: CheckContext) -> Iterator[Issue]:
    """Every cell of table 四 is an integer ≥ 0 or null."""
    keys = _appeal_keys(ctx.format)
    values = list(map(ctx.cells.get, keys))
    if _all_counts(values):
        return
    for key, value in zip(keys, values, strict=True):
        if not _is_count(value):
            yield Issue(f"{cell_name(key, ctx.layout)}为{value}，案件数应为非负整数。", (key,), found=value)


@lru_cache(maxsize=2)
def _appeal_keys(fmt: str) -> tuple[str, ...]:
    """Table 四's full cell keys, in table order (once per layout)."""
    return tuple(f"appeals.{k}" for k in layout_for(fmt).appeal_keys)


@rule(
    "T4-GROUP-SUM",
    E,
    "表四各组：结果维持+结果纠正+其他结果+尚未审结=总计",
    "国办公开办函〔2021〕30号、〔2019〕60号附件 表四：行政复议、行政诉讼各组“总计”",
    "appeals.<group>.*",
)
def t4_group_sum(ctx: CheckContext) -> Iterator[Issue]:
    """In each of the three groups, the four outcome columns add up to 总计."""
    for total_key, part_keys, label in APPEAL_SUMS:
        yield from _sum_issues(
            ctx,
            ctx.cells,
            ((total_key, part_keys),),
            f"“{label.official}”的结果维持、结果纠正、其他结果、尚未审结",
            "请核对该组各列。",
        )
