"""The two official table layouts, as data.

国办公开办函〔2019〕60号 (reports for 2019 and 2020) and 国办公开办函〔2021〕30号 (2021 and
later) print three fixed tables: 二 (proactive disclosure), 三 (requests), 四 (appeals).
This module says, once, which blocks, rows and columns each layout has, their canonical
keys (``../shared/spec/report-json.md``), their official labels and the variants real
reports print. Readers map grids with it, checks judge shapes with it, writers and web
forms lay tables out with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from gongkai.model.labels import Label


class Format(StrEnum):
    """A table layout, named after the year of its notice."""

    F2019 = "2019"
    F2021 = "2021"

    @property
    def notice(self) -> str:
        """The notice that issued the layout."""
        return {"2019": "国办公开办函〔2019〕60号", "2021": "国办公开办函〔2021〕30号"}[self.value]


class CellKind(StrEnum):
    """What a cell holds, which decides how it is read and checked."""

    COUNT = "count"  # an integer ≥ 0
    SIGNED = "signed"  # 2019 本年增/减: an integer of either sign
    MONEY = "money"  # a decimal ≥ 0, in ``unit``


@dataclass(frozen=True)
class Column:
    """A value column of a table: its key under the row, its header label and kind."""

    key: str
    label: Label
    kind: CellKind = CellKind.COUNT
    unit: str | None = None  # 万元 or 元, for money


@dataclass(frozen=True)
class Row:
    """A data row: its dotted key under the table, its label, and the group it sits in."""

    key: str
    label: Label
    group: Label | None = None


@dataclass(frozen=True)
class Block:
    """A block of table 二: caption 「第二十条第（N）项」, a header row, data rows."""

    item: int  # N of 第二十条第（N）项
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    # Columns some reports print over this block that the layout does not have (no key).
    extra_columns: tuple[Label, ...] = ()

    @property
    def caption(self) -> str:
        """The official caption of the block."""
        return f"第二十条第（{'一二三四五六七八九十'[self.item - 1]}）项"

    def cell_keys(self) -> list[str]:
        """Keys under ``active`` of the block's cells, row by row."""
        return [f"{row.key}.{col.key}" for row in self.rows for col in self.columns]


@dataclass(frozen=True)
class ColumnGroup:
    """A header cell spanning several value columns (法人或其他组织, 行政复议…)."""

    label: Label
    children: tuple[str, ...]  # labels' official texts of the columns or groups below


@dataclass(frozen=True)
class Layout:
    """Everything one format says about tables 二, 三 and 四."""

    format: Format
    active_blocks: tuple[Block, ...]
    request_rows: tuple[Row, ...]
    # Table 四 is one data row of 15 cells: three groups × five columns.
    appeal_groups: tuple[tuple[str, Label], ...] = field(default=())
    fingerprints: tuple[str, ...] = ()

    # --- derived views -------------------------------------------------------------------
    @cached_property
    def active_keys(self) -> tuple[str, ...]:
        """Keys of table 二 under ``active``, in table order."""
        return tuple(k for block in self.active_blocks for k in block.cell_keys())

    @cached_property
    def request_keys(self) -> tuple[str, ...]:
        """Keys of table 三 under ``requests``, row by row."""
        return tuple(f"{row.key}.{col.key}" for row in self.request_rows for col in REQUEST_COLUMNS)

    @cached_property
    def appeal_keys(self) -> tuple[str, ...]:
        """Keys of table 四 under ``appeals``, in table order."""
        return tuple(f"{g}.{col.key}" for g, _ in self.appeal_groups for col in APPEAL_COLUMNS)

    @cached_property
    def cell_keys(self) -> tuple[str, ...]:
        """Every cell of the layout as a full dotted path (``requests.new.total``…)."""
        return (
            tuple(f"active.{k}" for k in self.active_keys)
            + tuple(f"requests.{k}" for k in self.request_keys)
            + tuple(f"appeals.{k}" for k in self.appeal_keys)
        )

    @cached_property
    def cell_key_set(self) -> frozenset[str]:
        """:attr:`cell_keys` as a set, for asking whether a key is the layout's."""
        return frozenset(self.cell_keys)

    @cached_property
    def active_kinds(self) -> dict[str, CellKind]:
        """Table-二 cell key (under ``active``) → the kind of value it holds."""
        return {f"{r.key}.{c.key}": c.kind for b in self.active_blocks for r in b.rows for c in b.columns}

    def active_column(self, key: str) -> Column:
        """The column of a table-二 cell key such as ``fees.amount``."""
        row_key, col_key = key.rsplit(".", 1)
        for block in self.active_blocks:
            if any(r.key == row_key for r in block.rows):
                return next(c for c in block.columns if c.key == col_key)
        raise KeyError(key)

    def active_row(self, row_key: str) -> tuple[Block, Row]:
        """The block and row of table 二 with this row key."""
        for block in self.active_blocks:
            for row in block.rows:
                if row.key == row_key:
                    return block, row
        raise KeyError(row_key)


