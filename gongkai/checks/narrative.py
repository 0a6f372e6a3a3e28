"""Sections (SEC-*) and the narrative against the tables (X-*)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from gongkai.checks.engine import CheckContext, Issue, rule
from gongkai.model.layouts import Format
from gongkai.model.numbers import plain
from gongkai.model.publication import GOVERNMENT_ENDING, report_due
from gongkai.model.report import Sections, Severity
from gongkai.model.sections import SECTION_HEADINGS

E, W = Severity.ERROR, Severity.WARNING
SECTION_KEYS = tuple(Sections.model_fields)  # overview … other
ART_50 = "《政府信息公开条例》第五十条"
NOTICE_2021 = "国办公开办函〔2021〕30号"

_NONE_WORDS = r"(?:未|没有|无|不存在|均未|并未|尚未)"


def _all_text(ctx: CheckContext) -> str:
    sections = ctx.report.sections
    if sections is None:
        return ""
    return "\n".join(v for v in (getattr(sections, k) for k in SECTION_KEYS) if v)


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


_SPACES_RE = re.compile(r"\s+")


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
    squeezed = _SPACES_RE.sub("", reading.title)
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


# Four characters other than spaces, 。, . and 无: a section with fewer says nothing (read up to the
# fourth, not the whole section).
_CONTENT_RE = re.compile(r"(?:[\s。.无]*[^\s。.无]){4}")
_MEASURES_RE = re.compile("改进|措施|下一步|将(?:进一步|继续|持续|加强|着力|从)|整改|计划|今后|提升")


@rule("SEC-5-BODY", E, "第五部分写明问题和改进情况", f"{ART_50}第（四）项", "sections.problems")
def problems_body(ctx: CheckContext) -> Iterator[Issue]:
    """Section 五 is not empty; a warning if it names problems but no improvement measures."""
    text = ctx.text("problems")
    if text is None:
        return
    if not _CONTENT_RE.match(text):
        yield Issue("“五、存在的主要问题及改进情况”没有内容。", line=ctx.line_of(section="problems"))
    elif not _MEASURES_RE.search(text):
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


# The 信息处理费 itself, its notices, or collecting a fee; a bare 「收费」 (e.g. 「无行政事业性收费项目」,
# table 二（八）) says nothing about it.
_FEE_WORDS = re.compile(r"信息处理费|处理费|收费通知|收取(?:(?!行政事业性)[^。；;，,\n]){0,10}?费")


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


# \d\d\d\d, not \d{4}: a pattern that starts with a character class is looked for by that class,
# not tried at every character of the text.
_PERIOD_RE = re.compile(
    r"(\d\d\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:至|到|—|-|～|~)\s*(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
)
_PERIOD_WORDS = ("统计", "期限", "期间")  # a period is read where one stands in the characters before it
_PERIOD_CONTEXT = 20  # … that many


def _period_span(text: str) -> tuple[int, int]:
    """Where in ``text`` a period read by SEC-PERIOD can be: from the end of the first of
    _PERIOD_WORDS to the 。 after the last one's next 20 characters; (0, 0) without any.

    No _PERIOD_RE match spans one of those words or a 。 (none of their characters is a period's),
    so ``finditer`` over this span finds the very matches it finds there over the whole text.
    """
    found = [at + len(word) for word in _PERIOD_WORDS if (at := text.find(word)) >= 0]
    if not found:
        return 0, 0
    end = text.find("。", max(map(text.rfind, _PERIOD_WORDS)) + _PERIOD_CONTEXT)
    return min(found), len(text) if end < 0 else end


@rule(
    "SEC-PERIOD",
    W,
    "统计期限为当年1月1日至12月31日",
    "《政府信息公开条例》第四十九条：公布上一年度（1月1日至12月31日）的年度报告",
    "year, 正文",
)
def period(ctx: CheckContext) -> Iterator[Issue]:
    """Any statistical period stated is 1 January to 31 December of ``year``."""
    year = ctx.report.year
    if year is None:
        return
    text = _all_text(ctx)
    for match in _PERIOD_RE.finditer(text, *_period_span(text)):
        context = text[max(0, match.start() - _PERIOD_CONTEXT) : match.start()]
        if not any(word in context for word in _PERIOD_WORDS):
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
    due = report_due(ctx.report.year, ctx.report.agency)
    if due is None:
        return  # 第四十九条 sets no date below county level
    if ctx.published > due:
        government = (ctx.report.agency or "").strip().endswith(GOVERNMENT_ENDING)
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
# A negation just before the verb, or before 「向/对/给 + the addressee」: 「未发出」「未向申请人发出」.
_NOTICE_NEGATED_RE = re.compile(r"(?:未曾|未|没有|没|无|不曾)(?:[向对给][^。；，,\d]{0,10})?$")
_MONEY = r"(\d+(?:\.\d+)?)\s*(万元|元)"
_MONEY_RE = re.compile(_MONEY)
_COLLECTED_RE = re.compile(r"(?:实际收取|实收|已收取|(?<![应拟需])收取)[^。；\d]{0,12}" + _MONEY)
# Where the amounts of the notices end within a clause: what was collected, paid or refunded.
_NOTIFIED_END_RE = re.compile(r"实际收取|实收|已收取|(?<![应拟需])收取|缴纳|缴费|退还")
_TOTAL_WORD_RE = re.compile(r"(?:合计|共计|总计|总额|总金额|共)[^。；，,\d]{0,4}$")
_CLAUSE_RE = re.compile(r"[^。；;\n]+")


def _matches_from(pattern: re.Pattern[str], text: str, starts: Iterator[int]) -> Iterator[re.Match[str]]:
    """What ``pattern.finditer(text)`` finds when a match can only start at one of ``starts``
    (ascending): the pattern is tried there only, not at every character of the text."""
    end = 0
    for start in starts:
        if start >= end and (match := pattern.match(text, start)):
            yield match
            end = match.end()


def _yuan(amount: str, unit: str) -> Decimal:
    # in Decimal: 100.1元 and 200.2元 are 300.3元, and 1.2万元 is 12000元, not 1.2e+04
    return Decimal(amount) * (10000 if unit == "万元" else 1)


def _notice_issued(text: str, match: re.Match[str]) -> bool:
    """Whether a mention of fee notices says some were issued: its number, else no negation before it."""
    number = match.group(1) or match.group(2)
    if number is not None:
        return number != "0"
    return not _NOTICE_NEGATED_RE.search(text[max(0, match.start() - 14) : match.start()])


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
    if not any(_notice_issued(text, m) for m in _NOTICE_ISSUED_RE.finditer(text)):
        yield Issue(
            f"表三“（六）2.逾期未按收费通知要求缴纳费用”为{count}件，但第六部分没有报告发出收费通知。",
            ("requests.other.no_fee.total",),
            line=ctx.line_of(section="other"),
        )


def _notified_amounts(text: str) -> list[re.Match[str]]:
    """Every amount stated for the fee notices: in each clause naming 收费通知, the amounts after it and
    before what was collected (「金额分别为100元和200元」 is 300元); a stated total (合计, 共计) alone."""
    amounts: list[re.Match[str]] = []
    if "收费通知" not in text:
        return amounts  # (no clause to look at)
    for clause in _CLAUSE_RE.finditer(text):
        at = clause.group(0).find("收费通知")
        if at < 0:
            continue
        start = clause.start() + at
        end = _NOTIFIED_END_RE.search(text, start, clause.end())
        found = list(_MONEY_RE.finditer(text, start, end.start() if end else clause.end()))
        totals = [m for m in found if _TOTAL_WORD_RE.search(text[start : m.start()])]
        amounts += totals[:1] or found
    return amounts


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
    notified = _notified_amounts(text)
    collected = _COLLECTED_RE.search(text) if notified else None
    if notified and collected:
        n, c = sum(_yuan(*m.groups()) for m in notified), _yuan(*collected.groups())
        if c > n:
            stated = "、".join(m.group(0) for m in notified)
            yield Issue(
                f"第六部分所述实际收取信息处理费（{collected.group(0)}）多于收费通知金额（{stated}）。",
                expected=f"≤{plain(n)}元",
                found=f"{plain(c)}元",
                line=ctx.line_of(collected.group(0)),
            )


# A count of requests, not of days: 「3个工作日内」「15日」 are periods.
_COUNT = r"\s*[件条个宗](?!\s*(?:工作日|自然日|日|天|小时|月|星期|周))"
_VERBS = ("收到", "受理", "接收", "新收", "接到")
_VERB = f"(?:{'|'.join(_VERBS)})"
_OPENERS = ("共", "累计", "全年", "本年")  # before the verb, at will: 「共收到」「本年度受理」
_ASKED_RE = re.compile(
    f"(?:{'|'.join(_OPENERS)}度?)?"
    + _VERB
    + r"(?P<q1>[^。；，,\d]{0,16}?)申请[^。；，,\d]{0,10}?(?P<n1>\d+)"
    + _COUNT
    + r"|"
    + _VERB
    + r"[^。；，,\d]{0,6}?(?P<n2>\d+)"
    + _COUNT
    + r"(?P<q2>[^。；，,]{0,14}?)申请"
)
# Where an _ASKED_RE match can start: the first character of an opener or of a verb, with the
# second character of a verb (到, 理, 收) among the four after it. (An opener and 度 take at most
# three characters before the verb, none of them a line break.) Told in C, so the pattern itself is
# tried only at a few places, not at every 本 or 共 of the text.
_ASKED_START_RE = re.compile(
    f"[{''.join(sorted({word[0] for word in (*_OPENERS, *_VERBS)}))}]"
    f"(?=.{{0,3}}?[{''.join(sorted({verb[1] for verb in _VERBS}))}])"
)
_NONE_ASKED_RE = re.compile(
    _NONE_WORDS + r"[^。；，,]{0,4}(?:收到|受理|接收|接到|产生)(?P<q>[^。；，,\d]{0,16}?)申请"
)
# 申请 for something other than disclosure: 「行政复议申请」「行政许可申请」.
_OTHER_REQUEST_RE = re.compile("复议|诉讼|许可|审批|信访|投诉|举报")
# 「共受理申请9件（含上年结转2件）」: new and carried-in requests together.
_WITH_CARRIED_RE = re.compile(
    r"[^。；;\n\d]{0,4}?[（(]?\s*(?:含|包含|包括|其中)[^。；;\n\d]{0,6}(?:上年|结转)"
)


@rule(
    "X-TEXT-T3",
    W,
    "正文所述申请数与表三一致",
    "《政府信息公开条例》第五十条第（二）项：收到和处理政府信息公开申请情况（正文与表三一致）",
    "requests.new.total, sections",
)
def text_requests(ctx: CheckContext) -> Iterator[Issue]:
    """Request figures quoted in the text equal table 三's 本年新收 总计.

    Every figure quoted is read; the text is flagged only when none of them agrees. A figure
    stated as including the carried-in requests (「含上年结转2件」) may equal 新收 + 上年结转.
    """
    new_total = ctx.value("requests.new.total")
    if new_total is None:
        return
    carried_in = ctx.value("requests.carried_in.total") or 0
    text = "\n".join(t for t in (ctx.text("overview"), ctx.text("requests")) if t)
    quoted: list[tuple[re.Match[str], int]] = []
    starts = (m.start() for m in _ASKED_START_RE.finditer(text))
    for match in _matches_from(_ASKED_RE, text, starts):
        before = text[max(0, match.start() - 6) : match.start()]
        if "上年" in before or "结转" in before:
            continue
        if _OTHER_REQUEST_RE.search(match.group("q1") or match.group("q2") or ""):
            continue
        quoted.append((match, int(match.group("n1") or match.group("n2"))))

    def agrees(match: re.Match[str], said: int) -> bool:
        with_carried = carried_in and _WITH_CARRIED_RE.match(text, match.end())
        return said == new_total or bool(with_carried and said == new_total + carried_in)

    if quoted:
        if not any(agrees(m, said) for m, said in quoted):
            match, said = quoted[0]
            yield Issue(
                f"正文说“{match.group(0)}”，但表三本年新收申请总计为{new_total}件。",
                ("requests.new.total",),
                expected=new_total,
                found=said,
                line=ctx.line_of(match.group(0)),
            )
        return
    if new_total <= 0:
        return  # (a text saying none were received agrees: not looked for)
    nones = (m for m in _NONE_ASKED_RE.finditer(text) if not _OTHER_REQUEST_RE.search(m.group("q")))
    match = next(nones, None)
    if match:
        yield Issue(
            f"正文说“{match.group(0)}”，但表三本年新收申请总计为{new_total}件。",
            ("requests.new.total",),
            expected=0,
            found=new_total,
            line=ctx.line_of(match.group(0)),
        )


# Table 四 in the text. A clause (split at 。；) claims "none" when it names 复议 or 诉讼, holds a
# negation of the cases (not 未经, 尚未; not 「无尚未审结…」「未被纠错」, which are about some of them) and
# states no number but 0 (years and dates aside).
_NO_CASE_RE = re.compile(
    r"没有|无(?!法|论|正当|偿|须|需|误|异议|关)|未发生|未收到|未出现|未被|未有|不存在|均为0|均为零"
)
_SUBSET_RE = re.compile(r"[^。；;，,]{0,6}?(?:尚未|未审结|纠错|纠正|败诉|撤销|确认违法|被纠)")
# Spelt \d\d\d\d and \d\d? (not \d{4}, \d{1,2}): all three then start with \d, which the
# pattern is looked for by (as _PERIOD_RE).
_DATE_RE = re.compile(r"\d\d\d\d\s*年度?|\d\d?\s*月|\d\d?\s*日")
_NONZERO_COUNT_RE = re.compile(r"[1-9]|[一二两三四五六七八九十百]+\s*[件起例宗个次]")
_CASES_RE = re.compile(
    r"(?:复议|诉讼|起诉)[^。；;，,\n\d]{0,12}?(\d+)\s*[件起例宗个](?!\s*(?:工作日|日|天|小时|月))"
)
_SUIT_GROUPS = ("appeals.suit_direct.", "appeals.suit_after_review.")


_APPEAL_WORDS_RE = re.compile("复议|诉讼|起诉")
_SUIT_WORDS_RE = re.compile("诉讼|起诉")
_NOT_REVIEW_RE = re.compile(r"未经(?:行政)?复议|复议后")


def _claims_none(clause: str) -> bool:
    if not _APPEAL_WORDS_RE.search(clause):
        return False
    negations = list(_NO_CASE_RE.finditer(clause))
    if not negations or _NONZERO_COUNT_RE.search(_DATE_RE.sub("", clause)):
        return False
    for neg in negations:
        if neg.group(0).startswith("未") and clause[max(0, neg.start() - 1) : neg.start()] == "尚":
            continue  # 尚未…: not yet, not none
        if _SUBSET_RE.match(clause, neg.end()):
            continue  # 无尚未审结的…, 未被纠错…: a statement about some of the cases
        return True
    return False


def _claim_scope(clause: str) -> tuple[str, ...]:
    """The groups of table 四 a clause speaks of: 复议 (not as in 未经复议/复议后起诉) and/or 诉讼."""
    scope: tuple[str, ...] = ()
    if "复议" in _NOT_REVIEW_RE.sub("", clause):
        scope += ("appeals.review.",)
    if _SUIT_WORDS_RE.search(clause):
        scope += _SUIT_GROUPS
    return scope


@rule(
    "X-TEXT-T4",
    W,
    "正文所述复议诉讼情况与表四一致",
    "《政府信息公开条例》第五十条第（三）项：行政复议、行政诉讼情况（正文与表四一致）",
    "appeals.*, sections",
)
def text_appeals(ctx: CheckContext) -> Iterator[Issue]:
    """Text saying there was no reconsideration or litigation ⇔ all of table 四 is zero or null.

    A claim of none is looked for only when table 四 has cases, and cases stated only when it has
    none: the one can disagree with the table only then.
    """
    text = "\n".join(t for t in (ctx.text("overview"), ctx.text("appeals")) if t)
    appeals = ctx.table_keys("appeals")
    cases = [k for k in appeals if ctx.cells[k]]  # table 四's non-zero cells
    if cases:
        for clause in _CLAUSE_RE.findall(text):
            if not _claims_none(clause):
                continue
            scope = _claim_scope(clause)
            nonzero = [k for k in cases if k.startswith(scope)]
            if nonzero:
                yield Issue(
                    f"正文说“{clause.strip()}”，但表四有{len(nonzero)}个非零单元格。",
                    tuple(nonzero),
                    line=ctx.line_of(clause.strip()),
                )
                return
    elif appeals:
        said = next((m for m in _CASES_RE.finditer(text) if int(m.group(1)) > 0), None)
        if said:
            yield Issue(
                f"正文说“{said.group(0)}”，但表四全部为0或空白。",
                tuple(appeals),
                expected=0,
                found=int(said.group(1)),
                line=ctx.line_of(said.group(0)),
            )
