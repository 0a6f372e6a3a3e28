"""Data access for disclosure requests: register, take a step, list what is due.

A request's events are kept in ``request_events`` as recorded; its row in ``requests`` is the
state they lead to (status, answer due, outcome, dates), rewritten after each step so that lists
and the year's tables are plain queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gongkai.casework.requests import (
    EVENT_ADAPTER,
    EVENT_LABELS,
    IllegalStep,
    Registered,
    RequestCase,
)
from gongkai.casework.workdays import CalendarGap, WorkCalendar
from gongkai.store.records import Conflict, NotFound, Refused, audit, lock_row, now, work_calendar
from gongkai.store.tables import Organ, Request, RequestEvent


def _event_json(event: object) -> dict:
    return EVENT_ADAPTER.dump_python(event, mode="json")  # type: ignore[arg-type]


def _projection(case: RequestCase) -> dict:
    """The columns of ``requests`` that follow from the case's events. An answer date that reaches a
    year nobody has entered is kept as 待定 with that year, and computed when the year is entered."""
    due = case.answer_due()
    return {
        "status": case.status(),
        "answer_due": due.due if due is not None else None,
        "answer_due_pending_year": due.missing_year if due is not None and due.due is None else None,
        "answer_due_provisional": bool(due is not None and due.provisional),
        "outcome": case.outcome,
        "concluded_on": case.concluded_on,
        "fee_yuan": case.fee.yuan if case.fee else None,
        "fee_noticed_on": case.fee.on if case.fee else None,
        "fee_paid_on": case.fee_paid_on,
        "event_count": len(case.events),
    }


def _next_seq(session: Session, organ: Organ, year: int) -> int:
    # Registrations of one organ are serialised by locking the organ's row (SQLite transactions are
    # already exclusive, see gongkai.store.db), so two clerks never get one number.
    lock_row(session, organ)
    # Autoflush puts requests registered earlier in the same transaction into the count.
    last = session.scalar(
        select(func.max(Request.seq)).where(Request.organ_id == organ.id, Request.year == year)
    )
    return (last or 0) + 1


def register_filing(
    session: Session,
    organ: Organ,
    registration: Registered,
    parts: list[str],
    calendar: WorkCalendar,
    *,
    actor: str,
) -> list[Request]:
    """Register one filing as several 件, one per item asked for (一事一申请, 办法第四条: a filing
    with several items may be split by the smallest reasonable unit); each is a request of its own,
    counted in table 三 and in the applicant's month for 按件计收, and all name the first's number."""
    subjects = [part.strip() for part in parts if part.strip()]
    if len(subjects) < 2:
        raise Refused("拆分为多件时，请逐行写明每一件申请的内容（至少两件）")
    if len(subjects) > 200:
        raise Refused("一次最多拆分为 200 件")
    first = register(
        session, organ, registration.model_copy(update={"subject": subjects[0]}), calendar, actor=actor
    )
    first.filing = first.number
    rows = [first]
    for subject in subjects[1:]:
        part = registration.model_copy(update={"subject": subject})
        rows.append(register(session, organ, part, calendar, actor=actor, filing=first.number))
    return rows


def register(
    session: Session,
    organ: Organ,
    registration: Registered,
    calendar: WorkCalendar,
    *,
    actor: str,
    filing: str = "",
) -> Request:
    """Register a request; its number is the year of receipt and a running count (2026-0001)."""
    case = RequestCase.replay(calendar, [registration])
    year = registration.on.year
    seq = _next_seq(session, organ, year)
    row = Request(
        organ_id=organ.id,
        number=f"{year}-{seq:04d}",
        year=year,
        seq=seq,
        channel=registration.channel.value,
        arrived_at=registration.arrived,
        received_on=registration.on,
        applicant_kind=registration.applicant_kind,
        applicant_name=registration.applicant_name,
        applicant_id=registration.applicant_id,
        applicant_contact=registration.applicant_contact,
        subject=registration.subject,
        form_wanted=registration.form_wanted,
        filing=filing,
        **_projection(case),
    )
    session.add(row)
    session.flush()  # the row's id, for its first event
    session.add(
        RequestEvent(
            request_id=row.id,
            seq=1,
            type=registration.type,
            on=registration.on,
            data=_event_json(registration),
            recorded_at=now(),
            recorded_by=actor,
        )
    )
    audit(session, actor, "request", row.number, "registered", organ_id=organ.id, after=_summary(row))
    return row


def find_request(session: Session, organ: Organ, number: str) -> Request:
    """The organ's request with this number."""
    row = session.scalar(select(Request).where(Request.organ_id == organ.id, Request.number == number))
    if row is None:
        raise NotFound(f"{organ.name}没有编号为「{number}」的申请")
    return row


