"""The public portal (no login): each organ's 政府信息公开目录, its published reports, an online
request form that returns a tracking code, and the status lookup by that code.

Filing and looking up are rate-limited per client address (in this process's memory: behind
several worker processes, put the limit in the reverse proxy too).
"""

from __future__ import annotations

import time
from collections import defaultdict, deque

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from gongkai.casework.law import APPLICANT_LABELS
from gongkai.store.portal import FIELDS, file_submission, submission_problems, track
from gongkai.store.records import NotFound, Refused, find_organ
from gongkai.store.reports import ReportStatus, report_of
from gongkai.store.tables import Organ, Publication, ReportRecord
from gongkai.web.deps import DB, FormFields, check_csrf, page
from gongkai.writers import FORMS, SUFFIXES, WriterUnavailable, render

router = APIRouter(prefix="/public")
FILINGS_PER_HOUR = 5  # defaults; WebSettings carries the limits in force


class RateLimit:
    """At most ``limit`` events per ``seconds`` for each client address."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self.events: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, client: str) -> bool:
        """Count an event; False when the client is over its limit."""
        now, seen = time.monotonic(), self.events[client]
        while seen and seen[0] <= now - self.seconds:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        return True


def _limits(request: Request) -> tuple[RateLimit, RateLimit]:
    state = request.app.state
    if not hasattr(state, "portal_limits"):
        settings = state.settings
        state.portal_limits = (
            RateLimit(settings.filings_per_hour, 3600),
            RateLimit(settings.lookups_per_10_minutes, 600),
        )
    return state.portal_limits


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _public_organ(session, code: str) -> Organ:
    try:
        organ = find_organ(session, code)
    except NotFound:
        raise HTTPException(404, "没有这个机关") from None
    if organ.kind != "organ":
        raise HTTPException(404, "没有这个机关")
    return organ


@router.get("/track")
def track_status(request: Request, session: DB, code: str = ""):
    """The status of a portal request by its tracking code."""
    found, error = None, None
    if code:
        if not _limits(request)[1].allow(_client(request)):
            raise HTTPException(429, "查询过于频繁，请稍后再试")
        try:
            found = track(session, code)
        except NotFound as exc:
            error = str(exc)
    return page(request, "public_track.html", code=code, found=found, error=error)


@router.get("")
def portal_index(request: Request, session: DB):
    """Every organ, with its catalogue, reports and the request form."""
    organs = session.scalars(select(Organ).where(Organ.kind == "organ").order_by(Organ.code)).all()
    return page(request, "public_index.html", organs=organs)


@router.get("/{code}")
def portal_organ(request: Request, session: DB, code: str):
    """The organ's 政府信息公开目录 (by category) and its published annual reports."""
    organ = _public_organ(session, code)
    items = session.scalars(
        select(Publication)
        .where(Publication.organ_id == organ.id, Publication.withdrawn.is_(False))
        .order_by(Publication.category, Publication.published_on.desc())
    ).all()
    catalogue: dict[str, list[Publication]] = {}
    for item in items:
        catalogue.setdefault(item.category, []).append(item)
    reports = session.scalars(
        select(ReportRecord)
        .where(ReportRecord.organ_id == organ.id, ReportRecord.status == ReportStatus.PUBLISHED.value)
        .order_by(ReportRecord.year.desc())
    ).all()
    return page(request, "public_organ.html", organ=organ, catalogue=catalogue, reports=reports)


def _published(session, organ: Organ, year: int) -> ReportRecord:
    row = session.scalar(
        select(ReportRecord).where(
            ReportRecord.organ_id == organ.id,
            ReportRecord.year == year,
            ReportRecord.status == ReportStatus.PUBLISHED.value,
        )
    )
    if row is None:
        raise HTTPException(404, "没有已发布的该年度报告")
    return row


@router.get("/{code}/reports/{year}", response_class=HTMLResponse)
def portal_report(session: DB, code: str, year: int) -> HTMLResponse:
    """A published report as its portal page (the HTML writer's, without findings)."""
    organ = _public_organ(session, code)
    report = report_of(_published(session, organ, year))
    return HTMLResponse(render(report, "html", findings=[]).decode("utf-8"))


@router.get("/{code}/reports/{year}/download/{form}")
def portal_download(session: DB, code: str, year: int, form: str) -> Response:
    """A published report in another form."""
    organ = _public_organ(session, code)
    if form not in FORMS:
        raise HTTPException(404, "没有这种格式")
    report = report_of(_published(session, organ, year))
    try:
        data = render(report, form, findings=[])
    except WriterUnavailable as exc:
        raise HTTPException(503, str(exc)) from None
    name = f"{organ.code}-{year}{SUFFIXES[form]}"
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/{code}/apply")
def apply_form(request: Request, session: DB, code: str):
    """The online request form (条例第二十九条: who asks, how to reach them, what is asked)."""
    organ = _public_organ(session, code)
    return page(
        request, "public_apply.html", organ=organ, fields=FIELDS, kinds=APPLICANT_LABELS, form={}, problems={}
    )


@router.post("/{code}/apply", dependencies=[Depends(check_csrf)])
def apply(request: Request, session: DB, fields: FormFields, code: str):
    """File the request; each problem is shown beside its field."""
    organ = _public_organ(session, code)
    form = {key: value for key, value in fields.items() if key in FIELDS}
    problems = submission_problems(form)
    if problems:
        return page(
            request,
            "public_apply.html",
            400,
            organ=organ,
            fields=FIELDS,
            kinds=APPLICANT_LABELS,
            form=form,
            problems=problems,
        )
    if not _limits(request)[0].allow(_client(request)):
        raise HTTPException(429, f"提交过于频繁：每小时最多 {_limits(request)[0].limit} 件，请稍后再试")
    try:
        item = file_submission(session, organ, form)
    except Refused as exc:
        raise HTTPException(400, str(exc)) from None
    return page(request, "public_filed.html", organ=organ, code=item.tracking_code)
