"""Written notices in the web (issue 13 §4): a request's notices with their DOCX and PDF, issuing
the notice a step calls for (with its preview), recording its delivery; the organ's templates
(edit with a preview, reset to the default) and settings; the applicant's delivered notices on
the portal by tracking code.

The organ's staff read (notices carry the applicant's name: personal data); only its clerks issue,
deliver and edit. Every form carries the CSRF token; each problem is shown beside its field.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from gongkai import clock
from gongkai.casework.letters import TEMPLATE_LABELS, TemplateProblem
from gongkai.casework.notices import DELIVERY_CHANNELS, KIND_LABELS, KINDS, NoticeSettings
from gongkai.casework.requests import EVENT_LABELS
from gongkai.casework.workdays import CalendarGap
from gongkai.model.letter import Letter
from gongkai.store.accounts import Role
from gongkai.store.casefiles import find_request, load_case
from gongkai.store.notices import (
    NoticeProblems,
    draft_letter,
    find_notice,
    issue_extras,
    issue_notice,
    letter_of,
    notice_settings,
    notices_of,
    record_delivery,
    reset_template,
    sample_letter,
    save_settings,
    save_template,
    steps_without_notice,
    template_set,
    tracked_notice,
)
from gongkai.store.records import NotFound, Refused, happened, parse_day, work_calendar
from gongkai.store.tables import Organ
from gongkai.store.tables import Request as RequestRow
from gongkai.web.bounds import PathInt, QueryInt
from gongkai.web.deps import (
    DB,
    ORGAN_STAFF,
    FormFields,
    Me,
    check_csrf,
    file_response,
    page,
    reads_only,
    require_in_organ,
)
from gongkai.web.public import lookup_limit
from gongkai.writers import WriterUnavailable
from gongkai.writers.letter import letter_to_docx, letter_to_pdf

router = APIRouter()
FORMATS = ("docx", "pdf")
SETTING_FIELDS = {  # field → (label, longest)
    "short_name": ("机关简称（用于文号）", 30),
    "review_organ": ("行政复议机关", 200),
    "court": ("提起行政诉讼的人民法院", 200),
    "payment": ("信息处理费的缴纳方式", 500),
    "contact": ("联系人及电话（附注）", 200),
}


# Who may do what here (deps.require_in_organ): the organ's staff read (notices carry personal
# data); its clerks issue, deliver and edit. 404 outside one's scope.
Reading = Annotated[
    Organ,
    Depends(require_in_organ(*ORGAN_STAFF, refusal="告知书含申请人个人信息，只有本机关工作人员可以查看")),
]
Issuing = Annotated[
    Organ,
    Depends(require_in_organ(Role.CLERK, refusal="只有本机关的经办人可以签发、送达告知书或修改模板")),
]


def _request(session, organ: Organ, number: str) -> RequestRow:
    try:
        return find_request(session, organ, number)
    except NotFound:
        raise HTTPException(404, "没有这件申请") from None


def _step_label(case, step: int) -> str:
    event = case.events[step - 1]
    return f"第{step}步 {event.on} {EVENT_LABELS[event.type]}"


# --- a request's notices ------------------------------------------------------------------------


@router.get("/organs/{code}/requests/{number}/notices")
def list_notices(request: Request, session: DB, me: Me, organ: Reading, number: str):
    """The request's notices with their downloads and delivery, and the steps still to be told."""
    return _notices_page(request, session, me, organ, _request(session, organ, number))


def _notices_page(request, session, me, organ, row, problems=None, status_code=200):
    """The notices page; ``problems`` of a delivery form by notice id."""
    case = load_case(session, row, work_calendar(session))
    waiting = [
        (step, kind, _step_label(case, step)) for step, kind in steps_without_notice(session, row, case)
    ]
    return page(
        request,
        "notices.html",
        status_code,
        me=me,
        organ=organ,
        row=row,
        notices=[(n, letter_of(n)) for n in notices_of(session, row)],
        waiting=waiting,
        channels=DELIVERY_CHANNELS,
        kinds=KIND_LABELS,
        may_act=me.is_clerk_of(organ.id),
        problems=problems or {},
        today=clock.today(),
    )


