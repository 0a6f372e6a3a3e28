"""Casework pages: an organ's request register with filters, a request's page with its timeline,
deadlines and the steps a clerk can take, and registering a new request."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import pydantic
from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse

from gongkai import clock
from gongkai.casework.fees import FeeQuote
from gongkai.casework.law import APPLICANT_LABELS, CHANNEL_LABELS, OUTCOME_LABELS, Channel
from gongkai.casework.requests import (
    EVENT_LABELS,
    Answered,
    ConsultationEnded,
    ConsultationStarted,
    Corrected,
    CorrectionLapsed,
    CorrectionRequested,
    Delayed,
    Extended,
    FeeCancelled,
    FeeLapsed,
    FeeNoticed,
    FeePaid,
    IllegalStep,
    Withdrawn,
    make_registration,
)
from gongkai.store.accounts import Role, names_of
from gongkai.store.casefiles import (
    events_of,
    find_request,
    load_case,
    nth_in_month,
    register,
    register_filing,
    requests_page,
    take_step,
)
from gongkai.store.portal import (
    TURN_AWAY_KINDS,
    confirm_submission,
    find_submission,
    pending_submissions,
    reject_submission,
)
from gongkai.store.records import NotFound, Refused, happened, parse_day, parse_past_day, work_calendar
from gongkai.store.tables import Organ
from gongkai.web.bounds import PathInt
from gongkai.web.deps import (
    DB,
    ORGAN_STAFF,
    FormFields,
    Me,
    Principal,
    check_csrf,
    page,
    require_in_organ,
    visible_organ,
)

router = APIRouter()
PAGE_SIZE = 50
STATUS_FILTERS = {"open": "在办", "overdue": "已逾期", "concluded": "已办结", "all": "全部"}
# Who may do what here (deps.require_in_organ): the organ's clerks act; its staff read applicants.
Registering = Annotated[
    Organ, Depends(require_in_organ(Role.CLERK, refusal="只有本机关的经办人可以登记申请"))
]
Acting = Annotated[Organ, Depends(require_in_organ(Role.CLERK, refusal="只有本机关的经办人可以办理申请"))]
Confirming = Annotated[
    Organ, Depends(require_in_organ(Role.CLERK, refusal="只有本机关的经办人可以处理网上申请"))
]
ReadingApplicants = Annotated[
    Organ,
    Depends(require_in_organ(*ORGAN_STAFF, refusal="网上申请含申请人个人信息，只有本机关工作人员可以查看")),
]


@router.get("/organs/{code}/requests")
def list_requests(
    request: Request,
    session: DB,
    me: Me,
    code: str,
    status: str = "open",
    kind: str = "",
    due_within: str = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
):
    """The organ's requests, filtered by status, applicant kind, or due within N working days (a
    blank N is no filter: the form sends it blank), newest first, a page at a time."""
    organ = visible_organ(session, me, code)
    days, due_problem = None, None
    if due_within.strip():
        try:
            days = int(due_within)
        except ValueError:
            days = -1
        if not 0 <= days <= 60:
            days, due_problem = None, "请填 0 到 60 之间的工作日数"
    today = clock.today()
    listing = requests_page(
        session,
        organ,
        today=today,
        status=status,
        kind=kind if kind in APPLICANT_LABELS else None,
        due_within=days,
        page=page_no,
        size=PAGE_SIZE,
    )
    return page(
        request,
        "requests.html",
        me=me,
        organ=organ,
        rows=listing.rows,
        today=today,
        status=status,
        kind=kind,
        due_within=due_within,
        due_problem=due_problem,
        statuses=STATUS_FILTERS,
        kinds=APPLICANT_LABELS,
        personal=me.scope.sees_personal_data(organ.id),
        may_act=me.is_clerk_of(organ.id),
        total=listing.total,
        page_no=listing.page,
        pages=listing.pages,
    )


@router.get("/organs/{code}/requests/new")
def new_request_form(request: Request, me: Me, organ: Registering):
    """The form a clerk registers a request with."""
    return page(
        request,
        "request_new.html",
        me=me,
        organ=organ,
        channels=CHANNEL_LABELS,
        kinds=APPLICANT_LABELS,
        error=None,
        form={},
    )


@router.post("/organs/{code}/requests", dependencies=[Depends(check_csrf)])
def create_request(
    request: Request,
    session: DB,
    me: Me,
    organ: Registering,
    channel: Annotated[str, Form()],
    arrived: Annotated[str, Form()],
    applicant_kind: Annotated[str, Form()],
    applicant_name: Annotated[str, Form(max_length=200)],
    subject: Annotated[str, Form(max_length=5000)],
    confirmed_on: Annotated[str, Form()] = "",
    applicant_id: Annotated[str, Form(max_length=100)] = "",
    applicant_contact: Annotated[str, Form(max_length=200)] = "",
    form_wanted: Annotated[str, Form(max_length=100)] = "",
    split: Annotated[str, Form()] = "",
):
    """Register a request (or one filing split into several 件, a line each); a problem is shown above
    the form, which keeps what was typed."""
    typed = {
        "channel": channel,
        "arrived": arrived,
        "confirmed_on": confirmed_on,
        "applicant_kind": applicant_kind,
        "applicant_name": applicant_name,
        "applicant_id": applicant_id,
        "applicant_contact": applicant_contact,
        "subject": subject,
        "form_wanted": form_wanted,
        "split": split,
    }
    try:
        try:
            arrival = datetime.fromisoformat(arrived)
        except ValueError:
            raise Refused("到达时间应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM") from None
        happened(arrival.date(), "到达时间")
        try:
            channel_value = Channel(channel)
        except ValueError:
            raise Refused("请选择提交方式") from None
        event = make_registration(
            channel=channel_value,
            arrived=arrival,
            confirmed_on=happened(parse_day(confirmed_on, "确认日期"), "确认日期") if confirmed_on else None,
            applicant_kind=applicant_kind,
            applicant_name=applicant_name,
            subject=subject,
            applicant_id=applicant_id,
            applicant_contact=applicant_contact,
            form_wanted=form_wanted,
        )
        calendar = work_calendar(session)
        if split:
            row = register_filing(session, organ, event, subject.splitlines(), calendar, actor=me.user.login)[
                0
            ]
        else:
            row = register(session, organ, event, calendar, actor=me.user.login)
    except (Refused, IllegalStep, ValueError, pydantic.ValidationError) as exc:
        message = _problem(exc)
        return page(
            request,
            "request_new.html",
            400,
            me=me,
            organ=organ,
            channels=CHANNEL_LABELS,
            kinds=APPLICANT_LABELS,
            error=message,
            form=typed,
        )
    return RedirectResponse(f"/organs/{organ.code}/requests/{row.number}", status_code=303)


def _problem(exc: Exception) -> str:
    if isinstance(exc, pydantic.ValidationError):
        return "；".join(f"{e['loc'][-1]}：{e['msg']}" for e in exc.errors())
    return str(exc)


@router.get("/organs/{code}/requests/{number}")
def show_request(request: Request, session: DB, me: Me, code: str, number: str):
    """A request: its timeline, its deadlines, and (for the organ's clerks) the steps to take."""
    return request_page(request, session, me, code, number)


def request_page(request: Request, session, me: Principal, code: str, number: str, error: str | None = None):
    """The request's page, with a step's refusal when there is one: built here, not in the route, so
    that no address can set the message (issue 14)."""
    organ = visible_organ(session, me, code)
    try:
        row = find_request(session, organ, number)
    except NotFound:
        raise HTTPException(404, "没有这件申请") from None
    case = load_case(session, row, work_calendar(session))
    events = events_of(session, row)
    names = names_of(session, {e.recorded_by for e in events})
    deadlines = case.deadlines()
    missing = sorted({d.missing_year for d in deadlines if d.due is None and d.missing_year is not None})
    gap = "、".join(f"{year} 年" for year in missing) or None  # told in the page, with who enters them
    return page(
        request,
        "request.html",
        me=me,
        organ=organ,
        row=row,
        case=case,
        events=events,
        labels=EVENT_LABELS,
        details={e.seq: step_detail(e.type, e.data, OUTCOME_LABELS) for e in events},
        names=names,
        allowed=case.allowed_steps(),
        deadlines=deadlines,
        gap=gap,
        personal=me.scope.sees_personal_data(organ.id),
        may_act=me.is_clerk_of(organ.id) and case.is_open,
        outcomes=OUTCOME_LABELS,
        applicant_labels=APPLICANT_LABELS,
        channel_labels=CHANNEL_LABELS,
        error=error,
    )


def step_detail(kind: str, data: dict, outcomes: dict[str, str]) -> str:
    """What a recorded step said, for the organ's staff: the 答复要点, the 补正 asked for, who
    approved an extension and why, the party consulted, the fee and its working."""
    match kind:
        case "answered":
            summary = f"；答复要点：{data['summary']}" if data.get("summary") else ""
            return f"{outcomes.get(data.get('outcome', ''), '')}{summary}"
        case "correction_requested":
            return f"{data.get('what') or '补正'}，{data['respond_by']} 前补正"
        case "extended":
            reason = f"，{data['reason']}" if data.get("reason") else ""
            return f"延长 {data['days']} 个工作日，{data['approver']} 批准{reason}"
        case "delayed":
            return f"延至 {data['until']}" + (f"，{data['reason']}" if data.get("reason") else "")
        case "consultation_started":
            party = "第三方" if data.get("party_kind") == "third_party" else "其他机关"
            received = f"，对方 {data['letter_received_on']} 收到" if data.get("letter_received_on") else ""
            return f"{party} {data.get('party', '')}{received}"
        case "consultation_ended":
            return data.get("opinion", "")
        case "fee_noticed":
            method = "按量" if data.get("method") == "per_page" else "按件"
            return f"{method}计收 {data['quantity']}，{data['yuan']} 元"
        case "fee_cancelled" | "withdrawn":
            return data.get("reason", "")
    return ""


STEP_BUILDERS = {
    "answer": lambda f, on: Answered(on=on, outcome=f.get("outcome", ""), summary=f.get("summary", "")),
    "withdraw": lambda f, on: Withdrawn(on=on, reason=f.get("reason", "")),
    "extend": lambda f, on: Extended(
        on=on, days=int(f.get("days") or 0), approver=f.get("approver", ""), reason=f.get("reason", "")
    ),
    "delay": lambda f, on: Delayed(
        on=on, until=parse_day(f.get("until", ""), "延迟答复日期"), reason=f.get("reason", "")
    ),
    "correct_ask": lambda f, on: CorrectionRequested(
        on=on, respond_by=parse_day(f.get("respond_by", ""), "补正期限"), what=f.get("what", "")
    ),
    "correct_received": lambda f, on: Corrected(on=on),
    "correct_lapsed": lambda f, on: CorrectionLapsed(on=on),
    "consult_start": lambda f, on: ConsultationStarted(
        on=on,
        party_kind="organ" if f.get("party_kind") == "organ" else "third_party",
        party=f.get("party", ""),
        letter_received_on=parse_day(f["letter_received_on"], "对方收到日期")
        if f.get("letter_received_on")
        else None,
    ),
    "consult_end": lambda f, on: ConsultationEnded(on=on, opinion=f.get("opinion", "")),
    "fee_paid": lambda f, on: FeePaid(on=on),
    "fee_cancel": lambda f, on: FeeCancelled(on=on, reason=f.get("reason", "")),
    "fee_lapsed": lambda f, on: FeeLapsed(on=on),
}


@router.post("/organs/{code}/requests/{number}/steps/{step}", dependencies=[Depends(check_csrf)])
def take_request_step(
    request: Request, session: DB, me: Me, form: FormFields, organ: Acting, code: str, number: str, step: str
):
    """Take one step on a request (the organ's clerks only); a refusal is shown on the request's page."""
    if step not in STEP_BUILDERS and step != "fee_notice":
        raise HTTPException(404, "没有这个办理步骤")
    try:
        row = find_request(session, organ, number)
    except NotFound:
        raise HTTPException(404, "没有这件申请") from None
    try:
        on = parse_past_day(form.get("on"))
        if step == "fee_notice":
            pages = int(form.get("pages") or 0)
            quote = (
                FeeQuote.per_page(pages, on)
                if pages > 0
                else FeeQuote.per_request(nth_in_month(session, row), on)
            )
            event = FeeNoticed(
                on=on, received_on=on, method=quote.method, quantity=quote.quantity, yuan=quote.yuan
            )
        else:
            event = STEP_BUILDERS[step](form, on)
        take_step(session, row, event, work_calendar(session), actor=me.user.login)
    except (Refused, IllegalStep, ValueError, OverflowError, pydantic.ValidationError) as exc:
        # nothing was written: a step is checked before anything is stored
        return request_page(request, session, me, code, number, error=_problem(exc))
    return RedirectResponse(f"/organs/{organ.code}/requests/{row.number}", status_code=303)


# --- requests filed on the public portal -----------------------------------------------------------


@router.get("/organs/{code}/submissions")
def list_submissions(request: Request, session: DB, me: Me, organ: ReadingApplicants):
    """Portal requests waiting for the organ's confirmation (its staff only: they hold personal data)."""
    return submissions_page(request, session, me, organ)


def submissions_page(
    request: Request, session, me: Principal, organ: Organ, error: str | None = None, status_code: int = 200
):
    """The waiting portal requests, with a refusal when there is one (not settable from the URL);
    ``organ`` one whose applicants the person may see."""
    items = pending_submissions(session, organ)
    return page(
        request,
        "submissions.html",
        status_code,
        me=me,
        organ=organ,
        items=items,
        kinds=APPLICANT_LABELS,
        turn_away=TURN_AWAY_KINDS,
        error=error,
    )


@router.post("/organs/{code}/submissions/{item_id}/{action}", dependencies=[Depends(check_csrf)])
def handle_submission(
    request: Request, session: DB, me: Me, form: FormFields, organ: Confirming, item_id: PathInt, action: str
):
    """Confirm a portal request (it is registered, received that day) or turn it away with a reason."""
    if action not in ("confirm", "reject"):
        raise HTTPException(404, "没有这个操作")
    try:
        item = find_submission(session, organ, item_id)
    except NotFound:
        raise HTTPException(404, "没有这份网上申请") from None
    try:
        if action == "confirm":
            on = parse_past_day(form.get("on"), "确认日期")
            row = confirm_submission(session, item, organ, on, work_calendar(session), actor=me.user.login)
            return RedirectResponse(f"/organs/{organ.code}/requests/{row.number}", status_code=303)
        reject_submission(session, item, form.get("kind", ""), form.get("reason", ""), actor=me.user.login)
    except Refused as exc:
        return submissions_page(request, session, me, organ, error=str(exc), status_code=400)
    return RedirectResponse(f"/organs/{organ.code}/submissions", status_code=303)
