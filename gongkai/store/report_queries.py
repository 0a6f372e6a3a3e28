"""The questions the report pages ask of the store: an organ's reports, its published ones, the
reports of the organs a supervisor oversees; and filing a report uploaded in the console.

The review of a drafted report (its moves, its sections) is :mod:`gongkai.store.reports`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, distinct, false, func, select, true
from sqlalchemy.orm import Session

from gongkai.store.accounts import Role, Scope
from gongkai.store.records import NotFound, Refused, audit, now, subtree_select
from gongkai.store.reports import ReportStatus, summarise
from gongkai.store.tables import Organ, ReportRecord, ReportRule


def reports_of(session: Session, organ: Organ) -> list[ReportRecord]:
    """The organ's reports, whatever their status, newest year first."""
    return list(
        session.scalars(
            select(ReportRecord).where(ReportRecord.organ_id == organ.id).order_by(ReportRecord.year.desc())
        )
    )


def published_reports(session: Session, organ: Organ) -> list[ReportRecord]:
    """The organ's published reports, newest year first: what the portal lists."""
    return list(
        session.scalars(
            select(ReportRecord)
            .where(ReportRecord.organ_id == organ.id, ReportRecord.status == ReportStatus.PUBLISHED.value)
            .order_by(ReportRecord.year.desc())
        )
    )


def published_report(session: Session, organ: Organ, year: int) -> ReportRecord:
    """The organ's published report of the year (:class:`NotFound` when there is none, or it is
    not published yet)."""
    row = session.scalar(
        select(ReportRecord).where(
            ReportRecord.organ_id == organ.id,
            ReportRecord.year == year,
            ReportRecord.status == ReportStatus.PUBLISHED.value,
        )
    )
    if row is None:
        raise NotFound(f"{organ.name}没有已发布的 {year} 年度报告")
    return row


def reports_of_organs(
    session: Session, organs: Iterable[Organ], year: int | None = None
) -> list[ReportRecord]:
    """The reports of these organs (of ``year`` only, unless None), newest year first."""
    query = select(ReportRecord).where(ReportRecord.organ_id.in_([o.id for o in organs]))
    if year is not None:
        query = query.where(ReportRecord.year == year)
    return list(session.scalars(query.order_by(ReportRecord.year.desc())))


def reports_by_organ_and_year(
    session: Session, organs: Iterable[Organ], years: Iterable[int]
) -> dict[tuple[int, int], ReportRecord]:
    """The reports of these organs of these years, by (organ id, year)."""
    return {
        (r.organ_id, r.year): r
        for r in session.scalars(
            select(ReportRecord).where(
                ReportRecord.organ_id.in_([o.id for o in organs]), ReportRecord.year.in_(list(years))
            )
        )
    }


def report_choices(session: Session, organs: Iterable[Organ]) -> list[tuple[str, str, int]]:
    """(organ code, organ name, year) of every report of these organs, by code, newest year first:
    what a report can be put beside."""
    return list(
        session.execute(
            select(Organ.code, Organ.name, ReportRecord.year)
            .join(ReportRecord, ReportRecord.organ_id == Organ.id)
            .where(Organ.id.in_([o.id for o in organs]))
            .order_by(Organ.code, ReportRecord.year.desc())
        ).all()
    )


def file_uploaded_report(
    session: Session,
    organ: Organ,
    year: int,
    body: dict[str, Any],
    findings: list[dict[str, Any]],
    source_name: str,
    *,
    actor: str,
) -> ReportRecord:
    """File a published report read from an uploaded file, with the findings its reading gave, as
    the organ's report of the year, or replace the one uploaded before (audited). A report drafted
    on the platform is never replaced: :class:`Refused`."""
    existing = session.scalar(
        select(ReportRecord).where(ReportRecord.organ_id == organ.id, ReportRecord.year == year)
    )
    if existing is not None and existing.source == "workspace":
        raise Refused(f"{organ.name} {year} 年度的报告由本平台起草，未用上传的文件替换")
    before = None
    if existing is None:
        existing = ReportRecord(
            organ_id=organ.id,
            year=year,
            source="uploaded",
            status=ReportStatus.PUBLISHED.value,
            body=body,
            updated_at=now(),
            published_at=now(),
        )
        session.add(existing)
    else:
        before = {"source_name": existing.source_name}
        existing.body, existing.version, existing.updated_at = body, existing.version + 1, now()
    existing.source_name, existing.findings = source_name, findings
    summarise(session, existing)
    audit(
        session,
        actor,
        "report",
        f"{organ.code}:{year}",
        "upload",
        organ_id=organ.id,
        before=before,
        after={"source_name": source_name},
    )
    return existing


# --- the console's list of the organs' reports (issue 17 §8) ---------------------------------------

PAGE_SIZE = 50
# The organs a choice lists when there are no more than this many (a district's); beyond it (a
# province's 15,000) the person types a code or a name, and only the regions are offered.
LISTED_ORGANS = 300


def in_scope(scope: Scope) -> ColumnElement[bool]:
    """The organs (of Organ) the person sees, as a condition: a supervisor's region is a recursive
    query (records.subtree_select), never the scope's ids sent as 15,000 parameters."""
    if scope.role is Role.ADMIN:
        return true()
    if scope.role is Role.SUPERVISOR:
        return Organ.id.in_(subtree_select(scope.home_organ_id)) if scope.home_organ_id else false()
    return Organ.id.in_(scope.organ_ids)