def _issue_page(request, session, me, organ, row, step, on, typed, problems, status_code=200):
    """The issue form of ``step`` with the letter as it would go out (when it can be written)."""
    calendar = work_calendar(session)
    case = load_case(session, row, calendar)
    waiting = steps_without_notice(session, row, case)
    preview: Letter | None = None
    extras = []
    if step in {s for s, _ in waiting}:
        extras = issue_extras(case, step)
        if not problems:
            try:
                preview = draft_letter(session, organ, row, step, calendar, issued_on=on, extras=typed)
            except NoticeProblems as exc:
                problems = exc.problems
            except Refused as exc:
                problems = {"template": str(exc)}
    elif step:
        problems = {**problems, "step": "这一步不需要告知书，或告知书已经签发"}
    return page(
        request,
        "notice_new.html",
        status_code,
        me=me,
        organ=organ,
        row=row,
        step=step,
        on=on,
        steps=[(s, KIND_LABELS[k.key], _step_label(case, s)) for s, k in waiting],
        extras=extras,
        typed=typed,
        problems=problems,
        preview=preview,
    )


def _typed_extras(fields) -> dict[str, str]:
    return {
        key.removeprefix("extra:"): value.strip() for key, value in fields.items() if key.startswith("extra:")
    }


@router.get("/organs/{code}/requests/{number}/notices/new")
def new_notice(
    request: Request, session: DB, me: Me, organ: Issuing, number: str, step: QueryInt = 0, on: str = ""
):
    """The form that issues the notice of a step, with its preview (the latest step still to be told
    when none is named)."""
    row = _request(session, organ, number)
    problems: dict[str, str] = {}
    day = clock.today()
    if on:
        try:
            day = parse_day(on, "告知书的日期")
        except Refused as exc:
            problems["on"] = str(exc)
    if not step:
        waiting = steps_without_notice(session, row, load_case(session, row, work_calendar(session)))
        step = waiting[0][0] if waiting else 0
    return _issue_page(
        request, session, me, organ, row, step, day, _typed_extras(request.query_params), problems
    )


@router.post("/organs/{code}/requests/{number}/notices", dependencies=[Depends(check_csrf)])
def create_notice(request: Request, session: DB, me: Me, form: FormFields, organ: Issuing, number: str):
    """Issue the notice: its 文号 is taken now; problems are shown beside their fields."""
    row = _request(session, organ, number)
    typed = _typed_extras(form)
    try:
        step = int(form.get("step") or 0)
    except ValueError:
        step = 0
    day = clock.today()
    try:
        day = happened(parse_day(form["on"], "告知书的日期") if form.get("on") else day, "告知书的日期")
    except Refused as exc:
        return _issue_page(request, session, me, organ, row, step, day, typed, {"on": str(exc)}, 400)
    try:
        if not step:
            raise NoticeProblems({"step": "请选择要告知的办理步骤"})
        issue_notice(
            session,
            organ,
            row,
            step,
            work_calendar(session),
            issued_on=day,
            extras=typed,
            actor=me.user.login,
        )
    except NoticeProblems as exc:
        return _issue_page(request, session, me, organ, row, step, day, typed, exc.problems, 400)
    except (Refused, CalendarGap, TemplateProblem) as exc:  # the organ's template, or the calendar
        return _issue_page(request, session, me, organ, row, step, day, typed, {"template": str(exc)}, 400)
    return RedirectResponse(f"/organs/{organ.code}/requests/{row.number}/notices", status_code=303)