# --- table 二 -----------------------------------------------------------------------------

_RULES = Row("rules", Label("规章", exact=("规章",)))
_LICENSING = Row("licensing", Label("行政许可", exact=("行政许可",)))
_PENALTY = Row("penalty", Label("行政处罚", exact=("行政处罚",)))
_COERCION = Row("coercion", Label("行政强制", exact=("行政强制",)))
_FEES = Row("fees", Label("行政事业性收费", keywords=("事业性收费",)))

_DECISIONS_2021 = Column("decisions", Label("本年处理决定数量", keywords=("处理决定",)))

ACTIVE_2021 = (
    Block(
        1,
        (
            Column("issued", Label("本年制发件数", keywords=("制发",))),
            Column("repealed", Label("本年废止件数", keywords=("废止",))),
            Column("in_force", Label("现行有效件数", keywords=("现行有效",))),
        ),
        (_RULES, Row("normative", Label("行政规范性文件", keywords=("规范性文件",)))),
    ),
    Block(5, (_DECISIONS_2021,), (_LICENSING,)),
    Block(6, (_DECISIONS_2021,), (_PENALTY, _COERCION)),
    Block(
        8,
        (
            Column(
                "amount", Label("本年收费金额（单位：万元）", keywords=("收费金额",)), CellKind.MONEY, "万元"
            ),
        ),
        (_FEES,),
    ),
)

_PREVIOUS = Column("previous", Label("上一年项目数量", keywords=("上一年",)))
_CHANGE = Column("change", Label("本年增/减", keywords=("增/减", "增减", "增(减)")), CellKind.SIGNED)
_DECISIONS_2019 = Column("decisions", Label("处理决定数量", keywords=("处理决定",)))

ACTIVE_2019 = (
    Block(
        1,
        (
            Column("made", Label("本年新制作数量", keywords=("新制作",))),
            Column("published", Label("本年新公开数量", keywords=("新公开",))),
            Column("total", Label("对外公开总数量", keywords=("公开总数",))),
        ),
        (_RULES, Row("normative", Label("规范性文件", keywords=("规范性文件",)))),
    ),
    Block(
        5,
        (_PREVIOUS, _CHANGE, _DECISIONS_2019),
        (_LICENSING, Row("other_services", Label("其他对外管理服务事项", keywords=("对外管理服务",)))),
    ),
    Block(6, (_PREVIOUS, _CHANGE, _DECISIONS_2019), (_PENALTY, _COERCION)),
    # Some reports repeat the three-column header of （五）（六） here; the third value has no key.
    Block(8, (_PREVIOUS, _CHANGE), (_FEES,), extra_columns=(_DECISIONS_2019.label,)),
    Block(
        9,
        (
            Column("projects", Label("采购项目数量", keywords=("采购项目",))),
            Column("amount", Label("采购总金额", keywords=("采购总金额", "总金额")), CellKind.MONEY, "元"),
        ),
        (Row("procurement", Label("政府集中采购", keywords=("集中采购",))),),
    ),
)

