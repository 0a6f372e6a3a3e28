"""Coverage and fair comparisons over the corpus of published reports (issue 17 §5, §6).

- Coverage (:func:`coverage`): for a region and a year, each organ of its subtree with the corpus's
  reports of that year matched to it, or none (missing), and whether it came late (条例第四十九条:
  a department's by 31 January of the next year, a people's government's by 31 March; none set for
  a township): by its publication date where its page or a list given to ingest states it, else by
  the date it was signed, which a late signature shows late; otherwise unknown, never guessed.
- League tables (:func:`league`): for each region, the share of its organs' reports that have an
  error (or a finding of one rule), with its 95% Wilson score interval (:func:`wilson_interval`).
  A region with fewer reports than the minimum is listed apart and never ranked: a rate over a
  handful of reports says little, and its interval shows how little.

Each is a plain query over the store; nothing here changes anything.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session, aliased

from gongkai.model.publication import report_due
from gongkai.store.records import OrganEntry, Refused, find_organ, in_tree_order, subtree_select
from gongkai.store.tables import CorpusReport, CorpusReportRule, Organ
from gongkai.store.worklist import REPORT_DEADLINE

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile: a two-sided 95% interval
DATE_UNKNOWN = "公布日期未知"
NO_DUE_DATE = "条例未规定期限"
NO_REGION = "（不属于任何地区）"


# --- coverage -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageRow:
    """One organ of the region's tree and the corpus's reports of the year matched to it."""

    code: str
    name: str
    region: str  # the name of the region right above it
    reports: int  # how many reports of the year (a report corrected and published again counts twice)
    due: date | None = None  # 条例第四十九条's last day for it (None: a township, no date set)
    published_on: date | None = None  # the earliest publication date known of its reports
    signed_on: date | None = None  # the earliest signature date known (a lower bound of publication)

    @property
    def status(self) -> str:
        """「有报告」 or 「缺报告」."""
        return "有报告" if self.reports else "缺报告"

    @property
    def days_late(self) -> int | None:
        """Days past the due date: by the publication date, else by the signature when that is
        already late (then at least so many days); 0 on time; None when it cannot be said."""
        if not self.reports or self.due is None:
            return None
        if self.published_on is not None:
            return max(0, (self.published_on - self.due).days)
        if self.signed_on is not None and self.signed_on > self.due:
            return (self.signed_on - self.due).days
        return None

    @property
    def late(self) -> bool:
        """Known to have come after its due date."""
        return bool(self.days_late)

    @property
    def timing(self) -> str:
        """Whether it was on time, as far as can be said, in words; — for an organ without a report."""
        if not self.reports:
            return "—"
        if self.due is None:
            return NO_DUE_DATE
        late = self.days_late
        if self.published_on is not None:
            on = self.published_on.isoformat()
            return f"逾期{late}天（{on}公布）" if late else f"按时（{on}公布）"
        if late:
            return f"逾期至少{late}天（落款{self.signed_on}）"
        return DATE_UNKNOWN


@dataclass(frozen=True)
class Coverage:
    """Which organs of a region have a report of a year in the corpus, and which do not."""

    region_code: str
    region_name: str
    year: int
    deadline: date  # 条例第四十九条: the organs' reports of ``year`` are due by this day
    rows: list[CoverageRow] = field(default_factory=list)

    @property
    def have(self) -> int:
        """The number of organs with at least one report."""
        return sum(1 for row in self.rows if row.reports)

    @property
    def missing(self) -> int:
        """The number of organs with none."""
        return len(self.rows) - self.have

    @property
    def late(self) -> int:
        """The number of organs whose report is known to have come late."""
        return sum(1 for row in self.rows if row.late)

    @property
    def undated(self) -> int:
        """The number of organs with a report whose timeliness cannot be said."""
        return sum(1 for row in self.rows if row.timing == DATE_UNKNOWN)


def report_deadline(year: int) -> date:
    """The day an organ's report of ``year`` is due: 31 January of the next year (条例第四十九条).

    >>> report_deadline(2023)
    datetime.date(2024, 1, 31)
    """
    return date(year + 1, *REPORT_DEADLINE)


def coverage(session: Session, region_code: str, year: int) -> Coverage:
    """Every organ (not region) in the tree below the region ``region_code``, in the tree's order,
    with how many reports of ``year`` the corpus holds for it (matched by name or alias)."""
    region = find_organ(session, region_code)
    if region.kind != "region":
        raise Refused(f"「{region.name}」（{region.code}）是机关，不是地区：请给出地区的代码")
    # One query: the organs below the region, each with how many reports of the year it has and
    # the earliest dates known of them; then put in the tree's order.
    found: dict[int, tuple[int, date | None, date | None]] = {}
    entries = [OrganEntry(region.id, region.code, region.name, region.kind, region.parent_id)]
    organ_columns = (Organ.id, Organ.code, Organ.name, Organ.kind, Organ.parent_id)
    for *organ, count, published_on, signed_on in session.execute(
        select(*organ_columns)
        .add_columns(
            func.count(CorpusReport.id), func.min(CorpusReport.published_on), func.min(CorpusReport.signed_on)
        )
        .outerjoin(CorpusReport, (CorpusReport.organ_id == Organ.id) & (CorpusReport.year == year))
        .where(Organ.id.in_(subtree_select(region.id)), Organ.id != region.id)
        .group_by(*organ_columns)
        .order_by(Organ.code)
    ):
        entries.append(OrganEntry(*organ))
        found[organ[0]] = (count, published_on, signed_on)
    organs = [entries[0], *(organ for _, organ in in_tree_order(entries[1:], region.id))]
    names = {organ.id: organ.name for organ in organs}
    rows = []
    for organ in organs:
        if organ.kind == "organ":
            reports, published_on, signed_on = found.get(organ.id, (0, None, None))
            parent = names.get(organ.parent_id or -1, "")
            due = report_due(year, organ.name)
            rows.append(CoverageRow(organ.code, organ.name, parent, reports, due, published_on, signed_on))
    return Coverage(region.code, region.name, year, report_deadline(year), rows)


COVERAGE_COLUMNS = [
    *("机关代码", "机关名称", "所属地区", "年度", "报告份数", "状态"),
    *("公布期限", "公布日期", "落款日期", "是否逾期"),
]


def coverage_table(result: Coverage) -> list[list[Any]]:
    """The coverage's rows as the export writes them (under :data:`COVERAGE_COLUMNS`)."""
    return [
        [
            *(row.code, row.name, row.region, result.year, row.reports, row.status),
            *(_day(row.due), _day(row.published_on), _day(row.signed_on), row.timing),
        ]
        for row in result.rows
    ]


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""


