"""Layout and format compliance (LAY-*): the right layout for the year, the tables' shapes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import lru_cache

from gongkai.checks.engine import CheckContext, Issue, rule
from gongkai.model.layouts import (
    REQUEST_COLUMNS,
    ROW_OTHER_SINGLE,
    Format,
    cell_name,
    expected_format,
    layout_for,
)
from gongkai.model.report import Severity

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
NOTICE_2021 = "国办公开办函〔2021〕30号"
NOTICE_2019 = "国办公开办函〔2019〕60号"
TABLE_NAMES = {
    "active": "表二（主动公开政府信息情况）",
    "requests": "表三（收到和处理政府信息公开申请情况）",
    "appeals": "表四（政府信息公开行政复议、行政诉讼情况）",
}
REQUEST_COLUMN_KEYS = [c.key for c in REQUEST_COLUMNS]


@lru_cache(maxsize=2)
def _active_parts(fmt: str) -> tuple[frozenset[int], frozenset[str]]:
    """The items (第二十条第（N）项) and the row keys of table 二 in a layout, worked out once."""
    blocks = layout_for(fmt).active_blocks
    return frozenset(b.item for b in blocks), frozenset(r.key for b in blocks for r in b.rows)


@lru_cache(maxsize=4)
def _full_paths(fmt: str, table: str) -> frozenset[str]:
    """The full paths (``active.rules.issued``…) of a table's cells in a layout, worked out once:
    whether all were found is then one set operation."""
    layout = layout_for(fmt)
    keys = layout.active_keys if table == "active" else layout.appeal_keys
    return frozenset(f"{table}.{k}" for k in keys)


@rule(
    "LAY-FORMAT-YEAR",
    E,
    "年度与表格格式相符",
    f"{NOTICE_2021}：2021年度起使用新格式；2019、2020年度使用{NOTICE_2019}格式",
    "format, year",
)
def format_year(ctx: CheckContext) -> Iterator[Issue]:
    """``year`` ≥ 2021 → format 2021; 2019 or 2020 → format 2019."""
    year = ctx.report.year
    if year is None:
        return
    wanted = expected_format(year)
    if wanted is None:
        yield Issue(f"{year}年度早于2019年，适用旧的年度报告格式，不在本工具的检查范围内。", severity=INFO)
    elif wanted != ctx.format:
        yield Issue(
            f"{year}年度报告应使用{wanted.notice}规定的表格格式，但表格是{ctx.format.notice}格式。",
            expected=wanted.value,
            found=ctx.format.value,
        )


@rule(
    "LAY-FORMAT-CONSISTENT",
    E,
    "表二、表三使用同一种格式",
    f"{NOTICE_2021}、{NOTICE_2019}：一份报告用其中一种表格格式，表二、表三的表头不得混用",
    "表二、表三表头",
    needs_source=True,
)
def format_consistent(ctx: CheckContext) -> Iterator[Issue]:
    """Tables 二 and 三 carry fingerprints of one format only."""
    if ctx.mixed_format:
        prints_2019, prints_2021 = ctx.mixed_format
        yield Issue(
            f"表格混用了两种格式：有2019年格式的“{'、'.join(prints_2019[:3])}”，"
            f"也有2021年格式的“{'、'.join(prints_2021[:3])}”。已按{ctx.format.value}年格式读取，请统一表格。",
        )


@rule(
    "LAY-T2-SHAPE",
    E,
    "表二的栏目、行、列齐全且不多",
    "国办公开办函〔2021〕30号、〔2019〕60号附件 表二（2021年格式10项、2019年格式22项）",
    "active.*",
    needs_source=True,
)
def t2_shape(ctx: CheckContext) -> Iterator[Issue]:
    """Table 二 has exactly the blocks, rows and columns of its format."""
    ev = ctx.evidence
    assert ev is not None
    if "active" not in ev.tables:
        yield Issue(f"没有找到{TABLE_NAMES['active']}。")
        return
    seen_rows = set(ev.active_rows)
    items, rows = _active_parts(ctx.format)
    if not (seen_rows >= rows and set(ev.active_blocks) >= items):  # (else: every block and row found)
        yield from _t2_missing_parts(ctx, seen_rows)
    missing = []
    if not ctx.origins.keys() >= _full_paths(ctx.format, "active"):
        missing = [k for k in ctx.layout.active_keys if f"active.{k}" not in ctx.origins]
        rows_missing = rows - seen_rows
        missing = [k for k in missing if k.rsplit(".", 1)[0] not in rows_missing]
    if missing:
        names = "、".join(cell_name(f"active.{k}", ctx.layout) for k in missing[:3])
        yield Issue(
            f"表二有{len(missing)}个单元格在表中找不到（表头缺列）：{names}{'等' if len(missing) > 3 else ''}。",
            tuple(f"active.{k}" for k in missing),
        )
    for item, header, line, known in ev.active_extra:
        caption = f"第二十条第（{'一二三四五六七八九十'[item - 1] if 0 < item <= 10 else item}）项"
        # The 2019 （八） block that repeats the 处理决定数量 header of （五）（六） is a widespread
        # variant (report-json.md): a warning, since no value of the layout is lost. Others: errors.
        yield Issue(
            f"表二{caption}多了格式中没有的“{header}”列，该列数值不计入报告。",
            line=line,
            severity=W if known else None,
        )


def _t2_missing_parts(ctx: CheckContext, seen_rows: set[str]) -> Iterator[Issue]:
    """Table 二's blocks and rows that were not found, in the layout's order."""
    assert ctx.evidence is not None
    for block in ctx.layout.active_blocks:
        if block.item not in ctx.evidence.active_blocks:
            yield Issue(f"表二缺少“{block.caption}”栏目。", tuple(f"active.{k}" for k in block.cell_keys()))
        for row in block.rows:
            if row.key not in seen_rows:
                yield Issue(
                    f"表二缺少“{row.label.official}”行。",
                    tuple(f"active.{row.key}.{c.key}" for c in block.columns),
                )


@rule(
    "LAY-T3-SHAPE",
    E,
    "表三的7列和各行齐全、顺序正确",
    "国办公开办函〔2021〕30号、〔2019〕60号附件 表三（2021年格式25行、2019年格式23行，各7列）",
    "requests.*",
    needs_source=True,
)
def t3_shape(ctx: CheckContext) -> Iterator[Issue]:
    """Table 三 has the 7 columns and the 25 (2021) or 23 (2019) data rows, labels in order."""
    ev = ctx.evidence
    assert ev is not None
    if "requests" not in ev.tables:
        yield Issue(f"没有找到{TABLE_NAMES['requests']}。")
        return
    wanted = [r.key for r in ctx.layout.request_rows]
    seen = [k for k, _ in ev.request_rows]
    if ctx.format is Format.F2021 and "other" in seen:
        line = next(ln for k, ln in ev.request_rows if k == "other")
        yield Issue(
            "表三“（六）其他处理”只有一行，2021年格式应分为“1.逾期不补正”“2.逾期未缴费”“3.其他”三行。",
            tuple(f"requests.other.{c}" for c in ("natural", "total")),
            severity=W,
            line=line,
        )
        wanted = [k for k in wanted if not k.startswith("other.")]
        wanted.insert(wanted.index("total"), "other")
    if seen != wanted:  # (else: the layout's rows in its order, nothing to say about them)
        yield from _t3_row_issues(ctx, wanted, seen)
    if ev.request_columns and ev.request_columns != REQUEST_COLUMN_KEYS:
        absent = [c.label.official for c in REQUEST_COLUMNS if c.key not in ev.request_columns]
        yield Issue(
            f"表三应有自然人、五类法人或其他组织和总计共7列，表头缺少：{'、'.join(absent)}。"
            if absent
            else "表三各列的顺序与格式不同。",
            tuple(f"requests.new.{c}" for c in REQUEST_COLUMN_KEYS if c not in ev.request_columns),
        )


def _t3_row_issues(ctx: CheckContext, wanted: list[str], seen: list[str]) -> Iterator[Issue]:
    """Table 三's rows against the ``wanted`` ones: missing, repeated, out of order."""
    ev = ctx.evidence
    assert ev is not None
    labels = {r.key: r.label.official for r in (*ctx.layout.request_rows, ROW_OTHER_SINGLE)}
    counts = Counter(seen)  # sets and counts, not list scans: 25 rows looked up in 25 rows
    missing = [k for k in wanted if k not in counts]
    for key in missing:
        yield Issue(f"表三缺少“{labels.get(key, key)}”行。", (f"requests.{key}.total",))
    for key, line in ev.request_rows:
        if counts[key] > 1 and line != next(ln for k, ln in ev.request_rows if k == key):
            yield Issue(f"表三“{labels.get(key, key)}”行出现了不止一次，只读取了第一次。", line=line)
    wanted_keys = set(wanted)
    present = list(dict.fromkeys(k for k in seen if k in wanted_keys))
    if not missing and present != wanted:
        first = next(i for i, (a, b) in enumerate(zip(present, wanted, strict=True)) if a != b)
        yield Issue(
            f"表三各行顺序与格式不同：第{first + 1}个数据行应为“{labels[wanted[first]]}”，"
            f"实为“{labels[present[first]]}”。",
            line=dict(ev.request_rows).get(present[first]),
        )


