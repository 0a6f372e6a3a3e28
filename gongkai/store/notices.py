"""Data access for written notices (issue 13 §4): an organ's settings and template texts, the
notices issued for a request's steps with their 文号, and their delivery (送达).

A notice is numbered when it is issued, per organ, series (the 文号 pattern with the year filled)
and year, the organ's row locked meanwhile on PostgreSQL (SQLite transactions are exclusive, see
:mod:`gongkai.store.db`), so two clerks issuing at once never share a 文号. The letter is kept as
JSON, printed again exactly as it went out. Every change is audited.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pydantic
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gongkai.casework.letters import (
    TEMPLATE_LABELS,
    TemplateProblem,
    TemplateSet,
    check_template,
    format_number,
    number_series,
)
from gongkai.casework.notices import (
    DELIVERY_CHANNELS,
    KINDS,
    Extra,
    NoticeKind,
    NoticeSettings,
    compose,
    extras_for,
    kind_for,
    notice_variables,
    sample_case,
)
from gongkai.casework.requests import RequestCase
from gongkai.casework.workdays import CalendarGap, WorkCalendar
from gongkai.model.letter import Letter
from gongkai.store.casefiles import load_case
from gongkai.store.portal import submission_for_code
from gongkai.store.records import CONFLICT, NotFound, Refused, audit, happened, lock_row, now
from gongkai.store.tables import (
    Notice,
    NoticeSetting,
    NoticeTemplate,
    Organ,
    Request,
)


class NoticeProblems(Refused):
    """The issue or delivery form has problems, by field (shown beside each field)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("；".join(problems.values()))
        self.problems = problems


# --- settings and templates ------------------------------------------------------------------------


def notice_settings(session: Session, organ: Organ) -> NoticeSettings:
    """The organ's notice settings (the defaults until it sets them)."""
    row = session.get(NoticeSetting, organ.id)
    settings = NoticeSettings.model_validate(row.data) if row is not None else NoticeSettings()
    if not settings.review_organ and organ.parent_id is not None:
        # 行政复议法（2023年修订）: a department of a county-level government is reviewed by that
        # government (recalled, not checked offline); the organ may set another.
        parent = session.get(Organ, organ.parent_id)
        if parent is not None and parent.kind == "region":
            settings = settings.model_copy(update={"review_organ": parent.name})
    return settings


def save_settings(session: Session, organ: Organ, fields: dict[str, Any], *, actor: str) -> NoticeSettings:
    """Set the organ's notice settings from ``fields``; :class:`NoticeProblems` names each bad one."""
    try:
        settings = NoticeSettings.model_validate(fields)
    except pydantic.ValidationError as exc:
        problems = {}
        for e in exc.errors():
            longest = e.get("ctx", {}).get("max_length")
            problems[str(e["loc"][0])] = f"不超过 {longest} 字" if longest else "格式不对"
        raise NoticeProblems(problems) from None
    problems = settings.problems()
    if problems:
        raise NoticeProblems(problems)
    row = session.get(NoticeSetting, organ.id)
    before = dict(row.data) if row is not None else None
    data = settings.model_dump(mode="json")
    if row is None:
        session.add(NoticeSetting(organ_id=organ.id, data=data, updated_at=now(), updated_by=actor))
    else:
        row.data, row.updated_at, row.updated_by = data, now(), actor
    audit(
        session, actor, "notice_settings", organ.code, "update", organ_id=organ.id, before=before, after=data
    )
    return settings


def template_set(session: Session, organ: Organ) -> TemplateSet:
    """The templates the organ uses: its own texts over the shipped defaults."""
    rows = session.scalars(select(NoticeTemplate).where(NoticeTemplate.organ_id == organ.id))
    return TemplateSet({row.name: row.text for row in rows})


def sample_letter(
    session: Session, organ: Organ, name: str, calendar: WorkCalendar, text: str | None = None
) -> Letter:
    """The letter template ``name`` gives for a made-up request, with ``text`` in its place when
    given (the editor's preview); :class:`TemplateProblem` says what is wrong and where."""
    templates = template_set(session, organ)
    if text is not None:
        templates = TemplateSet({**templates.overrides, name: text})
    settings = notice_settings(session, organ)
    case, step = sample_case(name, calendar)
    issued = case.events[-1].on  # type: ignore[attr-defined]
    if text is not None:  # the piece alone first: its own line numbers in a problem
        variables = notice_variables(
            case, step, organ_name=organ.name, settings=settings, number="", issued_on=issued
        )
        check_template(name, text, {**variables, "申请编号": "2026-0001"})
    return compose(
        case,
        step,
        templates,
        organ_name=organ.name,
        settings=settings,
        issued_on=issued,
        request_number="2026-0001",
    )