def events_of(session: Session, row: Request) -> list[RequestEvent]:
    """The request's stored events, in the order they were recorded."""
    return list(
        session.scalars(
            select(RequestEvent).where(RequestEvent.request_id == row.id).order_by(RequestEvent.seq)
        )
    )


def load_case(session: Session, row: Request, calendar: WorkCalendar) -> RequestCase:
    """The request's case, replayed from its stored events."""
    stored = events_of(session, row)
    # recorded history: never refused again because the calendar has changed since (a year entered)
    return RequestCase.replay(
        calendar, [EVENT_ADAPTER.validate_python(e.data) for e in stored], recorded=True
    )


def take_step(
    session: Session, row: Request, event: object, calendar: WorkCalendar, *, actor: str
) -> RequestCase:
    """Apply one step to a stored request, or raise :class:`Refused` saying why it cannot be taken.

    The request's row is locked before its events are read (issue 14): of six clerks answering at
    once, one answers and the others are refused (:class:`Conflict` when their page was read before
    the first answer was stored), never given a duplicate step or a server error."""
    seen = row.event_count
    lock_row(session, row)
    if row.event_count != seen:
        raise Conflict(f"申请 {row.number} ")
    case = load_case(session, row, calendar)
    try:
        case.apply(event)  # type: ignore[arg-type]
    except (IllegalStep, CalendarGap) as exc:
        raise Refused(f"申请 {row.number}：{exc}") from None
    before = _summary(row)
    try:
        # in a savepoint: a duplicate step (unique request_id, seq) leaves the row as it was and the
        # session usable for the page that says so
        with session.begin_nested():
            for column, value in _projection(case).items():
                setattr(row, column, value)
            session.add(
                RequestEvent(
                    request_id=row.id,
                    seq=len(case.events),
                    type=event.type,  # type: ignore[attr-defined]
                    on=event.on,  # type: ignore[attr-defined]
                    data=_event_json(event),
                    recorded_at=now(),
                    recorded_by=actor,
                )
            )
    except IntegrityError:
        raise Conflict(f"申请 {row.number} ") from None
    audit(
        session,
        actor,
        "request",
        row.number,
        EVENT_LABELS[event.type],  # type: ignore[attr-defined]
        organ_id=row.organ_id,
        before=before,
        after={**_summary(row), "step": _event_json(event)},
    )
    return case


def _summary(row: Request) -> dict:
    return {
        "status": row.status,
        "answer_due": row.answer_due.isoformat() if row.answer_due else None,
        "outcome": row.outcome,
        "concluded_on": row.concluded_on.isoformat() if row.concluded_on else None,
    }


@dataclass(frozen=True)
class DueRequest:
    """A request in a list of what is due, with the working days left (negative: overdue; None when
    a year between is not entered)."""

    number: str
    applicant_kind: str
    received_on: date
    status: str
    answer_due: date
    working_days_left: int | None


def due_requests(
    session: Session, organ: Organ, calendar: WorkCalendar, today: date, *, within: int | None = None
) -> list[DueRequest]:
    """Open requests whose answer is overdue (``within`` None) or due within ``within`` working days.

    When the next ``within`` working days reach a year nobody has entered, every known answer date
    is within them (a known date lies in an entered year)."""
    query = select(Request).where(
        Request.organ_id == organ.id, Request.concluded_on.is_(None), Request.answer_due.is_not(None)
    )
    if within is None:
        query = query.where(Request.answer_due < today)
    elif (limit := calendar.reach(today, within).day) is not None:
        query = query.where(Request.answer_due <= limit)
    out = []
    for row in session.scalars(query.order_by(Request.answer_due, Request.number)):
        assert row.answer_due is not None
        try:
            if row.answer_due >= today:
                left: int | None = calendar.working_days_between(today, row.answer_due)
            else:
                left = -calendar.working_days_between(row.answer_due, today)
        except CalendarGap:
            left = None
        out.append(
            DueRequest(row.number, row.applicant_kind, row.received_on, row.status, row.answer_due, left)
        )
    return out