ACTIVE_HEADER = Label("信息内容", keywords=("信息内容",))

# --- table 三 -----------------------------------------------------------------------------

REQUEST_COLUMNS = (
    Column("natural", Label("自然人", keywords=("自然人",))),
    Column("commercial", Label("商业企业", keywords=("商业企业",))),
    Column("research", Label("科研机构", keywords=("科研机构",))),
    Column("nonprofit", Label("社会公益组织", keywords=("公益组织",))),
    Column("legal", Label("法律服务机构", keywords=("法律服务",))),
    Column("other_org", Label("其他", exact=("其他", "其他组织"))),
    Column("total", Label("总计", exact=("总计", "合计"))),
)
REQUEST_ORG_GROUP = ColumnGroup(
    Label("法人或其他组织", keywords=("法人或其他组织", "法人或者其他组织")),
    tuple(c.label.official for c in REQUEST_COLUMNS[1:6]),
)
REQUEST_APPLICANT_GROUP = ColumnGroup(
    Label("申请人情况", keywords=("申请人情况",)),
    ("自然人", "法人或其他组织", "总计"),
)
REQUEST_BALANCE_NOTE = Label(
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", keywords=("勾稽关系",)
)

G_RESULTS = Label("三、本年度办理结果", keywords=("本年度办理结果", "办理结果"))
G_WITHHELD = Label("（三）不予公开", exact=("不予公开",))
G_UNAVAILABLE = Label("（四）无法提供", exact=("无法提供",))
G_REJECTED = Label("（五）不予处理", exact=("不予处理",))
G_OTHER = Label("（六）其他处理", exact=("其他处理",))
REQUEST_GROUPS = (G_RESULTS, G_WITHHELD, G_UNAVAILABLE, G_REJECTED, G_OTHER)

_REQ_HEAD = (
    Row("new", Label("一、本年新收政府信息公开申请数量", keywords=("本年新收",))),
    Row("carried_in", Label("二、上年结转政府信息公开申请数量", keywords=("上年结转",))),
    Row("granted", Label("（一）予以公开", keywords=("予以公开",)), G_RESULTS),
    Row(
        "partial",
        Label("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", keywords=("部分公开",)),
        G_RESULTS,
    ),
    Row("withheld.state_secret", Label("1.属于国家秘密", keywords=("国家秘密",)), G_WITHHELD),
    Row("withheld.prohibited", Label("2.其他法律行政法规禁止公开", keywords=("禁止公开",)), G_WITHHELD),
    Row("withheld.security", Label("3.危及“三安全一稳定”", keywords=("三安全一稳定",)), G_WITHHELD),
    Row("withheld.third_party", Label("4.保护第三方合法权益", keywords=("第三方",)), G_WITHHELD),
    Row("withheld.internal", Label("5.属于三类内部事务信息", keywords=("内部事务",)), G_WITHHELD),
    Row("withheld.process", Label("6.属于四类过程性信息", keywords=("过程性",)), G_WITHHELD),
    Row("withheld.enforcement", Label("7.属于行政执法案卷", keywords=("执法案卷",)), G_WITHHELD),
    Row("withheld.inquiry", Label("8.属于行政查询事项", keywords=("行政查询", "查询事项")), G_WITHHELD),
    Row("unavailable.not_held", Label("1.本机关不掌握相关政府信息", keywords=("不掌握",)), G_UNAVAILABLE),
    Row(
        "unavailable.needs_creation",
        Label("2.没有现成信息需要另行制作", keywords=("另行制作", "没有现成")),
        G_UNAVAILABLE,
    ),
    Row(
        "unavailable.unclear",
        Label("3.补正后申请内容仍不明确", keywords=("仍不明确", "补正后申请")),
        G_UNAVAILABLE,
    ),
    Row("rejected.complaint", Label("1.信访举报投诉类申请", keywords=("信访", "举报投诉")), G_REJECTED),
    Row("rejected.duplicate", Label("2.重复申请", keywords=("重复申请",)), G_REJECTED),
    Row("rejected.publication", Label("3.要求提供公开出版物", keywords=("出版物",)), G_REJECTED),
    Row("rejected.excessive", Label("4.无正当理由大量反复申请", keywords=("大量反复",)), G_REJECTED),
    Row(
        "rejected.reconfirm",
        Label("5.要求行政机关确认或重新出具已获取信息", keywords=("重新出具", "确认或")),
        G_REJECTED,
    ),
)
_REQ_TAIL = (
    Row("total", Label("（七）总计", exact=("总计", "合计"))),
    Row("carried_over", Label("四、结转下年度继续办理", keywords=("结转下年度", "下年度继续"))),
)
ROW_OTHER_SINGLE = Row("other", G_OTHER, G_RESULTS)
ROWS_OTHER_2021 = (
    Row(
        "other.no_correction",
        Label("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", keywords=("逾期不补正",)),
        G_OTHER,
    ),
    Row(
        "other.no_fee",
        Label(
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            keywords=("缴纳费用", "收费通知"),
        ),
        G_OTHER,
    ),
    Row("other.other", Label("3.其他", exact=("其他",)), G_OTHER),
)

