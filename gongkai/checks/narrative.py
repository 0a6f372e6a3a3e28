"""Sections (SEC-*) and the narrative against the tables (X-*)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from gongkai.checks.engine import CheckContext, Issue, rule
from gongkai.model.layouts import Format
from gongkai.model.report import Severity
from gongkai.readers.sections import SECTION_HEADINGS

E, W = Severity.ERROR, Severity.WARNING
ART_50 = "《政府信息公开条例》第五十条"
NOTICE_2021 = "国办公开办函〔2021〕30号"

_NONE_WORDS = r"(?:未|没有|无|不存在|均未|并未|尚未)"


def _all_text(ctx: CheckContext) -> str:
    sections = ctx.report.sections
    return "\n".join(v for v in (sections.model_dump().values() if sections else ()) if v)


@rule("SEC-SIX", E, "六个部分齐全且顺序正确", f"{ART_50}；{NOTICE_2021}：年度报告分为六个部分", "sections")
def six_sections(ctx: CheckContext) -> Iterator[Issue]:
    """All six sections present, 一 to 六 (headings recognised with their usual variants)."""
    if ctx.report.sections is None:
        return
    for key, number, official, _ in SECTION_HEADINGS:
        if key == "other":
            continue  # a missing 六 is SEC-6-PRESENT's finding; one defect, one finding
        if ctx.text(key) is None:
            yield Issue(f"报告缺少第{'一二三四五六'[number - 1]}部分“{official}”（或未能识别其标题）。")


@rule(
    "SEC-TITLE",
    W,
    "标题写明机关名称、统计年度和“政府信息公开工作年度报告”",
    f"{NOTICE_2021}：中华人民共和国政府信息公开工作年度报告格式",
    "agency, year",
    needs_source=True,
)
def title(ctx: CheckContext) -> Iterator[Issue]:
    """The title names the organ and the year and contains 政府信息公开 and 年度报告."""
    reading = ctx.sections
    if reading is None:
        return
    line = reading.title_line
    if not reading.title:
        yield Issue("没有找到报告标题（应写明机关名称、年度和“政府信息公开工作年度报告”）。", line=1)
        return
    squeezed = re.sub(r"\s+", "", reading.title)
    if ctx.report.agency is None:
        yield Issue(f"标题“{reading.title}”中没有机关名称。", line=line)
    if ctx.report.year is None:
        yield Issue(f"标题“{reading.title}”中没有统计年度。", line=line)
    for word in ("政府信息公开", "年度报告"):
        if word not in squeezed:
            yield Issue(f"标题“{reading.title}”中没有“{word}”。", line=line)


_ASPECTS = (
    ("主动公开", ("主动公开",)),
    ("依申请公开", ("依申请",)),
    ("政府信息管理", ("信息管理",)),
    ("政府信息公开平台建设", ("平台建设", "平台")),
    ("监督保障", ("监督保障", "监督")),
)


@rule(
    "SEC-1-ASPECTS",
    W,
    "总体情况涵盖五个方面",
    f"{NOTICE_2021}：总体情况围绕主动公开、依申请公开、政府信息管理、政府信息公开平台建设、监督保障",
    "sections.overview",
    formats=(Format.F2021,),
)
def overview_aspects(ctx: CheckContext) -> Iterator[Issue]:
    """(2021) Section 一 covers the five aspects."""
    text = ctx.text("overview")
    if text is None:
        return
    missing = [name for name, words in _ASPECTS if not any(w in text for w in words)]
    if missing:
        yield Issue(f"“一、总体情况”没有写到：{'、'.join(missing)}。", line=ctx.line_of(section="overview"))


@rule(
    "SEC-1-GOV",
    W,
    "人民政府的报告写明工作考核、社会评议和责任追究结果",
    "《政府信息公开条例》第五十条第（四）项",
    "sections.overview",
)
def government_items(ctx: CheckContext) -> Iterator[Issue]:
    """(reports of a people's government) 工作考核, 社会评议 and 责任追究 results are reported."""
    agency = ctx.report.agency or ""
    if not agency.endswith("人民政府"):
        return
    text = _all_text(ctx)
    missing = [w for w in ("工作考核", "社会评议", "责任追究") if w not in text]
    if missing:
        yield Issue(f"人民政府的年度报告应报告{'、'.join(missing)}结果情况，报告中没有找到。")


@rule("SEC-5-BODY", E, "第五部分写明问题和改进情况", f"{ART_50}第（四）项", "sections.problems")
def problems_body(ctx: CheckContext) -> Iterator[Issue]:
    """Section 五 is not empty; a warning if it names problems but no improvement measures."""
    text = ctx.text("problems")
    if text is None:
        return
    if len(re.sub(r"[\s。.无]", "", text)) < 4:
        yield Issue("“五、存在的主要问题及改进情况”没有内容。", line=ctx.line_of(section="problems"))
    elif not re.search("改进|措施|下一步|将(?:进一步|继续|持续|加强|着力|从)|整改|计划|今后|提升", text):
        yield Issue(
            "“五、存在的主要问题及改进情况”列出了问题，但没有写改进措施。",
            severity=W,
            line=ctx.line_of(section="problems"),
        )


@rule("SEC-6-PRESENT", E, "第六部分存在", f"{ART_50}第（五）项", "sections.other")
def other_present(ctx: CheckContext) -> Iterator[Issue]:
    """Section 六 exists (「无」 is an acceptable body under the 2019 format)."""
    if ctx.report.sections is not None and ctx.text("other") is None:
        yield Issue("报告缺少“六、其他需要报告的事项”。")


_FEE_WORDS = re.compile("信息处理费|处理费|收费通知|收取.{0,6}费|收费")


@rule(
    "SEC-6-FEE",
    E,
    "第六部分说明信息处理费收取情况",
    f"{NOTICE_2021}；《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）",
    "sections.other",
    formats=(Format.F2021,),
)
def other_fee(ctx: CheckContext) -> Iterator[Issue]:
    """(2021) Section 六 states the 信息处理费: notices issued and amount collected, or none."""
    text = ctx.text("other")
    if text is None:
        return
    if not _FEE_WORDS.search(text):
        yield Issue(
            "“六、其他需要报告的事项”没有说明信息处理费的情况（发出收费通知的件数和金额、实际收取的金额，或明确说明未收取）。",
            line=ctx.line_of(section="other"),
        )


_PERIOD_RE = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:至|到|—|-|～|~)\s*(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
)