@router.post(
    "/organs/{code}/requests/{number}/notices/{notice_id}/delivery", dependencies=[Depends(check_csrf)]
)
def deliver_notice(
    request: Request, session: DB, me: Me, form: FormFields, organ: Issuing, number: str, notice_id: PathInt
):
    """Record how and when the notice reached its addressee."""
    row = _request(session, organ, number)
    notice = _notice_of(session, organ, row, notice_id)
    problems: dict[str, str] = {}
    on: date | None = None
    try:
        on = parse_day(form.get("delivered_on", ""), "送达日期")
    except Refused as exc:
        problems["delivered_on"] = str(exc) if form.get("delivered_on") else "请填写送达日期"
    try:
        if on is not None:
            record_delivery(session, notice, form.get("channel", ""), on, actor=me.user.login)
        elif form.get("channel", "") not in DELIVERY_CHANNELS:
            problems["channel"] = "请选择送达方式"
    except NoticeProblems as exc:
        problems |= exc.problems
    if problems:
        return _notices_page(request, session, me, organ, row, {notice.id: problems}, 400)
    return RedirectResponse(f"/organs/{organ.code}/requests/{row.number}/notices", status_code=303)


def _notice_of(session, organ: Organ, row: RequestRow, notice_id: int):
    try:
        notice = find_notice(session, organ, notice_id)
    except NotFound:
        raise HTTPException(404, "没有这份告知书") from None
    if notice.request_id != row.id:
        raise HTTPException(404, "没有这份告知书")
    return notice


def _file(letter: Letter, fmt: str) -> Response:
    if fmt not in FORMATS:
        raise HTTPException(404, "没有这种格式")
    try:
        data = letter_to_docx(letter) if fmt == "docx" else letter_to_pdf(letter)
    except WriterUnavailable as exc:
        raise HTTPException(503, str(exc)) from None
    return file_response(data, f"{letter.number or letter.title}.{fmt}")


@router.get("/organs/{code}/requests/{number}/notices/{notice_id}/download/{fmt}")
def download_notice(session: DB, organ: Reading, number: str, notice_id: PathInt, fmt: str) -> Response:
    """The notice as it went out, as DOCX or PDF."""
    row = _request(session, organ, number)
    return _file(letter_of(_notice_of(session, organ, row, notice_id)), fmt)


# --- the applicant, by tracking code --------------------------------------------------------------


@router.get("/public/track/notices/{notice_id}/download/{fmt}", dependencies=[Depends(lookup_limit)])
def download_tracked_notice(session: DB, notice_id: PathInt, fmt: str, code: str = "") -> Response:
    """A notice delivered to the applicant of the tracking code ``code`` (no other, none undelivered)."""
    try:
        notice = tracked_notice(session, code, notice_id)
    except NotFound:
        raise HTTPException(404, "没有这份告知书，请核对查询码") from None
    return _file(letter_of(notice), fmt)


# --- the organ's templates and settings ---------------------------------------------------------


@router.get("/organs/{code}/notice-templates")
def list_templates(request: Request, session: DB, me: Me, organ: Reading):
    """The organ's notice templates (its own or the default) and its notice settings."""
    return _templates_page(request, session, me, organ)


def _templates_page(request, session, me, organ, problems=None, typed=None, status_code=200):
    settings = notice_settings(session, organ)
    templates = template_set(session, organ)
    values = typed or {
        **{key: getattr(settings, key) for key in SETTING_FIELDS},
        **{f"number_{kind}": settings.number_pattern(kind) for kind in KINDS},
    }
    return page(
        request,
        "notice_templates.html",
        status_code,
        me=me,
        organ=organ,
        labels=TEMPLATE_LABELS,
        own={name for name in TEMPLATE_LABELS if not templates.is_default(name)},
        fields=SETTING_FIELDS,
        kinds=KIND_LABELS,
        values=values,
        problems=problems or {},
        may_act=me.is_clerk_of(organ.id),
    )