# --- table 四 -----------------------------------------------------------------------------

APPEAL_COLUMNS = (
    Column("upheld", Label("结果维持", keywords=("维持",))),
    Column("corrected", Label("结果纠正", keywords=("纠正",))),
    Column("other", Label("其他结果", keywords=("其他结果",), exact=("其他",))),
    Column("pending", Label("尚未审结", keywords=("未审结", "尚未")), CellKind.COUNT),
    Column("total", Label("总计", exact=("总计", "合计"))),
)
APPEAL_GROUPS = (
    ("review", Label("行政复议", exact=("行政复议",))),
    ("suit_direct", Label("未经复议直接起诉", keywords=("直接起诉",))),
    ("suit_after_review", Label("复议后起诉", keywords=("复议后起诉",))),
)
APPEAL_SUIT_GROUP = ColumnGroup(Label("行政诉讼", exact=("行政诉讼",)), ("未经复议直接起诉", "复议后起诉"))

# --- header trees of tables 三 and 四 (readers match them; writers print them) --------------


@dataclass(frozen=True, eq=False)  # identity hash: nodes are module constants, used as cache keys
class HeaderNode:
    """A header label: a leaf (value column, with its key) or a group of nodes."""

    label: Label
    key: str | None = None
    children: tuple[HeaderNode, ...] = ()

    def walk(self) -> list[HeaderNode]:
        """This node and every node below it, depth first."""
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out

    def find(self, label_core: str) -> HeaderNode | None:
        """The nearest node below this one whose label matches (children first)."""
        for child in self.children:
            if child.label.matches(label_core):
                return child
        for child in self.children:
            found = child.find(label_core)
            if found is not None:
                return found
        return None


def _leaf(column: Column, prefix: str = "") -> HeaderNode:
    return HeaderNode(column.label, prefix + column.key)


REQUEST_HEADER = HeaderNode(
    Label("(表三表头)"),
    children=(
        HeaderNode(
            REQUEST_APPLICANT_GROUP.label,
            children=(
                _leaf(REQUEST_COLUMNS[0]),
                HeaderNode(REQUEST_ORG_GROUP.label, children=tuple(_leaf(c) for c in REQUEST_COLUMNS[1:6])),
                _leaf(REQUEST_COLUMNS[6]),
            ),
        ),
    ),
)