@rule("SEC-PERIOD", W, "统计期限为当年1月1日至12月31日", "年度报告统计期限为公历年度", "year, 正文")
def period(ctx: CheckContext) -> Iterator[Issue]:
    """Any statistical period stated is 1 January to 31 December of ``year``."""
    year = ctx.report.year
    if year is None:
        return
    for match in _PERIOD_RE.finditer(_all_text(ctx)):
        context = _all_text(ctx)[max(0, match.start() - 20) : match.start()]
        if "统计" not in context and "期限" not in context and "期间" not in context:
            continue
        y1, m1, d1, y2, m2, d2 = match.groups()
        stated = (int(y1), int(m1), int(d1), int(y2 or y1), int(m2), int(d2))
        if stated != (year, 1, 1, year, 12, 31):
            yield Issue(
                f"报告所述统计期限“{match.group(0)}”不是{year}年1月1日至{year}年12月31日。",
                expected=f"{year}年1月1日至{year}年12月31日",
                found=match.group(0),
                line=ctx.line_of(match.group(0)),
            )


@rule(
    "SEC-DEADLINE",
    W,
    "按期发布年度报告",
    "《政府信息公开条例》第四十九条：部门1月31日前、人民政府3月31日前公布",
    "year, 发布日期",
)
def deadline(ctx: CheckContext) -> Iterator[Issue]:
    """(needs the publication date) Published by 31 Jan (departments) or 31 Mar (governments)."""
    if ctx.published is None or ctx.report.year is None:
        return
    agency = ctx.report.agency or ""
    if re.search("乡|镇|街道", agency):
        return  # 第四十九条 sets no date below county level
    government = agency.endswith("人民政府")
    due = date(ctx.report.year + 1, 3 if government else 1, 31)
    if ctx.published > due:
        yield Issue(
            f"{'人民政府' if government else '部门'}年度报告应于{due.isoformat()}前公布，"
            f"实际公布于{ctx.published.isoformat()}，逾期{(ctx.published - due).days}天。",
            expected=due.isoformat(),
            found=ctx.published.isoformat(),
        )


# --- between parts of one report -------------------------------------------------------------

_NOTICE_ISSUED_RE = re.compile(
    r"(?:发出|出具|送达|开具)[^。；]{0,10}收费通知(?:书)?\s*(\d+)?|收费通知(?:书)?\s*(\d+)\s*[件份次]"
)
_MONEY = r"(\d+(?:\.\d+)?)\s*(万元|元)"
_NOTIFIED_RE = re.compile(r"收费通知[^。；]{0,20}?(?:金额|共计|合计)?[^。；\d]{0,6}" + _MONEY)
_COLLECTED_RE = re.compile(r"(?:实际收取|实收|收取)[^。；\d]{0,12}" + _MONEY)


def _yuan(amount: str, unit: str) -> float:
    return float(amount) * (10000 if unit == "万元" else 1)


