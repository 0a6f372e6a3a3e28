"""The report workspace: the year's report computed from the records, its six sections edited,
its findings shown with the cells outlined, its review (审核, 审签) and downloads in every form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from gongkai import clock
from gongkai.casework.review import MOVES, STATUS_LABELS, publication_refusal
from gongkai.checks import SEVERITY_ORDER, check_report, report_to_findings
from gongkai.model.layouts import cell_name, layout_for
from gongkai.model.report import Finding, Report2019, Report2021
from gongkai.model.sections import SECTION_HEADINGS
from gongkai.store.accounts import Role
from gongkai.store.records import NotFound, Refused
from gongkai.store.renderings import KEPT_FORMS, keep_file, kept_file, render_public, render_published
from gongkai.store.report_queries import reports_of
from gongkai.store.reports import (
    SECTION_KEYS,
    ReportStatus,
    comments,
    find_report,
    move,
    open_workspace,
    recompute_tables,
    report_of,
    save_sections,
    with_sections,
)
from gongkai.store.tables import Organ, ReportRecord
from gongkai.web.bounds import PathInt
from gongkai.web.deps import (
    DB,
    ORGAN_STAFF,
    FormFields,
    Me,
    Principal,
    check_csrf,
    file_response,
    page,
    reads_only,
    require_in_organ,
    visible_organ,
)
from gongkai.writers import FORMS, SUFFIXES, WriterUnavailable, render

router = APIRouter()
FORM_LABELS = {"docx": "Word", "pdf": "PDF", "html": "网页", "md": "Markdown", "xlsx": "Excel"}
# Who may do what here (deps.require_in_organ): the organ's clerks draft and edit; its staff move.
# A year with no report is 404 before any refusal (after=report_in_path).


def report_in_path(session: DB, me: Me, code: str, year: PathInt) -> ReportRecord:
    """The report of the path's organ and year (404 for either not there)."""
    return _record(session, me, code, year)[1]


ReportInPath = Annotated[ReportRecord, Depends(report_in_path)]
Drafting = Annotated[
    Organ, Depends(require_in_organ(Role.CLERK, refusal="只有本机关的经办人可以起草年度报告"))
]
Editing = Annotated[
    Organ,
    Depends(require_in_organ(Role.CLERK, refusal="只有本机关的经办人可以修改报告", after=report_in_path)),
]
Moving = Annotated[
    Organ,
    Depends(
        require_in_organ(
            *ORGAN_STAFF, refusal="只有本机关的经办人、审核人、审签人可以办理报告", after=report_in_path
        )
    ),
]


@router.get("/organs/{code}/reports")
def list_reports(request: Request, session: DB, me: Me, code: str):
    """The organ's reports by year, and (for its clerks) opening a year's workspace."""
    organ = visible_organ(session, me, code)
    rows = reports_of(session, organ)
    return page(
        request,
        "reports.html",
        me=me,
        organ=organ,
        rows=rows,
        statuses=STATUS_LABELS,
        may_open=me.is_clerk_of(organ.id),
        this_year=clock.today().year,
    )


@router.post("/organs/{code}/reports", dependencies=[Depends(check_csrf)])
def create_report(
    request: Request, session: DB, me: Me, organ: Drafting, year: Annotated[int, Form(ge=2019, le=2100)]
):
    """Open (or make) the year's draft from the records."""
    try:
        open_workspace(session, organ, year, actor=me.user.login)
    except Refused as exc:  # a year no report can be of
        raise HTTPException(400, str(exc)) from None
    return RedirectResponse(f"/organs/{organ.code}/reports/{year}", status_code=303)


def _record(session, me: Principal, code: str, year: int) -> tuple[Organ, ReportRecord]:
    organ = visible_organ(session, me, code)
    try:
        return organ, find_report(session, organ, year)
    except NotFound:
        raise HTTPException(404, "没有这一年度的报告") from None


@router.get("/organs/{code}/reports/{year}")
def show_report(request: Request, session: DB, me: Me, code: str, year: PathInt):
    """The workspace: status, findings, the report as it will be published, editors and moves."""
    return report_page(request, session, me, code, year)


def report_page(
    request: Request,
    session,
    me: Principal,
    code: str,
    year: int,
    error: str | None = None,
    status_code: int = 200,
):
    """The workspace, with a refusal when there is one: built here, not in the route, so that no
    address can set the message or the status (issue 14)."""
    organ, row = _record(session, me, code, year)
    report = report_of(row)
    named, preview = _findings_and_preview(report)
    sections = report.sections
    texts = {key: (getattr(sections, key) if sections else None) or "" for key in SECTION_KEYS}
    moves = [
        m for m in MOVES.values() if m.start == row.status and m.role is me.role and me.is_staff_of(organ.id)
    ]
    return page(
        request,
        "report.html",
        status_code,
        me=me,
        organ=organ,
        row=row,
        report=report,
        status=ReportStatus(row.status),
        findings=named,
        preview=preview,
        headings={key: official for key, _, official, _ in SECTION_HEADINGS},
        texts=texts,
        editable=row.status == ReportStatus.DRAFT and me.is_clerk_of(organ.id),
        moves=moves,
        comments=comments(session, row),
        forms=FORM_LABELS,
        error=error,
        # said beside 审签发布 before the approver tries it (the move itself refuses it too)
        too_early=publication_refusal(row.year) if row.status != ReportStatus.PUBLISHED else None,
    )