def save_template(
    session: Session, organ: Organ, name: str, text: str, calendar: WorkCalendar, *, actor: str
) -> None:
    """Keep the organ's text of template ``name``, once it renders for a sample request."""
    text = text.replace("\r\n", "\n")
    try:
        sample_letter(session, organ, name, calendar, text)
    except TemplateProblem as exc:
        raise Refused(str(exc)) from None
    row = session.scalar(
        select(NoticeTemplate).where(NoticeTemplate.organ_id == organ.id, NoticeTemplate.name == name)
    )
    before = {"text": row.text} if row is not None else None
    if row is None:
        session.add(
            NoticeTemplate(organ_id=organ.id, name=name, text=text, updated_at=now(), updated_by=actor)
        )
    else:
        row.text, row.updated_at, row.updated_by = text, now(), actor
    audit(
        session,
        actor,
        "notice_template",
        f"{organ.code}:{name}",
        "update",
        organ_id=organ.id,
        before=before,
        after={"text": text},
    )


def reset_template(session: Session, organ: Organ, name: str, *, actor: str) -> bool:
    """Go back to the shipped text of ``name``; False when the organ had none of its own. The
    audit trail keeps the text dropped."""
    if name not in TEMPLATE_LABELS:
        raise NotFound(f"没有名为「{name}」的告知书模板")
    row = session.scalar(
        select(NoticeTemplate).where(NoticeTemplate.organ_id == organ.id, NoticeTemplate.name == name)
    )
    if row is None:
        return False
    audit(
        session,
        actor,
        "notice_template",
        f"{organ.code}:{name}",
        "reset",
        organ_id=organ.id,
        before={"text": row.text},
    )
    session.delete(row)
    return True


# --- notices ------------------------------------------------------------------------------------


def notices_of(session: Session, row: Request) -> list[Notice]:
    """The request's notices, in the order of its steps."""
    return list(session.scalars(select(Notice).where(Notice.request_id == row.id).order_by(Notice.step)))


def steps_without_notice(session: Session, row: Request, case: RequestCase) -> list[tuple[int, NoticeKind]]:
    """(step, kind) of the steps that call for a notice not yet issued, the latest first."""
    issued = {n.step for n in notices_of(session, row)}
    out = []
    for index, event in enumerate(case.events):
        kind = kind_for(event)
        if kind is not None and index + 1 not in issued:
            out.append((index + 1, kind))
    return out[::-1]


def issue_extras(case: RequestCase, step: int) -> list[Extra]:
    """The fields the clerk fills when issuing the notice of ``step``."""
    event = _step_event(case, step)
    kind = kind_for(event)
    assert kind is not None
    return extras_for(kind, event, case)


def _step_event(case: RequestCase, step: int) -> object:
    if not 1 <= step <= len(case.events):
        raise NoticeProblems({"step": f"这件申请没有第{step}步"})
    event = case.events[step - 1]
    if kind_for(event) is None:
        raise NoticeProblems({"step": f"第{step}步不需要书面告知"})
    return event


def _extras(case: RequestCase, step: int, given: dict[str, str]) -> dict[str, str]:
    """The clerk's fields checked: each problem beside its field (keyed 「extra:变量」)."""
    values, problems = {}, {}
    for extra in issue_extras(case, step):
        value = given.get(extra.key, extra.default).strip()
        if extra.required and not value:
            problems[f"extra:{extra.key}"] = f"请填写{extra.label}"
        elif len(value) > extra.longest:
            problems[f"extra:{extra.key}"] = f"{extra.label}不超过 {extra.longest} 字"
        elif extra.choices and value not in extra.choices:
            problems[f"extra:{extra.key}"] = f"{extra.label}应为 {'、'.join(extra.choices)} 之一"
        values[extra.key] = value
    if problems:
        raise NoticeProblems(problems)
    return values


def draft_letter(
    session: Session,
    organ: Organ,
    row: Request,
    step: int,
    calendar: WorkCalendar,
    *,
    issued_on: date,
    extras: dict[str, str],
    number: str = "",
) -> Letter:
    """The letter of ``step`` as it would be issued on ``issued_on`` (a preview while ``number`` is blank)."""
    case = load_case(session, row, calendar)
    event = _step_event(case, step)
    if issued_on < event.on:  # type: ignore[attr-defined]
        raise NoticeProblems({"on": f"告知书的日期不能早于这一步的日期 {event.on}"})  # type: ignore[attr-defined]
    try:
        return compose(
            case,
            step,
            template_set(session, organ),
            organ_name=organ.name,
            settings=notice_settings(session, organ),
            issued_on=issued_on,
            number=number,
            request_number=row.number,
            extras=_extras(case, step, extras),
        )
    except (TemplateProblem, CalendarGap) as exc:
        raise Refused(str(exc)) from None
    except pydantic.ValidationError as exc:  # a field longer than a letter holds (a 主送 of 400 字)
        fields = "、".join(str(e["loc"][0]) for e in exc.errors() if e["loc"])
        raise Refused(f"告知书的内容超出了格式允许的长度或形式（{fields}），请缩短后重试") from None


def _next_seq(session: Session, organ: Organ, series: str) -> int:
    lock_row(session, organ)  # numbers of one organ are taken one at a time, as requests' are
    last = session.scalar(
        select(func.max(Notice.seq)).where(Notice.organ_id == organ.id, Notice.series == series)
    )
    return (last or 0) + 1