def _appeal_group(key: str, label: Label) -> HeaderNode:
    return HeaderNode(label, key, tuple(_leaf(c, key + ".") for c in APPEAL_COLUMNS))


APPEAL_HEADER = HeaderNode(
    Label("(表四表头)"),
    children=(
        _appeal_group(*APPEAL_GROUPS[0]),
        HeaderNode(APPEAL_SUIT_GROUP.label, children=tuple(_appeal_group(*g) for g in APPEAL_GROUPS[1:])),
    ),
)


# --- the two layouts ----------------------------------------------------------------------

LAYOUT_2021 = Layout(
    Format.F2021,
    ACTIVE_2021,
    _REQ_HEAD + ROWS_OTHER_2021 + _REQ_TAIL,
    APPEAL_GROUPS,
    fingerprints=(
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年收费金额",
        "本年处理决定数量",
        "逾期未按收费通知要求缴纳费用",
    ),
)
LAYOUT_2019 = Layout(
    Format.F2019,
    ACTIVE_2019,
    (*_REQ_HEAD, ROW_OTHER_SINGLE, *_REQ_TAIL),
    APPEAL_GROUPS,
    fingerprints=(
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "本年增/减",
        "其他对外管理服务事项",
        "政府集中采购",
        "采购总金额",
    ),
)
# The other 2019 fingerprint of format-and-law.md §7 is not a text but a shape: （六）其他处理 as
# a single data row. report-json.md keeps that row in a 2021 report (LAY-T3-SHAPE warning), so
# it is a weak print: it decides the layout only when nothing else does.
SINGLE_OTHER_FINGERPRINT = "单独一行的（六）其他处理"
LAYOUTS: dict[Format, Layout] = {Format.F2019: LAYOUT_2019, Format.F2021: LAYOUT_2021}


def layout_for(fmt: Format | str) -> Layout:
    """The layout of a format (``"2019"`` or ``"2021"``)."""
    return LAYOUTS[Format(fmt)]


def expected_format(year: int) -> Format | None:
    """The layout a report for ``year`` must use; ``None`` before 2019 (out of scope)."""
    if year >= 2021:
        return Format.F2021
    if year >= 2019:
        return Format.F2019
    return None


_REQUEST_COLUMN_LABELS = {c.key: c.label.official for c in REQUEST_COLUMNS}
_APPEAL_COLUMN_LABELS = {c.key: c.label.official for c in APPEAL_COLUMNS}
_APPEAL_GROUP_LABELS = {key: label.official for key, label in APPEAL_GROUPS}


def cell_name(key: str, layout: Layout | None = None) -> str:
    """A cell path in the words of the printed table, for messages to officers.

    >>> cell_name("requests.granted.natural")
    '表三“（一）予以公开”行“自然人”列'
    >>> cell_name("appeals.suit_direct.total")
    '表四“未经复议直接起诉”的“总计”'
    """
    table, rest = key.split(".", 1)
    row_key, col_key = rest.rsplit(".", 1)
    if table == "requests":
        if row_key == "other" and layout is None:
            label = G_OTHER.official
        else:
            rows = (*(layout or LAYOUT_2021).request_rows, ROW_OTHER_SINGLE)
            label = next((r.label.official for r in rows if r.key == row_key), row_key)
        return f"表三“{label}”行“{_REQUEST_COLUMN_LABELS.get(col_key, col_key)}”列"
    if table == "appeals":
        return f"表四“{_APPEAL_GROUP_LABELS.get(row_key, row_key)}”的“{_APPEAL_COLUMN_LABELS.get(col_key, col_key)}”"
    for candidate in (layout,) if layout else (LAYOUT_2021, LAYOUT_2019):
        try:
            block, row = candidate.active_row(row_key)
            column = candidate.active_column(rest)
        except (KeyError, StopIteration):
            continue
        return f"表二{block.caption}“{row.label.official}”行“{column.label.official}”列"
    return key
