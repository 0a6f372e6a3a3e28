"""An organ's records of a year, counted and selected for its annual report.

The queries live here; the arithmetic of the report (which count goes in which cell, the sentences
quoting them) is casework's (:mod:`gongkai.casework.annual`), computed from the
:class:`~gongkai.casework.annual.YearRecords` these functions hand it (issue 15).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from gongkai.casework.annual import RegisteredDocument, YearRecords, year_report
from gongkai.casework.law import ABANDONED_NO_FEE
from gongkai.model.report import Report2019, Report2021
from gongkai.store.tables import Appeal, Document, Organ, Publication, Request, Tally


def _by_kind(session: Session, organ: Organ, *conditions) -> Counter[str]:
    rows = session.execute(
        select(Request.applicant_kind, func.count())
        .where(Request.organ_id == organ.id, *conditions)
        .group_by(Request.applicant_kind)
    )
    return Counter({kind: count for kind, count in rows})


def _open_on(day: date):
    """The same rule as RequestCase.open_on, as SQL: received by ``day`` and not concluded on or
    before it."""
    return and_(Request.received_on <= day, or_(Request.concluded_on.is_(None), Request.concluded_on > day))


def _tallies(session: Session, organ: Organ, year: int) -> dict:
    rows = session.execute(
        select(Tally.key, Tally.value).where(Tally.organ_id == organ.id, Tally.year == year)
    )
    return {key: value for key, value in rows}


def year_records(session: Session, organ: Organ, year: int) -> YearRecords:
    """What ``organ``'s records hold for ``year``: requests, appeals, documents, tallies,
    publications and fees, counted as the year's report counts them."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    concluded = session.execute(
        select(Request.outcome, Request.applicant_kind, func.count())
        .where(Request.organ_id == organ.id, Request.concluded_on.between(first, last))
        .group_by(Request.outcome, Request.applicant_kind)
    ).all()
    appeals = session.execute(
        select(Appeal.kind, Appeal.result, Appeal.decided_on).where(
            Appeal.organ_id == organ.id,
            Appeal.withdrawn.is_(False),
            Appeal.filed_on <= last,
            or_(Appeal.decided_on.is_(None), Appeal.decided_on >= first),
        )
    ).all()
    documents = session.execute(
        select(Document.kind, Document.issued_on, Document.repealed_on, Document.published_on).where(
            Document.organ_id == organ.id, Document.withdrawn.is_(False), Document.issued_on <= last
        )
    ).all()
    published = session.execute(
        select(Publication.category, Publication.channels).where(
            Publication.organ_id == organ.id,
            Publication.withdrawn.is_(False),
            Publication.published_on.between(first, last),
        )
    ).all()
    fee_notices = session.scalars(
        select(Request.fee_yuan).where(
            Request.organ_id == organ.id, Request.fee_noticed_on.between(first, last)
        )
    ).all()
    paid = session.execute(
        select(func.count(), func.coalesce(func.sum(Request.fee_yuan), 0)).where(
            Request.organ_id == organ.id, Request.fee_paid_on.between(first, last)
        )
    ).one()
    earlier = session.execute(
        select(func.count(), func.coalesce(func.sum(Request.fee_yuan), 0)).where(
            Request.organ_id == organ.id,
            Request.fee_noticed_on < first,
            or_(
                Request.fee_paid_on.between(first, last),
                and_(Request.outcome == ABANDONED_NO_FEE, Request.concluded_on.between(first, last)),
            ),
        )
    ).one()
    return YearRecords(
        new=_by_kind(session, organ, Request.received_on.between(first, last)),
        carried_in=_by_kind(session, organ, _open_on(date(year - 1, 12, 31))),
        carried_over=_by_kind(session, organ, _open_on(last)),
        concluded=[(outcome, kind, count) for outcome, kind, count in concluded],
        appeals=[(kind, result, decided_on) for kind, result, decided_on in appeals],
        documents=[RegisteredDocument(*row) for row in documents],
        tallies=_tallies(session, organ, year),
        tallies_before=_tallies(session, organ, year - 1),
        publications=[(category, channels) for category, channels in published],
        fee_notices=list(fee_notices),
        fees_paid=(int(paid[0]), int(paid[1])),
        fees_earlier=(int(earlier[0]), int(earlier[1])),
    )


def build_year(session: Session, organ: Organ, year: int) -> Report2021 | Report2019:
    """The canonical report of ``organ`` for ``year``, computed from its records: tables 二, 三 and
    四, and the sentences whose figures come from them."""
    return year_report(year_records(session, organ, year), agency=organ.name, year=year)
