"""The questions the report pages ask of the store: an organ's reports, its published ones, the
reports of the organs a supervisor oversees; and filing a report uploaded in the console.

The review of a drafted report (its moves, its sections) is :mod:`gongkai.store.reports`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gongkai.store.records import NotFound, Refused, audit, now
from gongkai.store.reports import ReportStatus
from gongkai.store.tables import Organ, ReportRecord


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
    session.flush()
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