@rule(
    "X-FEE-ROW",
    W,
    "表三有逾期未缴费的申请时，第六部分报告了收费通知",
    "国办公开办函〔2021〕30号 表三（六）2；《政府信息公开信息处理费管理办法》",
    "requests.other.no_fee.total, sections.other",
    formats=(Format.F2021,),
)
def fee_row(ctx: CheckContext) -> Iterator[Issue]:
    """(2021) If 三（六）2 > 0 in 总计, section 六 reports at least one fee notice issued."""
    count = ctx.value("requests.other.no_fee.total")
    if not count or count <= 0:
        return
    text = ctx.text("other") or ""
    issued = [
        m for m in _NOTICE_ISSUED_RE.finditer(text) if not re.search(_NONE_WORDS + "$", text[: m.start()])
    ]
    if not any((m.group(1) or m.group(2) or "1") != "0" for m in issued):
        yield Issue(
            f"表三“（六）2.逾期未按收费通知要求缴纳费用”为{count}件，但第六部分没有报告发出收费通知。",
            ("requests.other.no_fee.total",),
            line=ctx.line_of(section="other"),
        )


@rule(
    "X-FEE-AMOUNT",
    W,
    "实际收取的信息处理费不超过收费通知金额",
    "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）",
    "sections.other",
    formats=(Format.F2021,),
)
def fee_amount(ctx: CheckContext) -> Iterator[Issue]:
    """(2021) Amount collected ≤ amount notified, as stated in section 六."""
    text = ctx.text("other") or ""
    notified = _NOTIFIED_RE.search(text)
    collected = _COLLECTED_RE.search(text)
    if notified and collected:
        n, c = _yuan(*notified.groups()), _yuan(*collected.groups())
        if c > n:
            yield Issue(
                f"第六部分所述实际收取信息处理费（{collected.group(0)}）多于收费通知金额（{notified.group(0)}）。",
                expected=f"≤{n:g}元",
                found=f"{c:g}元",
                line=ctx.line_of(collected.group(0)),
            )


_ASKED_RE = re.compile(
    r"(?:共|累计|全年|本年度?)?(?:收到|受理|接收|新收|接到)[^。；，,\d]{0,16}?申请[^。；，,\d]{0,10}?(\d+)\s*[件条个宗]"
    r"|(?:收到|受理|接收|新收|接到)[^。；，,\d]{0,6}?(\d+)\s*[件条个宗][^。；，,]{0,14}?申请"
)
_NONE_ASKED_RE = re.compile(
    _NONE_WORDS + r"[^。；，,]{0,4}(?:收到|受理|接收|接到|产生)[^。；，,\d]{0,16}申请"
)


@rule(
    "X-TEXT-T3",
    W,
    "正文所述申请数与表三一致",
    "年度报告正文与统计表应一致",
    "requests.new.total, sections",
)
def text_requests(ctx: CheckContext) -> Iterator[Issue]:
    """Request figures quoted in the text equal table 三's 本年新收 总计."""
    new_total = ctx.value("requests.new.total")
    if new_total is None:
        return
    text = "\n".join(t for t in (ctx.text("overview"), ctx.text("requests")) if t)
    for match in _ASKED_RE.finditer(text):
        said = int(match.group(1) or match.group(2))
        before = text[max(0, match.start() - 6) : match.start()]
        if "上年" in before or "结转" in before:
            continue
        if said != new_total:
            yield Issue(
                f"正文说“{match.group(0)}”，但表三本年新收申请总计为{new_total}件。",
                ("requests.new.total",),
                expected=new_total,
                found=said,
                line=ctx.line_of(match.group(0)),
            )
        return
    match = _NONE_ASKED_RE.search(text)
    if match and new_total > 0:
        yield Issue(
            f"正文说“{match.group(0)}”，但表三本年新收申请总计为{new_total}件。",
            ("requests.new.total",),
            expected=0,
            found=new_total,
            line=ctx.line_of(match.group(0)),
        )


_NO_APPEALS_RE = re.compile(
    _NONE_WORDS + r"[^。；]{0,30}?(?:行政复议|复议)[^。；]{0,12}?(?:行政诉讼|诉讼)"
    r"|(?:行政复议|复议)[^。；]{0,6}(?:和|或|、|及)(?:行政诉讼|诉讼)[^。；]{0,6}(?:均为|为)(?:0|零|无)"
)


@rule(
    "X-TEXT-T4",
    W,
    "正文所述复议诉讼情况与表四一致",
    "年度报告正文与统计表应一致",
    "appeals.*, sections",
)
def text_appeals(ctx: CheckContext) -> Iterator[Issue]:
    """Text saying there was no reconsideration or litigation ⇔ all of table 四 is zero or null."""
    text = "\n".join(t for t in (ctx.text("overview"), ctx.text("appeals")) if t)
    match = _NO_APPEALS_RE.search(text)
    if not match:
        return
    nonzero = [k for k, v in ctx.cells.items() if k.startswith("appeals.") and v]
    if nonzero:
        yield Issue(
            f"正文说“{match.group(0)}”，但表四有{len(nonzero)}个非零单元格。",
            tuple(nonzero),
            line=ctx.line_of(match.group(0)),
        )