def as_text(cell: Any) -> Any:
    """A cell a spreadsheet takes as text, never as a formula: text starting with = + - @ (or a tab
    or carriage return, which some spreadsheets skip before looking) gets a leading apostrophe.
    Numbers are left as they are.

    >>> as_text("=HYPERLINK(1)"), as_text("示例局"), as_text(3)
    ("'=HYPERLINK(1)", '示例局', 3)
    """
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def write_csv(path: Path, header: list[str], rows: Iterable[list[Any]]) -> None:
    """Write a table as CSV in UTF-8 with a byte-order mark (so that Excel reads the Chinese), every
    text cell as text (:func:`as_text`)."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows([as_text(cell) for cell in row] for row in rows)


# --- league tables ------------------------------------------------------------------------------


def wilson_interval(hits: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``hits / total`` (95% by default).

    With p = hits / total, n = total:

        centre = (p + z²/(2n)) / (1 + z²/n)
        half   = z / (1 + z²/n) · √( p(1 − p)/n + z²/(4n²) )
        interval = [centre − half, centre + half]

    Unlike p ± z·√(p(1 − p)/n) it stays within [0, 1] and is not empty at 0 or n hits: no errors
    in 10 reports still allows an error rate up to 28%.

    >>> [round(x, 4) for x in wilson_interval(0, 10)]
    [0.0, 0.2775]
    >>> [round(x, 4) for x in wilson_interval(8, 10)]
    [0.4902, 0.9433]
    """
    if total <= 0 or not 0 <= hits <= total:
        raise ValueError(f"比例无法计算：{hits}/{total}")
    n, p = total, hits / total
    shrink = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / shrink
    half = z / shrink * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class LeagueRow:
    """One region: its organs' reports, how many of them have what is counted, the rate and its
    95% Wilson interval; its place in the table (None: too few reports to rank)."""

    region_code: str
    region_name: str
    reports: int
    flagged: int
    low: float
    high: float
    rank: int | None = None

    @property
    def rate(self) -> float:
        """The share of the reports flagged."""
        return self.flagged / self.reports


