"""The public portal's records: requests filed online, confirmed (or turned away) by the organ, and
followed by their tracking code; what the public may see of an organ.

An online request is received on the day both sides confirm it (条例第三十一条第（三）项): filing
on the portal makes a submission; the clerk's confirmation registers the request with that date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pydantic
from sqlalchemy import select
from sqlalchemy.orm import Session

from gongkai import clock
from gongkai.casework.law import APPLICANT_KINDS, OUTCOME_LABELS, Channel
from gongkai.casework.requests import IllegalStep, make_registration
from gongkai.casework.workdays import WorkCalendar
from gongkai.model.text import clean_text
from gongkai.store.casefiles import register
from gongkai.store.records import Conflict, NotFound, Refused, audit, lock_row, now
from gongkai.store.tables import Organ, Request, RequestEvent, Submission
from gongkai.store.trackcodes import canonical_code, new_code

FIELDS = {  # field → (label, required, max length)
    "applicant_kind": ("申请人类别", True, 16),
    "applicant_name": ("姓名或名称", True, 200),
    "applicant_id": ("身份证明（证件类型和号码）", True, 100),
    "applicant_contact": ("联系方式（电话、地址或电子邮箱）", True, 200),
    "subject": ("所需政府信息的名称、文号或描述", True, 5000),
    "form_wanted": ("获取信息的方式", False, 100),
}


def portal_organs(session: Session) -> list[Organ]:
    """The organs (not regions) the portal lists, by code."""
    return list(session.scalars(select(Organ).where(Organ.kind == "organ").order_by(Organ.code)))


def submission_problems(details: dict[str, str]) -> dict[str, str]:
    """Each field's problem, in Chinese (empty when the form can be filed), per 条例第二十九条."""
    problems = {}
    for field, (label, required, longest) in FIELDS.items():
        value = details.get(field, "").strip()
        if required and not value:
            problems[field] = f"请填写{label}"
        elif len(value) > longest:
            problems[field] = f"{label}不超过 {longest} 字"
    if details.get("applicant_kind") and details["applicant_kind"] not in APPLICANT_KINDS:
        problems["applicant_kind"] = "请选择申请人类别"
    return problems


def file_submission(session: Session, organ: Organ, details: dict[str, str]) -> Submission:
    """File a request from the portal; returns it with its tracking code."""
    clean = {field: clean_text(details.get(field, "")).strip() for field in FIELDS}
    problems = submission_problems(clean)
    if problems:
        raise Refused("；".join(problems.values()))
    if organ.kind != "organ":
        raise Refused("请选择一个机关提出申请")
    # read out over the phone: one case, no look-alikes, in groups (trackcodes)
    item = Submission(organ_id=organ.id, tracking_code=new_code(), submitted_at=now(), details=clean)
    session.add(item)
    session.flush()
    audit(session, "公众", "submission", item.tracking_code, "filed", organ_id=organ.id)
    return item


def pending_submissions(session: Session, organ: Organ) -> list[Submission]:
    """What the organ has still to confirm or turn away, oldest first."""
    return list(
        session.scalars(
            select(Submission)
            .where(Submission.organ_id == organ.id, Submission.status == "pending")
            .order_by(Submission.id)
        )
    )


def find_submission(session: Session, organ: Organ, submission_id: int) -> Submission:
    """One of the organ's submissions."""
    item = session.get(Submission, submission_id)
    if item is None or item.organ_id != organ.id:
        raise NotFound("没有这份网上申请")
    return item


def _lock_pending(session: Session, item: Submission) -> None:
    # Checked on the locked row: six clerks confirming at once register one request (issue 14).
    lock_row(session, item)
    if item.status != "pending":
        raise Conflict("这份网上申请")


def confirm_submission(
    session: Session, item: Submission, organ: Organ, on: date, calendar: WorkCalendar, *, actor: str
) -> Request:
    """Register the request, received on the day of confirmation (条例第三十一条第（三）项)."""
    _lock_pending(session, item)
    arrived = clock.china_wall_time(item.submitted_at)  # filed at 23:30 Beijing time: filed that day
    try:
        event = make_registration(
            channel=Channel.ONLINE,
            arrived=arrived,
            confirmed_on=on,
            applicant_kind=item.details["applicant_kind"],
            applicant_name=item.details["applicant_name"],
            subject=item.details["subject"],
            applicant_id=item.details.get("applicant_id", ""),
            applicant_contact=item.details.get("applicant_contact", ""),
            form_wanted=item.details.get("form_wanted", ""),
        )
    except (IllegalStep, ValueError, pydantic.ValidationError) as exc:
        raise Refused(str(exc)) from None
    row = register(session, organ, event, calendar, actor=actor)
    item.status, item.request_id = "registered", row.id
    audit(
        session,
        actor,
        "submission",
        item.tracking_code,
        "confirmed",
        organ_id=organ.id,
        after={"request": row.number},
    )
    return row


