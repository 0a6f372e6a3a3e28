"""Across years: one organ's report against its report of the year before (issue 17 §3).

The rules of format-and-law.md §12 "Across years" (XY-T3-CARRY, XY-T2-INFORCE, XY-T2-PROJECTS,
XY-FORMAT) and three of issue 17 (XY-APPEALS, XY-REPEAT, XY-JUMP). Each is declared like every
rule (:func:`~gongkai.checks.engine.rule`, ``across_years=True``) and takes a :class:`YearPair`:
the two reports' contexts. Its findings name cells of the later report and quote the earlier
report's figure. :func:`year_pairs` finds the pairs among many reports: same organ, consecutive
years.

The layouts changed between the reports of 2020 and 2021: table 二's columns changed meaning, so
its cross-year rules run only when both reports use the same layout (XY-FORMAT says so); tables
三 and 四 kept theirs, and are compared across the change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from gongkai.checks.engine import CheckContext, Issue, chosen_rules, rule, rule_findings
from gongkai.model.layouts import APPEAL_GROUPS, REQUEST_COLUMNS, Format, cell_name
from gongkai.model.numbers import plain
from gongkai.model.report import Finding, Severity
from gongkai.model.text import organ_key

W, INFO = Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class YearPair:
    """The organ's report of one year (``previous``) and of the next (``current``)."""

    previous: CheckContext
    current: CheckContext

    @property
    def same_layout(self) -> bool:
        return self.previous.format is self.current.format


def year_pairs(contexts: Iterable[CheckContext]) -> list[YearPair]:
    """Pairs of reports of one organ for consecutive years, earlier first, in year order.

    Reports without an organ or a year are left out; of two reports of one organ and year (two
    copies), the first given is used.
    """
    by_organ: dict[str, dict[int, CheckContext]] = {}
    for ctx in contexts:
        key, year = organ_key(ctx.report.agency), ctx.report.year
        if key and year is not None:
            by_organ.setdefault(key, {}).setdefault(year, ctx)
    return [
        YearPair(years[y - 1], years[y])
        for _, years in sorted(by_organ.items())
        for y in sorted(years)
        if y - 1 in years
    ]


def check_years(
    pair: YearPair, *, select: Iterable[str] | None = None, ignore: Iterable[str] = ()
) -> list[Finding]:
    """The findings of every cross-year rule on ``pair`` whose layouts take the later report's
    (line numbers are the later report's)."""
    findings: list[Finding] = []
    for r in chosen_rules(select, ignore, across_years=True):
        if pair.current.format in r.formats:
            findings += rule_findings(r, pair, pair.current)
    return findings


_YEARS_CLAUSE = "国办公开办函〔2021〕30号、〔2019〕60号附件；同一机关相邻两年的年度报告应前后衔接"


@rule(
    "XY-T3-CARRY",
    W,
    "上年结转等于上一年报告的结转下年度",
    f"{_YEARS_CLAUSE}：表三“二、上年结转政府信息公开申请数量”即上一年的“四、结转下年度继续办理”",
    "requests.carried_in.*",
    across_years=True,
)
def xy_carry(pair: YearPair) -> Iterator[Issue]:
    """For each column, 二 of year Y = 四 of year Y−1 (both layouts, and across the change)."""
    year = pair.previous.report.year
    for column in REQUEST_COLUMNS:
        carried_in = pair.current.value(f"requests.carried_in.{column.key}")
        carried_over = pair.previous.value(f"requests.carried_over.{column.key}")
        if (carried_in or 0) != (carried_over or 0):
            key = f"requests.carried_in.{column.key}"
            yield Issue(
                f"{cell_name(key, pair.current.layout)}为{plain(carried_in or 0)}，"
                f"{year}年报告的“结转下年度继续办理”为{plain(carried_over or 0)}，两者应相等。",
                (key,),
                expected=carried_over or 0,
                found=carried_in,
            )