@dataclass(frozen=True)
class League:
    """A league table: what it measures, the regions ranked, and those with too few reports."""

    measure: str
    counted: str  # what ``flagged`` counts, as a column heading
    min_reports: int
    ranked: list[LeagueRow]
    unranked: list[LeagueRow]


def measure_text(year: int | None, rule: str | None, min_reports: int, region: str | None) -> str:
    """The line above a league table that says what it ranks and how."""
    counted = f"有 {rule} 发现的报告" if rule else "有错误的报告"
    what = f"（{rule}：该规则的任一发现）" if rule else "（错误：至少一条“错误”级发现）"
    scope = f"{region}以下" if region else "全部地区"
    years = f"{year} 年度报告" if year is not None else "各年度报告合计"
    return (
        f"按{counted}所占比例排序{what}，比例低者在前；{scope}，{years}，按机关所属地区汇总；"
        f"“95% 区间”为威尔逊置信区间，区间重叠的地区差别可能只是偶然；少于 {min_reports} 份报告的地区不排名。"
    )


def league(
    session: Session,
    *,
    region_code: str | None = None,
    year: int | None = None,
    rule: str | None = None,
    min_reports: int = 10,
) -> League:
    """Rank the regions by the share of their organs' reports with an error (or with a finding of
    ``rule``), each with its 95% Wilson interval; regions with fewer than ``min_reports`` reports
    are listed apart, unranked. A report counts for the region right above its organ (a report
    matched to a region itself counts for that region). Equal rates share a place."""
    if min_reports < 1:
        raise Refused("最少报告份数应至少为 1")
    root = find_organ(session, region_code) if region_code is not None else None
    # Counted in the database and summed up by region there (the reports' findings are summed up
    # beside them, corpus_reports.errors and corpus_report_rules): one query, a row a region.
    counts = (
        CorpusReport.errors > 0
        if rule is None
        else exists().where(CorpusReportRule.report_id == CorpusReport.id, CorpusReportRule.rule == rule)
    )
    home = case((Organ.kind == "region", Organ.id), else_=Organ.parent_id).label("home")
    grouped = (
        select(home, func.count().label("reports"), func.sum(case((counts, 1), else_=0)).label("flagged"))
        .select_from(CorpusReport)
        .join(Organ, Organ.id == CorpusReport.organ_id)
        .group_by(home)
    )
    if root is not None:
        grouped = grouped.where(CorpusReport.organ_id.in_(subtree_select(root.id)))
    if year is not None:
        grouped = grouped.where(CorpusReport.year == year)
    summed = grouped.subquery()
    region = aliased(Organ)
    rows = []
    for code, name, total, hits in session.execute(
        select(region.code, region.name, summed.c.reports, summed.c.flagged).outerjoin(
            region, region.id == summed.c.home
        )
    ):
        low, high = wilson_interval(int(hits or 0), total)
        rows.append(LeagueRow(code or "", name or NO_REGION, total, int(hits or 0), low, high))
    rows.sort(key=lambda r: (Fraction(r.flagged, r.reports), -r.reports, r.region_code))
    ranked: list[LeagueRow] = []
    for row in (r for r in rows if r.reports >= min_reports):
        # equal rates share a place (1, 1, 3): compared as fractions, not as rounded floats
        tied = ranked and ranked[-1].flagged * row.reports == row.flagged * ranked[-1].reports
        place = ranked[-1].rank if tied else len(ranked) + 1
        ranked.append(replace(row, rank=place))
    unranked = sorted((r for r in rows if r.reports < min_reports), key=lambda r: r.region_code)
    where = root.name if root is not None else None
    counted = f"有 {rule} 的份数" if rule else "有错误的份数"
    return League(measure_text(year, rule, min_reports, where), counted, min_reports, ranked, unranked)
