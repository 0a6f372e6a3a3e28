"""Coverage and fair comparisons over the corpus of published reports (issue 17 §5, §6).

- Coverage (:func:`coverage`): for a region and a year, each organ of its subtree with the corpus's
  reports of that year matched to it, or none (missing), and whether it came late (条例第四十九条:
  a department's by 31 January of the next year, a people's government's by 31 March; none set for
  a township): by its publication date where its page or a list given to ingest states it, else by
  the date it was signed, which a late signature shows late; otherwise unknown, never guessed.
- League tables: :mod:`gongkai.store.league`.

Each is a plain query over the store; nothing here changes anything.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import case, func, null, or_, select
from sqlalchemy.orm import Session

from gongkai.model.cleantext import csv_cell
from gongkai.model.publication import (
    DEPARTMENT_DUE,
    GOVERNMENT_DUE,
    GOVERNMENT_ENDING,
    TOWNSHIP_ENDINGS,
    report_due,
)
from gongkai.store.accounts import Scope
from gongkai.store.records import Place, Refused, find_organ, in_tree_order, organ_outline, subtree_select
from gongkai.store.tables import CorpusReport, Organ

DATE_UNKNOWN = "公布日期未知"
NO_DUE_DATE = "条例未规定期限"
ON_TIME, LATE = "按时", "逾期"


# --- coverage -----------------------------------------------------------------------------------


class CoverageRow(NamedTuple):
    """One organ of the region's tree and the corpus's reports of the year matched to it (a tuple:
    a province's coverage makes 14,000 of them a page, and a frozen dataclass's are slow to make)."""

    code: str
    name: str
    region: str  # the name of the region right above it
    reports: int  # how many reports of the year (a report corrected and published again counts twice)
    due: date | None = None  # 条例第四十九条's last day for it (None: a township, no date set)
    published_on: date | None = None  # the earliest publication date known of its reports
    signed_on: date | None = None  # the earliest signature date known (a lower bound of publication)
    region_code: str = ""  # the code of the region right above it

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
    def late(self) -> bool | None:
        """Whether the report came after the day it was due; None when that cannot be said (no
        report, no date due, or no date known that tells)."""
        days = self.days_late
        return None if days is None else days > 0

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
            return f"{LATE}{late}天（{on}公布）" if late else f"{ON_TIME}（{on}公布）"
        if late:
            return f"{LATE}至少{late}天（落款{self.signed_on}）"
        return DATE_UNKNOWN


@dataclass(frozen=True)
class Coverage:
    """Which organs of a region have a report of a year in the corpus, and which do not. Its counts
    are counted once (a page shows each several times, over 14,000 organs of a province)."""

    region_code: str
    region_name: str
    year: int
    deadline: date  # 条例第四十九条: the organs' reports of ``year`` are due by this day
    rows: list[CoverageRow] = field(default_factory=list)

    @cached_property
    def have(self) -> int:
        """The number of organs with at least one report."""
        return sum(1 for row in self.rows if row.reports)

    @cached_property
    def missing(self) -> int:
        """The number of organs with none."""
        return len(self.rows) - self.have

    @cached_property
    def late(self) -> int:
        """The number of organs whose report is known to have come late."""
        return sum(1 for row in self.rows if row.late)

    @property
    def timing_rule(self) -> str:
        """How 是否逾期 is decided, in a sentence (for the pages and exports that show it)."""
        return timing_rule(self.year)

    @cached_property
    def undated(self) -> int:
        """The number of organs with a report whose timeliness cannot be said."""
        # as row.timing == DATE_UNKNOWN, without writing 14,000 rows' timings out
        return sum(1 for row in self.rows if row.reports and row.due is not None and row.days_late is None)


def timing_rule(year: int) -> str:
    """How 是否逾期 is decided for the reports of ``year``, in a sentence."""
    return (
        f"是否逾期：条例第四十九条要求部门于 {report_deadline(year).isoformat()} 前、人民政府于 "
        f"{date(year + 1, *GOVERNMENT_DUE).isoformat()} 前公布（乡镇、街道未规定期限）；按报告页面或公布日期清单"
        "（gongkai ingest --dates）所载的公布日期判断，没有公布日期时落款日期已过期限的也算逾期。"
    )


def report_deadline(year: int) -> date:
    """The day an organ's report of ``year`` is due: 31 January of the next year (条例第四十九条).

    >>> report_deadline(2023)
    datetime.date(2024, 1, 31)
    """
    return date(year + 1, *DEPARTMENT_DUE)


@dataclass(frozen=True)
class Counted:
    """How many organs, how many of them have a report of the year, came late, cannot be told."""

    organs: int = 0
    have: int = 0
    late: int = 0
    undated: int = 0

    @property
    def missing(self) -> int:
        """The number of organs without a report."""
        return self.organs - self.have


@dataclass(frozen=True)
class CoveragePart:
    """The organs right below one region of a coverage, counted."""

    id: int
    code: str
    name: str
    counted: Counted


@dataclass(frozen=True)
class CoverageSummary:
    """A region's coverage of a year counted, region by region, without its organs' rows: what a
    page shows above a page of rows (:func:`coverage_rows`)."""

    region_code: str
    region_name: str
    year: int
    deadline: date
    parts: list[CoveragePart]  # the regions with organs right below them, in the tree's order

    @cached_property
    def total(self) -> Counted:
        """The counts over every part."""
        counts = [part.counted for part in self.parts]
        return Counted(*(sum(getattr(c, f) for c in counts) for f in ("organs", "have", "late", "undated")))

    @property
    def timing_rule(self) -> str:
        """How 是否逾期 is decided, in a sentence."""
        return timing_rule(self.year)


def _due(year: int) -> Any:
    """report_due(year, the organ's name) as an SQL expression (NULL: no date set), from the same
    endings, so that a province's organs are counted in the database."""
    name = func.trim(Organ.name)
    return case(
        (or_(*(name.like(f"%{ending}") for ending in TOWNSHIP_ENDINGS)), null()),
        (name.like(f"%{GOVERNMENT_ENDING}"), date(year + 1, *GOVERNMENT_DUE)),
        else_=date(year + 1, *DEPARTMENT_DUE),
    )


def _of_year(year: int) -> Any:
    """Each organ's reports of ``year``: how many, and the earliest dates known of them (counted
    from an index that holds them all)."""
    return (
        select(
            CorpusReport.organ_id,
            func.count().label("reports"),
            func.min(CorpusReport.published_on).label("published_on"),
            func.min(CorpusReport.signed_on).label("signed_on"),
        )
        .where(CorpusReport.year == year, CorpusReport.organ_id.is_not(None))
        .group_by(CorpusReport.organ_id)
        .subquery()
    )


def _coverage_region(session: Session, region_code: str) -> Organ:
    region = find_organ(session, region_code)
    if region.kind != "region":
        raise Refused(f"「{region.name}」（{region.code}）是机关，不是地区：请给出地区的代码")
    return region


def coverage_summary(session: Session, region_code: str, year: int) -> CoverageSummary:
    """The organs (not regions) below the region ``region_code`` counted by the region right above
    each, in the tree's order: two queries, a row a region, however many organs."""
    region = _coverage_region(session, region_code)
    regions = [
        Place(*row)
        for row in session.execute(
            select(Organ.id, Organ.parent_id, Organ.code, Organ.name, Organ.kind)
            .where(Organ.id.in_(subtree_select(region.id, regions_only=True)), Organ.id != region.id)
            .order_by(Organ.code)
        )
    ]
    root = Place(region.id, region.parent_id, region.code, region.name, region.kind)
    ordered = [root, *(place for _, place in in_tree_order(regions, region.id))]
    of_year, due = _of_year(year), _due(year)
    has, published, signed = of_year.c.reports.is_not(None), of_year.c.published_on, of_year.c.signed_on
    dated = has & due.is_not(None)  # 条例第四十九条 sets a date for it, and it has a report
    late = dated & or_(published > due, published.is_(None) & (signed > due))  # as CoverageRow.late
    undated = dated & published.is_(None) & or_(signed.is_(None), signed <= due)
    counted = {
        parent: Counted(organs, int(have or 0), int(n_late or 0), int(n_undated or 0))
        for parent, organs, have, n_late, n_undated in session.execute(
            select(
                Organ.parent_id,
                func.count(),
                func.count(of_year.c.reports),
                func.sum(case((late, 1), else_=0)),
                func.sum(case((undated, 1), else_=0)),
            )
            .outerjoin(of_year, of_year.c.organ_id == Organ.id)
            .where(Organ.parent_id.in_(subtree_select(region.id, regions_only=True)), Organ.kind == "organ")
            .group_by(Organ.parent_id)
        )
    }
    parts = [CoveragePart(p.id, p.code, p.name, counted[p.id]) for p in ordered if p.id in counted]
    return CoverageSummary(region.code, region.name, year, report_deadline(year), parts)


def coverage_rows(
    session: Session,
    summary: CoverageSummary,
    *,
    missing: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> list[CoverageRow]:
    """The summary's organs, each region's right after the one before (the parts' order), each
    region's by code; those without a report only, if ``missing``; ``limit`` of them from the
    ``offset``-th (None: all). Only the regions the page falls in are read."""
    first, window = 0, []  # where the first region read starts; the regions read
    start = 0
    for part in summary.parts:
        size = part.counted.missing if missing else part.counted.organs
        if start + size > offset and (limit is None or start < offset + limit) and size:
            first = first if window else start
            window.append(part)
        start += size
    if not window:
        return []
    of_year = _of_year(summary.year)
    place = {part.id: i for i, part in enumerate(window)}
    query = (
        select(Organ.code, Organ.name, Organ.parent_id)
        .add_columns(of_year.c.reports, of_year.c.published_on, of_year.c.signed_on)
        .outerjoin(of_year, of_year.c.organ_id == Organ.id)
        .where(Organ.parent_id.in_(list(place)), Organ.kind == "organ")
        .order_by(case(place, value=Organ.parent_id), Organ.code)
        .offset(offset - first)
        .limit(limit)
    )
    if missing:
        query = query.where(of_year.c.reports.is_(None))
    above = {part.id: part for part in window}
    return [
        CoverageRow(
            *(code, name, above[parent].name, reports or 0, report_due(summary.year, name)),
            *(published_on, signed_on, above[parent].code),
        )
        for code, name, parent, reports, published_on, signed_on in session.execute(query)
    ]


def coverage(session: Session, region_code: str, year: int, *, missing: bool = False) -> Coverage:
    """Every organ (not region) in the tree below the region ``region_code``, each region's right
    after the one before in the tree's order, with how many reports of ``year`` the corpus holds for
    it (matched by name or alias); those without one only, if ``missing``."""
    summary = coverage_summary(session, region_code, year)
    rows = coverage_rows(session, summary, missing=missing)
    return Coverage(summary.region_code, summary.region_name, year, summary.deadline, rows)


def regions_seen(session: Session, scope: Scope) -> list[tuple[int, Place]]:
    """The regions a person may see, with their depth in the tree, in the tree's order."""
    return [
        (depth, place) for depth, place in organ_outline(session, regions_only=True) if scope.sees(place.id)
    ]


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


def csv_text(header: list[str], rows: Iterable[list[Any]]) -> str:
    """A table as CSV text, every text cell as text (:func:`~gongkai.model.cleantext.csv_cell`)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def csv_bytes(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """A table as a CSV file's bytes: UTF-8 with a byte-order mark, so that Excel reads the Chinese."""
    return csv_text(header, rows).encode("utf-8-sig")


def write_csv(path: Path, header: list[str], rows: Iterable[list[Any]]) -> None:
    """Write a table as a CSV file (:func:`csv_bytes`)."""
    path.write_bytes(csv_bytes(header, rows))