def issue_notice(
    session: Session,
    organ: Organ,
    row: Request,
    step: int,
    calendar: WorkCalendar,
    *,
    issued_on: date,
    extras: dict[str, str],
    actor: str,
) -> Notice:
    """Issue the notice of ``step``: numbered, kept as it goes out, audited."""
    issued_on = happened(issued_on, "告知书的日期")
    # Checked with the request's row locked (issue 14): two clerks issuing the same step's notice
    # at once get one notice, and the second a refusal, not a unique-key error.
    lock_row(session, row)
    existing = session.scalar(select(Notice).where(Notice.request_id == row.id, Notice.step == step))
    if existing is not None:
        raise NoticeProblems(
            {"step": f"第{step}步的告知书已于 {existing.issued_on} 签发（{existing.number}），{CONFLICT}"}
        )
    # The text is written first: a template problem takes no number.
    draft = draft_letter(session, organ, row, step, calendar, issued_on=issued_on, extras=extras)
    settings = notice_settings(session, organ)
    series = number_series(
        settings.number_pattern(draft.kind), settings.short_name or organ.name, issued_on.year
    )
    seq = _next_seq(session, organ, series)
    number = format_number(series, seq)
    letter = draft_letter(
        session, organ, row, step, calendar, issued_on=issued_on, extras=extras, number=number
    )
    notice = Notice(
        organ_id=organ.id,
        request_id=row.id,
        step=step,
        kind=letter.kind,
        series=series,
        seq=seq,
        number=number,
        issued_on=issued_on,
        letter=letter.model_dump(mode="json"),
        extras=dict(extras),
        recorded_at=now(),
        recorded_by=actor,
        delivery_recorded_by="",
    )
    try:
        with session.begin_nested():  # a duplicate leaves the session usable for the page saying so
            session.add(notice)
    except IntegrityError:
        raise NoticeProblems({"step": f"第{step}步的告知书{CONFLICT}"}) from None
    audit(
        session,
        actor,
        "notice",
        number,
        "issued",
        organ_id=organ.id,
        after={"request": row.number, "step": step, "kind": letter.kind, "issued_on": issued_on.isoformat()},
    )
    return notice


def letter_of(notice: Notice) -> Letter:
    """The letter as it went out."""
    return Letter.model_validate(notice.letter)


def record_delivery(session: Session, notice: Notice, channel: str, on: date, *, actor: str) -> None:
    """Record how and when the notice reached its addressee (a correction is audited too)."""
    problems = {}
    if channel not in DELIVERY_CHANNELS:
        problems["channel"] = f"送达方式应为 {'、'.join(DELIVERY_CHANNELS.values())} 之一"
    try:
        happened(on, "送达日期")
    except Refused as exc:
        problems["delivered_on"] = str(exc)
    if on < notice.issued_on:
        problems["delivered_on"] = f"送达日期不能早于告知书的日期 {notice.issued_on}"
    if problems:
        raise NoticeProblems(problems)
    before = _delivery(notice)
    notice.delivery_channel, notice.delivered_on, notice.delivery_recorded_by = channel, on, actor
    audit(
        session,
        actor,
        "notice",
        notice.number,
        "delivered",
        organ_id=notice.organ_id,
        before=before,
        after=_delivery(notice),
    )


def _delivery(notice: Notice) -> dict[str, Any] | None:
    if notice.delivered_on is None:
        return None
    return {"channel": notice.delivery_channel, "delivered_on": notice.delivered_on.isoformat()}


def find_notice(session: Session, organ: Organ, key: str | int) -> Notice:
    """The organ's notice by its id or its 文号."""
    query = select(Notice).where(Notice.organ_id == organ.id)
    if isinstance(key, int) or str(key).isdigit():
        query = query.where(Notice.id == int(key))
    else:
        query = query.where(Notice.number == str(key).strip())
    notice = session.scalar(query)
    if notice is None:
        raise NotFound(f"{organ.name}没有「{key}」这份告知书")
    return notice


# --- what the applicant sees by the tracking code ------------------------------------------------

APPLICANT_KINDS = {key for key, kind in KINDS.items() if kind.to_applicant}


def delivered_notices(session: Session, code: str) -> list[Notice]:
    """The notices delivered to the applicant of tracking code ``code``: never a letter to a
    third party or another organ, never one not yet delivered."""
    item = submission_for_code(session, code)
    if item is None or item.request_id is None:
        return []
    return list(
        session.scalars(
            select(Notice)
            .where(
                Notice.request_id == item.request_id,
                Notice.delivered_on.is_not(None),
                Notice.kind.in_(APPLICANT_KINDS),
            )
            .order_by(Notice.step)
        )
    )


def tracked_notice(session: Session, code: str, notice_id: int) -> Notice:
    """One of the notices :func:`delivered_notices` lists for ``code``."""
    for notice in delivered_notices(session, code):
        if notice.id == notice_id:
            return notice
    raise NotFound("没有这份告知书，请核对查询码")