@rule(
    "LAY-T4-SHAPE",
    E,
    "表四的15个单元格齐全、顺序正确",
    "国办公开办函〔2021〕30号、〔2019〕60号附件 表四",
    "appeals.*",
    needs_source=True,
)
def t4_shape(ctx: CheckContext) -> Iterator[Issue]:
    """Table 四 has the 15 cells in the order 行政复议, 未经复议直接起诉, 复议后起诉."""
    ev = ctx.evidence
    assert ev is not None
    if "appeals" not in ev.tables:
        yield Issue(f"没有找到{TABLE_NAMES['appeals']}。")
        return
    if tuple(ev.appeal_columns) != ctx.layout.appeal_keys:
        yield Issue(
            "表四的列与格式不同：应为行政复议、未经复议直接起诉、复议后起诉三组，各有结果维持、结果纠正、其他结果、尚未审结、总计五列。"
        )
    if ctx.origins.keys() >= _full_paths(ctx.format, "appeals"):
        return  # every cell found
    missing = [k for k in ctx.layout.appeal_keys if f"appeals.{k}" not in ctx.origins]
    if missing:
        yield Issue(f"表四有{len(missing)}个单元格没有数值位置。", tuple(f"appeals.{k}" for k in missing))


@rule(
    "LAY-T3-NOTE",
    W,
    "表三印有勾稽关系注和部分公开计数注",
    "国办公开办函〔2021〕30号、〔2019〕60号附件 表三注；（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "表三左上角、（二）部分公开行",
    needs_source=True,
)
def t3_notes(ctx: CheckContext) -> Iterator[Issue]:
    """The 勾稽 note and the 部分公开 counting note are printed."""
    ev = ctx.evidence
    assert ev is not None
    if "requests" not in ev.tables:
        return
    if not ev.balance_note:
        yield Issue(
            "表三左上角缺少“（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）”注。"
        )
    if not ev.partial_note:
        yield Issue(
            "表三“（二）部分公开”行缺少“（区分处理的，只计这一情形，不计其他情形）”计数说明。",
            ("requests.partial.total",),
        )


