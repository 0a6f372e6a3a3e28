"""The questions the report pages ask of the store: an organ's reports, its published ones, the
reports of the organs a supervisor oversees; and filing a report uploaded in the console.

The review of a drafted report (its moves, its sections) is :mod:`gongkai.store.reports`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, distinct, false, func, null, select, true
from sqlalchemy.orm import Session

from gongkai.checks import check_report
from gongkai.model.report import report_from_json
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
# A choice of organ lists a scope's organs when it holds no more than this many organs and regions
# (a district's); beyond it (a province's 15,000) the person types a code or a name, and the regions
# alone are offered (no more than this many).
LISTED_ORGANS = 300


# A scope of no more organs than this is sent as a list of ids (cheaper than any query of the tree).
LISTED_IDS = 500


def in_scope(scope: Scope) -> ColumnElement[bool]:
    """The organs (of Organ) the person sees, as a condition to build once a request: a short list
    of ids; nothing, for a scope of every organ (an administrator's, the top region's supervisor's);
    else the region's recursive query (records.subtree_select), never 15,000 ids as parameters."""
    if scope.role is Role.ADMIN:
        return true()
    if len(scope.organ_ids) <= LISTED_IDS:
        return Organ.id.in_(scope.organ_ids) if scope.organ_ids else false()
    if scope.every_organ:
        return true()
    if scope.role is Role.SUPERVISOR and scope.home_organ_id is not None:
        return Organ.id.in_(subtree_select(scope.home_organ_id))
    return Organ.id.in_(scope.organ_ids)


@dataclass(frozen=True)
class ReportFilter:
    """What the console's list is narrowed to: the organs the person sees (``within``, as
    :func:`in_scope` gives it), a year, a status, an organ or region (``organ_id``: it and the
    organs below it; one the person sees, as :func:`organ_named` finds it)."""

    within: ColumnElement[bool]
    year: int | None = None
    status: str | None = None
    organ_id: int | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The filter as conditions on reports joined to their organs (organs only: a region's own
        report is no organ's)."""
        found = [Organ.kind == "organ"]
        if self.organ_id is not None:
            # an organ the person sees: what is below it they see too, and a scope's recursive
            # query would be a second one of the same name
            found.append(Organ.id.in_(subtree_select(self.organ_id)))
        else:
            found.append(self.within)
        if self.year is not None:
            found.append(ReportRecord.year == self.year)
        if self.status is not None:
            found.append(ReportRecord.status == self.status)
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
    session: Session, chosen: ReportFilter, page_no: int = 1
) -> tuple[list[ListedReport], int, int]:
    """A page of the reports (newest year first, then by organ code); how many there are in all,
    and of how many organs."""
    conditions = chosen.conditions()
    total, organs = session.execute(
        _joined(func.count(), func.count(distinct(Organ.id))).where(*conditions)
    ).one()
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
    return listed, total or 0, organs or 0


def rule_counts(session: Session, chosen: ReportFilter) -> list[tuple[str, int]]:
    """How many findings of each rule the reports have, most first."""
    counted = func.sum(ReportRule.count)
    return [
        (rule, int(n))
        for rule, n in session.execute(
            _joined(ReportRule.rule, counted)
            .join(ReportRule, ReportRule.report_id == ReportRecord.id)
            .where(*chosen.conditions())
            .group_by(ReportRule.rule)
            .order_by(counted.desc(), ReportRule.rule)
        )
    ]


def years_reported(session: Session, within: ColumnElement[bool]) -> list[int]:
    """The years the organs ``within`` (:func:`in_scope`) have reports of, newest first."""
    return list(
        session.scalars(
            _joined(ReportRecord.year)
            .distinct()
            .where(*ReportFilter(within).conditions())
            .order_by(ReportRecord.year.desc())
        )
    )


def report_figures_of(
    session: Session, chosen: ReportFilter, organ_ids: Iterable[int] | None = None
) -> list[tuple[str, int, dict[str, Any]]]:
    """(organ name, year, figures) of the reports (of ``organ_ids`` only, unless None)."""
    query = _joined(Organ.name, ReportRecord.year, ReportRecord.figures).where(*chosen.conditions())
    if organ_ids is not None:
        query = query.where(Organ.id.in_(list(organ_ids)))
    return [(name, year, figures or {}) for name, year, figures in session.execute(query)]


def organ_named(
    session: Session, within: ColumnElement[bool], text: str, *, regions: bool = False
) -> Organ | None:
    """The organ (or, with ``regions``, region too) ``within`` (:func:`in_scope`) whose code or
    full name is ``text``; None when there is none, :class:`Refused` when several bear the name
    (never the first of them: a report would be filed under another organ's name)."""
    text = text.strip()
    if not text:
        return None
    kinds = ("organ", "region") if regions else ("organ",)
    found = session.scalars(
        select(Organ)
        .where(within, Organ.kind.in_(kinds), (Organ.code == text) | (Organ.name == text))
        .order_by(Organ.code != text, Organ.code)
        .limit(6)
    ).all()
    if len(found) > 1 and found[0].code != text:
        codes = "、".join(o.code for o in found[:5])
        raise Refused(f"有不止一个机关名为「{text}」，请填机关代码（{codes}……）")
    return found[0] if found else None


def organ_choices(session: Session, scope: Scope, within: ColumnElement[bool]) -> list[tuple[str, str, str]]:
    """(code, name, kind) of what a choice of organ offers, by code: the regions the person sees
    (``within``, :func:`in_scope`), and their organs too when the scope is no larger than
    :data:`LISTED_ORGANS` (organs and regions)."""
    kinds = ("region", "organ") if len(scope.organ_ids) <= LISTED_ORGANS else ("region",)
    return list(
        session.execute(
            select(Organ.code, Organ.name, Organ.kind)
            .where(within, Organ.kind.in_(kinds))
            .order_by(Organ.code)
            .limit(LISTED_ORGANS)
        ).all()
    )


def organ_coded(session: Session, within: ColumnElement[bool], code: str) -> Organ | None:
    """The organ (not a region) ``within`` (:func:`in_scope`) of this code; None when there is none."""
    return session.scalar(select(Organ).where(within, Organ.kind == "organ", Organ.code == code))


# The organs beside an organ on its page, a page at a time (a region may hold hundreds).
PEERS_PAGE = 100


@dataclass(frozen=True)
class Peer:
    """An organ beside another, with its report's stored figures (reports.report_figures)."""

    organ_id: int
    code: str
    name: str
    figures: dict[str, Any]


def _like_organs(within: ColumnElement[bool], organ: Organ) -> list[ColumnElement[bool]]:
    """The organs ``within`` (:func:`in_scope`) under the same parent as ``organ``, of its kind (the
    organ itself among them), as conditions."""
    parent = Organ.parent_id.is_(None) if organ.parent_id is None else Organ.parent_id == organ.parent_id
    return [within, parent, Organ.kind == organ.kind]


def peers_of(
    session: Session, within: ColumnElement[bool], organ: Organ, year: int, page_no: int = 1
) -> tuple[list[Peer], int]:
    """A page (by code) of the organs ``within`` (:func:`in_scope`) under the same parent as
    ``organ`` — like organs, the organ itself among them — that have a report of ``year``, with
    its stored figures (no body read); and how many there are in all."""
    conditions = [*_like_organs(within, organ), ReportRecord.year == year]
    total = session.scalar(_joined(func.count()).where(*conditions)) or 0
    rows = session.execute(
        _joined(Organ.id, Organ.code, Organ.name, ReportRecord.figures)
        .where(*conditions)
        .order_by(Organ.code)
        .offset((max(page_no, 1) - 1) * PEERS_PAGE)
        .limit(PEERS_PAGE)
    ).all()
    return [Peer(oid, code, name, figures or {}) for oid, code, name, figures in rows], total


def beside_choices(
    session: Session, within: ColumnElement[bool], organ: Organ, limit: int | None = None
) -> tuple[list[tuple[str, str, int]], int]:
    """(organ code, organ name, year) of the reports a report of ``organ`` can be put beside as a
    choice offers them: those of the organs ``within`` (:func:`in_scope`) under the same parent —
    like organs, the organ itself among them — by code, newest year first, no more than ``limit``
    (:data:`LISTED_ORGANS` unless given; no body read); and how many there are in all. Any other
    organ the person sees is typed."""
    conditions = _like_organs(within, organ)
    total = session.scalar(_joined(func.count()).where(*conditions)) or 0
    rows = session.execute(
        _joined(Organ.code, Organ.name, ReportRecord.year)
        .where(*conditions)
        .order_by(Organ.code, ReportRecord.year.desc())
        .limit(LISTED_ORGANS if limit is None else limit)
    ).all()
    return [(code, name, year) for code, name, year in rows], total


def has_report(session: Session, organ: Organ, year: int) -> bool:
    """Whether the organ has a report of the year, whatever its status (no body read)."""
    found = select(ReportRecord.id).where(ReportRecord.organ_id == organ.id, ReportRecord.year == year)
    return session.scalar(found.limit(1)) is not None


@dataclass(frozen=True)
class SummedReport:
    """A report as the console's export writes it: its organ, year and status, its stored summary
    (counts and figures), and its findings (as stored; an organ's draft's, from its checks)."""

    organ_name: str
    year: int
    status: str
    errors: int
    warnings: int
    figures: dict[str, Any]
    format: str | None
    findings: list[dict[str, Any]]


def reports_summed_up(session: Session, chosen: ReportFilter, page: int = 500) -> Iterator[SummedReport]:
    """The reports ``chosen`` (newest year first, then by organ code) summed up, read ``page`` at a
    time (a server-side cursor on PostgreSQL), no body read but a draft's (whose findings are its
    checks', kept nowhere): one page in memory at once, however many reports a province has."""
    query = (
        _joined(
            Organ.name,
            ReportRecord.year,
            ReportRecord.status,
            ReportRecord.errors,
            ReportRecord.warnings,
            ReportRecord.figures,
            ReportRecord.body["format"].as_string(),
            ReportRecord.findings,
            # the body only where the findings must be worked out from it: a draft's
            case((ReportRecord.findings.is_(None), ReportRecord.body), else_=null()).label("draft"),
        )
        .where(*chosen.conditions())
        .order_by(ReportRecord.year.desc(), Organ.code)
        .execution_options(yield_per=page)
    )
    for *summed, figures, fmt, findings, draft in session.execute(query):
        if findings is None:
            findings = [f.model_dump(mode="json") for f in check_report(report_from_json(draft))]
        yield SummedReport(*summed, figures or {}, fmt, findings)
