"""League tables over the corpus of published reports (issue 17 §6): for each region, the share of
its organs' reports that have an error (or a finding of one rule), with its 95% Wilson score
interval (:func:`wilson_interval`). A region with fewer reports than the minimum is listed apart and
never ranked: a rate over a handful of reports says little, and its interval shows how little.

Counted in the database on each report's findings summed up beside it (corpus_reports.errors,
corpus_report_rules): :func:`tally` once, then :func:`ranking` and :func:`by_year` over it.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from fractions import Fraction

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from gongkai.store.records import Refused, find_organ, subtree_select
from gongkai.store.tables import CorpusReport, CorpusReportRule, Organ

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile: a two-sided 95% interval
NO_REGION = "（不属于任何地区）"


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


@dataclass(frozen=True)
class Tally:
    """One pass over the corpus reports below a region (or all): for each region and year, how many
    reports and how many of them count (an error, or a finding of ``rule``); how many reports have a
    finding of each rule, to choose one from."""

    root: str | None  # the region's name, None for all regions
    rule: str | None
    regions: dict[int | None, tuple[str, str]]  # a region's id → (code, name); None: no region
    counts: dict[tuple[int | None, int | None], tuple[int, int]]  # (region, year) → (reports, flagged)
    rules: Counter[str]

    @property
    def years(self) -> list[int]:
        """The years of the reports counted, latest first."""
        return sorted({year for _, year in self.counts if year is not None}, reverse=True)


def tally(session: Session, *, region_code: str | None = None, rule: str | None = None) -> Tally:
    """Count the reports of the organs below the region ``region_code`` (None: every report matched
    to an organ) by the region right above each organ (a report matched to a region itself counts
    for that region) and by year."""
    root = find_organ(session, region_code) if region_code is not None else None
    # Counted and summed up by region and year in the database, on the findings summed up beside
    # each report (corpus_reports.errors, corpus_report_rules): a row a region and year, however
    # many reports; no report's findings are read.
    # a rule's reports as one set joined to, not a lookup for each report
    with_rule = (
        select(CorpusReportRule.report_id).where(CorpusReportRule.rule == rule).subquery()
        if rule is not None
        else None
    )
    flagged = CorpusReport.errors > 0 if with_rule is None else with_rule.c.report_id.is_not(None)
    # A report counts for the region right above its organ; below the root is a home among the
    # root's regions (a hash join over the few hundred regions, not a probe per organ of 14,000).
    home = case((Organ.kind == "region", Organ.id), else_=Organ.parent_id)
    labelled = home.label("home")
    below = [home.in_(subtree_select(root.id, regions_only=True))] if root is not None else []
    grouped = (
        select(
            labelled,
            CorpusReport.year.label("year"),
            func.count().label("reports"),
            func.sum(case((flagged, 1), else_=0)).label("flagged"),
        )
        .select_from(CorpusReport)
        .join(Organ, Organ.id == CorpusReport.organ_id)
        .where(*below)
        .group_by(labelled, CorpusReport.year)
    )
    if with_rule is not None:
        grouped = grouped.outerjoin(with_rule, with_rule.c.report_id == CorpusReport.id)
    grouped = grouped.subquery()
    region = aliased(Organ)
    counts: dict[tuple[int | None, int | None], tuple[int, int]] = {}
    regions: dict[int | None, tuple[str, str]] = {}
    for home_id, year, reports, hits, code, name in session.execute(
        select(grouped, region.code, region.name).outerjoin(region, region.id == grouped.c.home)
    ):
        counts[(home_id, year)] = (reports, int(hits or 0))
        regions[home_id] = (code or "", name or NO_REGION)
    # How many reports have a finding of each rule, to choose one from (a rule once a report)
    per_rule = (
        select(CorpusReportRule.rule, func.count())
        .join(CorpusReport, CorpusReportRule.report_id == CorpusReport.id)
        .join(Organ, Organ.id == CorpusReport.organ_id)
        .where(*below)
        .group_by(CorpusReportRule.rule)
    )
    rules: Counter[str] = Counter({found: n for found, n in session.execute(per_rule) if found})
    return Tally(root.name if root is not None else None, rule, regions, counts, rules)


def rate_row(code: str, name: str, reports: int, flagged: int) -> LeagueRow:
    """A region's rate with its Wilson interval, unranked."""
    low, high = wilson_interval(flagged, reports)
    return LeagueRow(code, name, reports, flagged, low, high)


def ranking(counted: Tally, *, year: int | None = None, min_reports: int = 10) -> League:
    """The league table of a tally, over the year ``year`` (None: every year together): regions by
    the share of reports flagged, lowest first; those with fewer than ``min_reports`` apart. Equal
    rates share a place."""
    if min_reports < 1:
        raise Refused("最少报告份数应至少为 1")
    totals: dict[int | None, list[int]] = {}
    for (home, of_year), (reports, flagged) in counted.counts.items():
        if year is None or of_year == year:
            total = totals.setdefault(home, [0, 0])
            total[0] += reports
            total[1] += flagged
    rows = [rate_row(*counted.regions[home], reports, flagged) for home, (reports, flagged) in totals.items()]
    rows.sort(key=lambda r: (Fraction(r.flagged, r.reports), -r.reports, r.region_code))
    ranked: list[LeagueRow] = []
    for row in (r for r in rows if r.reports >= min_reports):
        # equal rates share a place (1, 1, 3): compared as fractions, not as rounded floats
        tied = ranked and ranked[-1].flagged * row.reports == row.flagged * ranked[-1].reports
        place = ranked[-1].rank if tied else len(ranked) + 1
        ranked.append(replace(row, rank=place))
    unranked = sorted((r for r in rows if r.reports < min_reports), key=lambda r: r.region_code)
    rule = counted.rule
    counted_heading = f"有 {rule} 的份数" if rule else "有错误的份数"
    return League(
        measure_text(year, rule, min_reports, counted.root), counted_heading, min_reports, ranked, unranked
    )


def by_year(counted: Tally) -> dict[str, list[tuple[int, LeagueRow]]]:
    """Each region's rate in each year it has reports of (a region by its code), years in order."""
    series: dict[str, list[tuple[int, LeagueRow]]] = {}
    dated = [(year, home, counts) for (home, year), counts in counted.counts.items() if year is not None]
    for year, home, (reports, flagged) in sorted(dated, key=lambda item: item[0]):
        code, name = counted.regions[home]
        series.setdefault(code, []).append((year, rate_row(code, name, reports, flagged)))
    return series


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
    are listed apart, unranked (:func:`tally`, :func:`ranking`)."""
    if min_reports < 1:
        raise Refused("最少报告份数应至少为 1")
    counted = tally(session, region_code=region_code, rule=rule)
    return ranking(counted, year=year, min_reports=min_reports)