@router.post("/organs/{code}/notice-settings", dependencies=[Depends(check_csrf)])
def update_settings(request: Request, session: DB, me: Me, form: FormFields, organ: Issuing):
    """Save the organ's notice settings; each problem beside its field."""
    typed = {key: form.get(key, "") for key in SETTING_FIELDS} | {
        f"number_{kind}": form.get(f"number_{kind}", "") for kind in KINDS
    }
    problems = {} if typed["short_name"] else {"short_name": "请填写机关简称（文号用它开头）"}
    # a pattern left as shipped is not kept: the organ follows the default
    shipped = NoticeSettings()
    patterns = {
        kind: typed[f"number_{kind}"]
        for kind in KINDS
        if typed[f"number_{kind}"] and typed[f"number_{kind}"] != shipped.number_pattern(kind)
    }
    try:
        if not problems:
            save_settings(
                session,
                organ,
                {**{key: typed[key] for key in SETTING_FIELDS}, "number_patterns": patterns},
                actor=me.user.login,
            )
    except NoticeProblems as exc:
        problems = exc.problems
    if problems:
        return _templates_page(request, session, me, organ, problems, typed, 400)
    return RedirectResponse(f"/organs/{organ.code}/notice-templates", status_code=303)


def _template_page(request, session, me, organ, name, text, problem=None, status_code=200):
    if name not in TEMPLATE_LABELS:
        raise HTTPException(404, "没有这个模板")
    templates = template_set(session, organ)
    preview = None
    if problem is None:
        try:
            preview = sample_letter(session, organ, name, work_calendar(session), text)
        except (TemplateProblem, CalendarGap) as exc:
            problem = str(exc)
    return page(
        request,
        "notice_template.html",
        status_code,
        me=me,
        organ=organ,
        name=name,
        label=TEMPLATE_LABELS[name],
        text=templates.source(name) if text is None else text,
        is_default=templates.is_default(name),
        preview=preview,
        problem=problem,
        may_act=me.is_clerk_of(organ.id),
    )


@router.get("/organs/{code}/notice-templates/{template}")
def show_template(request: Request, session: DB, me: Me, organ: Reading, template: str):
    """A template's text in use and the letter it gives for a made-up request."""
    return _template_page(request, session, me, organ, template, None)


@router.post("/organs/{code}/notice-templates/{template}/preview", dependencies=[Depends(check_csrf)])
@reads_only
def preview_template(request: Request, session: DB, me: Me, form: FormFields, organ: Issuing, template: str):
    """The letter the typed text would give, nothing saved."""
    return _template_page(request, session, me, organ, template, form.get("text", ""))


@router.post("/organs/{code}/notice-templates/{template}", dependencies=[Depends(check_csrf)])
def update_template(request: Request, session: DB, me: Me, form: FormFields, organ: Issuing, template: str):
    """Keep the organ's text of the template, once it renders."""
    if template not in TEMPLATE_LABELS:
        raise HTTPException(404, "没有这个模板")
    text = form.get("text", "")
    try:
        if not text.strip():
            raise Refused(f"模板不能为空；要用默认文本请选「恢复默认」（{TEMPLATE_LABELS[template]}）")
        save_template(session, organ, template, text, work_calendar(session), actor=me.user.login)
    except (Refused, CalendarGap) as exc:
        return _template_page(request, session, me, organ, template, text, str(exc), 400)
    return RedirectResponse(f"/organs/{organ.code}/notice-templates/{template}", status_code=303)


@router.post("/organs/{code}/notice-templates/{template}/reset", dependencies=[Depends(check_csrf)])
def reset(session: DB, me: Me, organ: Issuing, template: str):
    """Go back to the shipped text."""
    try:
        reset_template(session, organ, template, actor=me.user.login)
    except NotFound:
        raise HTTPException(404, "没有这个模板") from None
    return RedirectResponse(f"/organs/{organ.code}/notice-templates/{template}", status_code=303)