# What a portal filing may be turned away as without being registered: only what table 三 does not
# count. A petition, complaint or report dressed as a request (第三十九条第一款), a request for
# information another organ holds (第三十六条第（五）项) or any other request is registered and
# answered, so that table 三 counts it (（五）1, （四）1 …): turning it away here would hide it.
TURN_AWAY_KINDS = {
    "duplicate": "重复提交（与已提交的同一份申请相同）",
    "invalid": "没有可以办理的内容（空白、乱码、测试或广告）",
}


def reject_submission(session: Session, item: Submission, kind: str, reason: str, *, actor: str) -> None:
    """Turn a submission away as a duplicate filing or one with nothing to handle, saying why; every
    other submission is a request, to be confirmed and answered (and counted in table 三)."""
    _lock_pending(session, item)
    if kind not in TURN_AWAY_KINDS:
        raise Refused(
            "只有重复提交或没有可以办理内容的网上申请可以不予登记；信访、投诉、举报，"
            "不属于本机关的申请等，应确认登记后依条例答复，并计入年度报告表三"
        )
    if not reason.strip():
        raise Refused("请写明不予登记的理由（申请人查询时可见）")
    item.status = "rejected"
    item.note = f"{TURN_AWAY_KINDS[kind]}：{reason.strip()}"[:1000]
    audit(
        session,
        actor,
        "submission",
        item.tracking_code,
        "rejected",
        organ_id=item.organ_id,
        after={"kind": kind, "note": item.note},
    )


@dataclass(frozen=True)
class Tracking:
    """What an applicant sees by their tracking code: never anyone's personal data."""

    organ: str
    submitted_on: date
    status: str
    number: str | None = None
    received_on: date | None = None
    answer_due: date | None = None
    outcome: str | None = None
    concluded_on: date | None = None
    note: str = ""
    steps: tuple[tuple[date, str], ...] = ()  # what the organ told the applicant, in order
    answer_due_pending_year: int | None = None  # 待定 until that year's holidays are entered


def public_step(event: RequestEvent) -> str | None:
    """A step of a request as its applicant is told of it (by the tracking code): what the organ
    decided and by when the applicant must act, never who recorded it, who approved it or which
    third party was consulted. None for a step the applicant is not told of."""
    data = event.data
    match event.type:
        case "registered":
            return "收到申请（收到申请之日，条例第三十一条）"
        case "correction_requested":
            what = f"：{data['what']}" if data.get("what") else ""
            return f"请补正申请{what}。请于 {data['respond_by']} 前补正，逾期视为放弃申请（条例第三十条）"
        case "corrected":
            return "收到补正，答复期限自此重新计算（条例第三十条）"
        case "correction_lapsed":
            return "逾期未补正，视为放弃申请（条例第三十条）"
        case "consultation_started":
            return "征求有关方面意见，所需时间不计入答复期限（条例第三十二条、第三十四条）"
        case "consultation_ended":
            return "征求意见结束"
        case "extended":
            return f"答复期限延长 {data['days']} 个工作日（条例第三十三条第二款）"
        case "delayed":
            return f"确定延迟答复，于 {data['until']} 前答复（条例第三十五条）"
        case "fee_noticed":
            return f"发出收费通知：信息处理费 {data['yuan']} 元"
        case "fee_paid":
            return "已缴费"
        case "fee_lapsed":
            return "逾期未缴费，视为放弃申请"
        case "answered":
            return f"已答复：{OUTCOME_LABELS.get(data.get('outcome', ''), '')}"
        case "withdrawn":
            return "申请人撤回申请"
    return None


def submission_for_code(session: Session, code: str) -> Submission | None:
    """The submission a typed tracking code names (with or without dashes, in either case, with
    stray spaces; a code issued before issue 13 exactly as issued), or None."""
    typed, item = code.strip(), None
    if len(typed) <= 32:  # the column's length: a longer text is no code as issued
        item = session.scalar(select(Submission).where(Submission.tracking_code == typed))
    if item is None and (issued := canonical_code(code)) is not None:
        item = session.scalar(select(Submission).where(Submission.tracking_code == issued))
    return item


def track(session: Session, code: str) -> Tracking:
    """The state of a portal request by its tracking code, typed with or without its dashes, in
    either case, with stray spaces; a code issued before issue 13 exactly as issued."""
    item = submission_for_code(session, code)
    if item is None:
        raise NotFound("没有这个查询码，请核对后重试")
    organ = session.get(Organ, item.organ_id)
    submitted = clock.china_date(item.submitted_at)
    if item.status == "pending":
        return Tracking(organ.name, submitted, "已提交，等待机关确认（确认之日为收到申请之日）")
    if item.status == "rejected":
        return Tracking(organ.name, submitted, "未予登记", note=item.note)
    row = session.get(Request, item.request_id)
    outcome = OUTCOME_LABELS.get(row.outcome or "")
    events = session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == row.id).order_by(RequestEvent.seq)
    )
    steps = tuple((e.on, text) for e in events if (text := public_step(e)) is not None)
    return Tracking(
        organ.name,
        submitted,
        row.status,
        row.number,
        row.received_on,
        row.answer_due,
        outcome,
        row.concluded_on,
        steps=steps,
        answer_due_pending_year=row.answer_due_pending_year,
    )