def _findings_and_preview(report: Report2021 | Report2019) -> tuple[list[tuple[Finding, str]], str]:
    """The report's findings, worst first, each with the names of the cells it concerns; and the
    report as it will be published with those cells outlined."""
    findings = sorted(check_report(report), key=lambda f: SEVERITY_ORDER[f.severity])
    layout = layout_for(report.format)
    named = [(f, "、".join(cell_name(c, layout) for c in f.cells[:3])) for f in findings]
    return named, render(report, "html", findings).decode("utf-8")


@router.post("/organs/{code}/reports/{year}/findings", dependencies=[Depends(check_csrf)])
@reads_only
def live_findings(request: Request, session: DB, form: FormFields, organ: Editing, row: ReportInPath):
    """The findings (and the preview) of the draft with the sections as they are being typed,
    saved or not: the editor posts here as the clerk writes (htmx), and this page fragment
    replaces the findings shown. Nothing is stored."""
    texts = {key: form[key] for key in SECTION_KEYS if key in form}
    try:
        report = with_sections(report_of(row), texts)
    except Refused as exc:
        return page(request, "_report_findings.html", findings=[], problem=str(exc), live=True)
    named, preview = _findings_and_preview(report)
    return page(request, "_report_findings.html", findings=named, preview=preview, live=True, problem=None)


@router.post("/organs/{code}/reports/{year}/sections", dependencies=[Depends(check_csrf)])
def edit_sections(
    request: Request,
    session: DB,
    me: Me,
    form: FormFields,
    organ: Editing,
    row: ReportInPath,
    code: str,
    year: PathInt,
):
    """Save the six sections' text."""
    texts = {key: form[key] for key in SECTION_KEYS if key in form}
    try:
        save_sections(session, row, texts, actor=me.user.login)
    except Refused as exc:
        return report_page(request, session, me, code, year, error=str(exc), status_code=400)
    return RedirectResponse(f"/organs/{organ.code}/reports/{year}", status_code=303)


@router.post("/organs/{code}/reports/{year}/recompute", dependencies=[Depends(check_csrf)])
def recompute(
    request: Request, session: DB, me: Me, organ: Editing, row: ReportInPath, code: str, year: PathInt
):
    """Recompute the tables from the records (the text written is kept)."""
    try:
        recompute_tables(session, row, organ, actor=me.user.login)
    except Refused as exc:
        return report_page(request, session, me, code, year, error=str(exc), status_code=400)
    return RedirectResponse(f"/organs/{organ.code}/reports/{year}", status_code=303)


@router.post("/organs/{code}/reports/{year}/moves/{name}", dependencies=[Depends(check_csrf)])
def take_move(
    request: Request,
    session: DB,
    me: Me,
    organ: Moving,
    row: ReportInPath,
    code: str,
    year: PathInt,
    name: str,
    background: BackgroundTasks,
    comment: Annotated[str, Form(max_length=2000)] = "",
):
    """Submit, approve, publish or return the report."""
    try:
        move(session, row, name, me.role, actor=me.user.login, comment=comment)
    except Refused as exc:
        return report_page(request, session, me, code, year, error=str(exc), status_code=400)
    if row.status == ReportStatus.PUBLISHED:
        # its DOCX and PDF rendered once, now, once the move is committed (after the response)
        background.add_task(render_published, request.app.state.sessions, row.id)
    return RedirectResponse(f"/organs/{organ.code}/reports/{year}", status_code=303)


def published_download(
    request: Request, session, row: ReportRecord, form: str, background: BackgroundTasks
) -> bytes:
    """A published report's file as the public downloads it: the one kept when it was published,
    else rendered now and kept (after the response) for the next download."""
    data = kept_file(session, row, form) if form in KEPT_FORMS else None
    if data is None:
        try:
            data = render_public(row, form)
        except WriterUnavailable as exc:
            raise HTTPException(503, str(exc)) from None
        if form in KEPT_FORMS:
            background.add_task(keep_file, request.app.state.sessions, row.id, row.version, form, data)
    return data


@router.get("/organs/{code}/reports/{year}/download/{form}")
def download(
    request: Request, session: DB, me: Me, code: str, year: PathInt, form: str, background: BackgroundTasks
) -> Response:
    """The report in one of the writers' forms (HTML and XLSX list the findings; a published
    report's DOCX and PDF are the files kept when it was published)."""
    organ, row = _record(session, me, code, year)
    if form not in FORMS:
        raise HTTPException(404, "没有这种格式")
    if row.status == ReportStatus.PUBLISHED and form in KEPT_FORMS:
        data = published_download(request, session, row, form, background)
    else:
        try:
            report = report_of(row)
            data = render(report, form, report_to_findings(report))
        except WriterUnavailable as exc:
            raise HTTPException(503, str(exc)) from None
    return file_response(data, f"{organ.code}-{year}{SUFFIXES[form]}")