def pending_deadlines(session: Session, organ_ids: list[int] | None = None) -> list[Request]:
    """Open requests whose answer date is 待定 because it reaches a year nobody has entered, by
    organ and number (``organ_ids`` None: every organ's)."""
    query = select(Request).where(
        Request.concluded_on.is_(None), Request.answer_due_pending_year.is_not(None)
    )
    if organ_ids is not None:
        query = query.where(Request.organ_id.in_(organ_ids))
    return list(session.scalars(query.order_by(Request.organ_id, Request.received_on, Request.number)))


def refresh_open_requests(session: Session, calendar: WorkCalendar) -> int:
    """Recompute the state of every open request, after the calendar changed (a year entered or
    corrected): deadlines that could not be computed, or were computed on other days, are redone.
    Returns how many requests changed."""
    changed = 0
    for row in session.scalars(select(Request).where(Request.concluded_on.is_(None))):
        projection = _projection(load_case(session, row, calendar))
        if any(getattr(row, column) != value for column, value in projection.items()):
            for column, value in projection.items():
                setattr(row, column, value)
            changed += 1
    return changed


def nth_in_month(session: Session, row: Request) -> int:
    """The request's place among the same applicant's requests received in that calendar month, in
    order of receipt (按件计收, 办法第四条). Two requests are the same applicant's when both carry an
    identity document and it is the same, or, when either lacks one, when the names are the same:
    the same test read from either side."""
    first = row.received_on.replace(day=1)
    if row.applicant_id:
        same_applicant = or_(
            Request.applicant_id == row.applicant_id,
            and_(Request.applicant_id == "", Request.applicant_name == row.applicant_name),
        )
    else:
        same_applicant = Request.applicant_name == row.applicant_name
    earlier = session.scalars(
        select(Request.id)
        .where(
            Request.organ_id == row.organ_id,
            same_applicant,
            Request.received_on.between(first, row.received_on),
        )
        .order_by(Request.received_on, Request.arrived_at, Request.id)
    ).all()
    return earlier.index(row.id) + 1


# --- the lists of requests pages show ------------------------------------------------------------

REQUEST_STATUSES = ("open", "overdue", "concluded", "all")  # the register's status filter


@dataclass(frozen=True)
class RequestsPage:
    """One page of an organ's request register, newest first."""

    rows: list[Request]
    page: int  # 1-based; a page past the end is the last one
    pages: int  # at least 1
    total: int


def requests_page(
    session: Session,
    organ: Organ,
    *,
    today: date,
    status: str = "open",
    kind: str | None = None,
    due_within: int | None = None,
    page: int = 1,
    size: int = 50,
) -> RequestsPage:
    """A page of the organ's requests, newest first: ``status`` one of :data:`REQUEST_STATUSES`
    (anything else is all), of one applicant ``kind``, open and due within ``due_within`` working
    days of ``today``. A count reaching a year nobody has entered takes in every known date (they
    lie before it)."""
    query = select(Request).where(Request.organ_id == organ.id)
    if status == "open":
        query = query.where(Request.concluded_on.is_(None))
    elif status == "overdue":
        query = query.where(Request.concluded_on.is_(None), Request.answer_due < today)
    elif status == "concluded":
        query = query.where(Request.concluded_on.is_not(None))
    if kind:
        query = query.where(Request.applicant_kind == kind)
    if due_within is not None:
        limit = work_calendar(session).reach(today, due_within).day
        query = query.where(Request.concluded_on.is_(None), Request.answer_due.is_not(None))
        if limit is not None:
            query = query.where(Request.answer_due <= limit)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    rows = session.scalars(
        query.order_by(Request.received_on.desc(), Request.number.desc())
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return RequestsPage(list(rows), page, pages, total)


def newest_requests(
    session: Session, organ: Organ, *, open_only: bool = False, limit: int = 1000
) -> list[Request]:
    """The organ's requests (only the open ones when ``open_only``), newest first, at most ``limit``."""
    query = select(Request).where(Request.organ_id == organ.id)
    if open_only:
        query = query.where(Request.concluded_on.is_(None))
    return list(session.scalars(query.order_by(Request.received_on.desc()).limit(limit)))


def open_and_overdue(
    session: Session, organ_ids: frozenset[int] | set[int], today: date
) -> dict[int, tuple[int, int]]:
    """For each of these organs with open requests: how many are open, and how many of them are
    past their answer date on ``today``."""
    return {
        organ_id: (open_count, overdue)
        for organ_id, open_count, overdue in session.execute(
            select(Request.organ_id, func.count(), func.count().filter(Request.answer_due < today))
            .where(Request.organ_id.in_(organ_ids), Request.concluded_on.is_(None))
            .group_by(Request.organ_id)
        )
    }