@dataclass(frozen=True)
class ReportFilter:
    """What the console's list is narrowed to: a year, a status, an organ or region (``organ_id``:
    it and the organs below it)."""

    year: int | None = None
    status: str | None = None
    organ_id: int | None = None

    def conditions(self, scope: Scope) -> list[ColumnElement[bool]]:
        """The filter within the person's scope, on reports joined to their organs (organs only:
        a region's own report is no organ's)."""
        found = [Organ.kind == "organ", in_scope(scope)]
        if self.year is not None:
            found.append(ReportRecord.year == self.year)
        if self.status is not None:
            found.append(ReportRecord.status == self.status)
        if self.organ_id is not None:
            found.append(Organ.id.in_(subtree_select(self.organ_id)))
        return found


@dataclass(frozen=True)
class ListedReport:
    """One report of the console's list, summed up (no body read)."""

    organ_id: int
    organ_code: str
    organ_name: str
    year: int
    status: str
    source: str
    source_name: str
    errors: int
    warnings: int
    new_requests: int | float | None


def _joined(*columns: Any) -> Select[Any]:
    """These columns of reports joined to their organs."""
    return select(*columns).select_from(ReportRecord).join(Organ, Organ.id == ReportRecord.organ_id)


def report_page(
    session: Session, scope: Scope, chosen: ReportFilter, page_no: int = 1
) -> tuple[list[ListedReport], int]:
    """A page of the reports the person oversees (newest year first, then by organ code), and how
    many there are in all."""
    conditions = chosen.conditions(scope)
    total = session.scalar(_joined(func.count()).where(*conditions)) or 0
    rows = session.execute(
        _joined(
            Organ.id,
            Organ.code,
            Organ.name,
            ReportRecord.year,
            ReportRecord.status,
            ReportRecord.source,
            ReportRecord.source_name,
            ReportRecord.errors,
            ReportRecord.warnings,
            ReportRecord.figures,
        )
        .where(*conditions)
        .order_by(ReportRecord.year.desc(), Organ.code)
        .offset((max(page_no, 1) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    listed = [ListedReport(*row[:-1], (row[-1] or {}).get("new.total")) for row in rows]
    return listed, total


def rule_counts(session: Session, scope: Scope, chosen: ReportFilter) -> list[tuple[str, int]]:
    """How many findings of each rule the listed reports have, most first."""
    counted = func.sum(ReportRule.count)
    return [
        (rule, int(n))
        for rule, n in session.execute(
            _joined(ReportRule.rule, counted)
            .join(ReportRule, ReportRule.report_id == ReportRecord.id)
            .where(*chosen.conditions(scope))
            .group_by(ReportRule.rule)
            .order_by(counted.desc(), ReportRule.rule)
        )
    ]


def years_reported(session: Session, scope: Scope) -> list[int]:
    """The years the person's organs have reports of, newest first."""
    return list(
        session.scalars(
            _joined(ReportRecord.year)
            .distinct()
            .where(*ReportFilter().conditions(scope))
            .order_by(ReportRecord.year.desc())
        )
    )


def organs_reporting(session: Session, scope: Scope, chosen: ReportFilter) -> int:
    """How many organs the listed reports are of."""
    return session.scalar(_joined(func.count(distinct(Organ.id))).where(*chosen.conditions(scope))) or 0


def report_figures_of(
    session: Session, scope: Scope, chosen: ReportFilter, organ_ids: Iterable[int] | None = None
) -> list[tuple[str, int, dict[str, Any]]]:
    """(organ name, year, figures) of the listed reports (of ``organ_ids`` only, unless None)."""
    query = _joined(Organ.name, ReportRecord.year, ReportRecord.figures).where(*chosen.conditions(scope))
    if organ_ids is not None:
        query = query.where(Organ.id.in_(list(organ_ids)))
    return [(name, year, figures or {}) for name, year, figures in session.execute(query)]


def organ_named(session: Session, scope: Scope, text: str, *, regions: bool = False) -> Organ | None:
    """The organ (or, with ``regions``, region too) the person sees whose code or full name is
    ``text``; None when there is none."""
    text = text.strip()
    if not text:
        return None
    kinds = ("organ", "region") if regions else ("organ",)
    return session.scalar(
        select(Organ)
        .where(in_scope(scope), Organ.kind.in_(kinds), (Organ.code == text) | (Organ.name == text))
        .order_by(Organ.code != text, Organ.code)
        .limit(1)
    )


def organ_choices(session: Session, scope: Scope) -> list[tuple[str, str, str]]:
    """(code, name, kind) of what a choice of organ offers: the regions the person sees, and their
    organs too when they are no more than :data:`LISTED_ORGANS`; by code."""
    organs = session.scalar(
        select(func.count()).select_from(Organ).where(in_scope(scope), Organ.kind == "organ")
    )
    kinds = ("region", "organ") if (organs or 0) <= LISTED_ORGANS else ("region",)
    return list(
        session.execute(
            select(Organ.code, Organ.name, Organ.kind)
            .where(in_scope(scope), Organ.kind.in_(kinds))
            .order_by(Organ.code)
            .limit(LISTED_ORGANS * 2)
        ).all()
    )