@rule(
    "XY-T2-INFORCE",
    W,
    "现行有效件数与上年衔接",
    "国办公开办函〔2021〕30号附件 表二第二十条第（一）项：现行有效件数(本年) = 现行有效件数(上年) + 本年制发件数 − 本年废止件数"
    "（只作提示：文件也会因有效期届满而失效）",
    "active.rules.in_force, active.normative.in_force",
    formats=(Format.F2021,),
    across_years=True,
)
def xy_in_force(pair: YearPair) -> Iterator[Issue]:
    """(2021 both years) in force(Y) = in force(Y−1) + issued(Y) − repealed(Y), when all are given."""
    if not pair.same_layout:  # the year before in the 2019 layout has no 现行有效件数
        return
    for row in ("rules", "normative"):
        before = pair.previous.value(f"active.{row}.in_force")
        issued, repealed = (
            pair.current.value(f"active.{row}.issued"),
            pair.current.value(f"active.{row}.repealed"),
        )
        now = pair.current.value(f"active.{row}.in_force")
        if None in (before, now):
            continue
        expected = before + (issued or 0) - (repealed or 0)
        if now != expected:
            key = f"active.{row}.in_force"
            yield Issue(
                f"{cell_name(key, pair.current.layout)}为{plain(now)}；上年为{plain(before)}，本年制发"
                f"{plain(issued or 0)}件、废止{plain(repealed or 0)}件，应为{plain(expected)}"
                "（文件因有效期届满失效的，请在报告中说明）。",
                (key,),
                expected=expected,
                found=now,
            )


@rule(
    "XY-T2-PROJECTS",
    W,
    "上一年项目数量与上年报告衔接",
    "国办公开办函〔2019〕60号附件 表二：上一年项目数量(本年) = 上一年项目数量(上年) + 本年增/减(上年)",
    "active.<row>.previous",
    formats=(Format.F2019,),
    across_years=True,
)
def xy_projects(pair: YearPair) -> Iterator[Issue]:
    """(2019 both years) previous(Y) = previous(Y−1) + change(Y−1), for each row that has them."""
    if not pair.same_layout:  # a 2021 report has no 上一年项目数量
        return
    for row in ("licensing", "other_services", "penalty", "coercion", "fees"):
        before, change = (
            pair.previous.value(f"active.{row}.previous"),
            pair.previous.value(f"active.{row}.change"),
        )
        now = pair.current.value(f"active.{row}.previous")
        if None in (before, now):
            continue
        expected = before + (change or 0)
        if now != expected:
            key = f"active.{row}.previous"
            yield Issue(
                f"{cell_name(key, pair.current.layout)}为{plain(now)}；上年报告的上一年项目数量为"
                f"{plain(before)}、本年增/减为{plain(change or 0)}，应为{plain(expected)}。",
                (key,),
                expected=expected,
                found=now,
            )


@rule(
    "XY-FORMAT",
    W,
    "两年报告的格式不同时，表二不作跨年核对",
    "国办公开办函〔2021〕30号：自2021年度报告起使用新格式，表二的栏目含义改变",
    "active.*",
    across_years=True,
)
def xy_format(pair: YearPair) -> Iterator[Issue]:
    """Reports of different layouts: table 二 is not compared (info at the 2020→2021 change, as it
    should be; a warning when the later report went back to the older layout)."""
    if pair.same_layout:
        return
    backwards = pair.current.format is Format.F2019
    years = f"{pair.previous.report.year}年报告用{pair.previous.format.value}版格式，{pair.current.report.year}年报告用{pair.current.format.value}版格式"
    yield Issue(
        f"{years}{'，后一年退回了旧格式' if backwards else ''}；表二栏目含义不同，未作跨年核对。",
        severity=W if backwards else INFO,
    )