@rule(
    "LAY-T2-FEE-UNIT",
    W,
    "表二行政事业性收费金额注明单位万元",
    f"{NOTICE_2021}附件 表二第二十条第（八）项：本年收费金额（单位：万元）",
    "active.fees.amount",
    formats=(Format.F2021,),
    needs_source=True,
)
def fee_unit(ctx: CheckContext) -> Iterator[Issue]:
    """(2021) The （八） header states 万元."""
    ev = ctx.evidence
    assert ev is not None
    if "active" in ev.tables and "万元" not in (ev.fee_header or ""):
        yield Issue("表二“本年收费金额”表头没有注明单位“万元”。", ("active.fees.amount",))


@rule(
    "LAY-T2-PROC-UNIT",
    W,
    "表二政府集中采购总金额注明单位",
    f"{NOTICE_2019}附件 表二第二十条第（九）项：采购总金额（表样未印单位，未注明时按“元”读取）",
    "active.procurement.amount",
    formats=(Format.F2019,),
    needs_source=True,
)
def procurement_unit(ctx: CheckContext) -> Iterator[Issue]:
    """(2019) The 政府集中采购 amount states its unit (a bare number is read as 元)."""
    ev = ctx.evidence
    assert ev is not None
    if "active" in ev.tables and ev.procurement_unit is None and ctx.value("active.procurement.amount"):
        yield Issue(
            f"表二“采购总金额”没有注明单位，已按“元”读取（{ctx.value('active.procurement.amount')}元）。请注明“元”或“万元”。",
            ("active.procurement.amount",),
        )