@rule(
    "XY-APPEALS",
    W,
    "上年尚未审结的复议、诉讼在本年有结果",
    "国办公开办函〔2021〕30号、〔2019〕60号附件 表四：尚未审结的案件在审结之年计入结果",
    "appeals.<group>.total",
    across_years=True,
)
def xy_appeals(pair: YearPair) -> Iterator[Issue]:
    """A group with cases 尚未审结 last year and nothing at all this year: where did they go?"""
    for group, label in APPEAL_GROUPS:
        pending = pair.previous.value(f"appeals.{group}.pending") or 0
        total = pair.current.value(f"appeals.{group}.total") or 0
        if pending > 0 and total == 0:
            key = f"appeals.{group}.total"
            yield Issue(
                f"{pair.previous.report.year}年报告表四“{label.official}”有{plain(pending)}件尚未审结，"
                f"本年该组总计为{plain(total)}，未见其审结情况，请核对。",
                (key,),
                found=pair.current.value(key),
            )


# A sentence of a section: up to 。！？ or a line's end. Shorter ones (headings, 「无。」) say little.
_SENTENCE_RE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
MIN_SENTENCE_CHARS = 12
# Share of this year's sentences met word for word in last year's section that makes it a copy.
REPEAT_SHARE = 0.8


def _sentences(text: str | None) -> list[str]:
    found = (s.strip() for s in _SENTENCE_RE.findall(text or ""))
    return [s for s in found if len(s) >= MIN_SENTENCE_CHARS]


@rule(
    "XY-REPEAT",
    W,
    "总体情况、存在的主要问题与上年报告雷同",
    "国办公开办函〔2021〕30号：年度报告应如实反映本年度工作情况和存在的问题",
    "sections.overview, sections.problems",
    across_years=True,
)
def xy_repeat(pair: YearPair) -> Iterator[Issue]:
    """Section 一 or 五 whose sentences are, for the most part, last year's word for word.

    Section 五's problems the same as last year's is a warning (nothing was improved, or nothing
    was looked at); section 一 repeated is a note.
    """
    for section, title, severity in (
        ("problems", "五、存在的主要问题及改进情况", W),
        ("overview", "一、总体情况", INFO),
    ):
        now, before = _sentences(pair.current.text(section)), set(_sentences(pair.previous.text(section)))
        if len(now) < 2 or not before:
            continue
        same = sum(s in before for s in now)
        if same / len(now) >= REPEAT_SHARE:
            yield Issue(
                f"“{title}”的{len(now)}句中有{same}句与{pair.previous.report.year}年报告一字不差"
                f"（{same * 100 // len(now)}%，以{int(REPEAT_SHARE * 100)}%为界）。",
                (f"sections.{section}",),
                severity=severity,
                line=pair.current.line_of(section=section),
            )


# The figures a reader of reports compares year on year, and how far a move must go to be noted:
# at least JUMP_FACTOR times larger or smaller AND by at least JUMP_MIN_CHANGE (small counts move
# by large factors without meaning anything: 1 → 6 requests).
_JUMP_FIGURES = (
    "requests.new.total",
    "requests.total.total",
    "requests.carried_over.total",
    "appeals.review.total",
    "appeals.suit_direct.total",
    "appeals.suit_after_review.total",
)
JUMP_FACTOR = 5
JUMP_MIN_CHANGE = 50


@rule(
    "XY-JUMP",
    INFO,
    "主要数字与上年相比变化异常",
    "《政府信息公开条例》第五十条（年度报告的内容）；数字大幅变化的，宜在报告中说明原因（供监督和研究参考的提示）",
    "requests.new.total, requests.total.total, requests.carried_over.total, appeals.<group>.total",
    across_years=True,
)
def xy_jump(pair: YearPair) -> Iterator[Issue]:
    """A headline figure that moved by a factor of five or more, and by fifty or more."""
    for key in _JUMP_FIGURES:
        before, now = pair.previous.value(key), pair.current.value(key)
        if before is None or now is None:
            continue
        low, high = sorted((before, now))
        if high - low >= JUMP_MIN_CHANGE and high >= JUMP_FACTOR * max(low, 1):
            yield Issue(
                f"{cell_name(key, pair.current.layout)}从{pair.previous.report.year}年的{plain(before)}"
                f"变为{plain(now)}，变化超过{JUMP_FACTOR}倍，请核对数字或在报告中说明原因。",
                (key,),
                found=now,
            )
