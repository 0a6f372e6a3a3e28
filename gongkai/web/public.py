"""The public portal (no login): each organ's 政府信息公开目录, its published reports, an online
request form that returns a tracking code, and the status lookup by that code.

Filing and looking up are rate-limited per client address over a moving window, by the ``limits``
library. The counts are kept where ``GONGKAI_RATE_LIMIT_STORAGE`` says: this process's memory by
default (each worker of ``gongkai serve --workers N`` then counts alone, so the limit is N times
looser), or Redis (``redis://…``), which every worker and every server shares. When that storage
cannot be reached, requests are let through (with one warning in the log) rather than refused.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from limits import RateLimitItem, RateLimitItemPerHour, RateLimitItemPerMinute
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from gongkai.casework.law import APPLICANT_LABELS
from gongkai.model.report import report_to_json
from gongkai.store.notices import delivered_notices
from gongkai.store.portal import FIELDS, file_submission, portal_organs, submission_problems, track
from gongkai.store.records import NotFound, Refused, find_organ
from gongkai.store.register import catalogue_categories, catalogue_page
from gongkai.store.report_queries import published_report, published_reports
from gongkai.store.reports import report_of
from gongkai.store.tables import Organ, ReportRecord
from gongkai.web.bounds import PathInt
from gongkai.web.deps import DB, FormFields, check_csrf, file_response, page
from gongkai.web.reports import published_download
from gongkai.writers import FORMS, SUFFIXES, render

router = APIRouter(prefix="/public")
# A published report's downloads, in the order the portal lists them: form → label.
DOWNLOADS = {"docx": "Word", "pdf": "PDF", "xlsx": "Excel", "html": "网页", "json": "标准 JSON"}
NEWEST_ENTRIES = 10  # on the organ's page; the catalogue's pages hold CATALOGUE_PAGE_SIZE
FILINGS_PER_HOUR = 5  # defaults; WebSettings carries the limits in force
NAMESPACE = "gongkai"  # in each key, so that other users of the same Redis never share our counts
_REDIS_SCHEMES = {"redis", "rediss", "redis+unix", "valkey", "valkeys"}
log = logging.getLogger(__name__)
_building = threading.Lock()


@dataclass
class PortalLimits:
    """The portal's two limits on one storage: requests filed per hour and lookups per 10 minutes."""

    limiter: MovingWindowRateLimiter
    filings: RateLimitItem
    lookups: RateLimitItem
    storage_down: bool = False  # whether the last attempt to reach the storage failed

    def allow(self, item: RateLimitItem, kind: str, client: str) -> bool:
        """Count one event of ``kind`` for ``client``; False when the client is over ``item``."""
        try:
            allowed = self.limiter.hit(item, kind, client)
        except StorageError as exc:
            # Fail open: a portal that turns every citizen away while Redis is down is worse than
            # one briefly without its limits. Warn once per outage, not at every request.
            if not self.storage_down:
                self.storage_down = True
                log.warning(
                    "portal rate limits not applied: their storage cannot be reached (%r)", exc.storage_error
                )
            return True
        if self.storage_down:
            self.storage_down = False
            log.warning("portal rate limits applied again: their storage is back")
        return allowed


def portal_limits(storage: str, filings_per_hour: int, lookups_per_10_minutes: int) -> PortalLimits:
    """The portal's limits counted in ``storage`` (a ``limits`` storage URI such as ``memory://`` or
    ``redis://127.0.0.1:6379/0``)."""
    options: dict[str, float | str | bool] = {"wrap_exceptions": True}
    if urlparse(storage).scheme in _REDIS_SCHEMES:
        # An unreachable server must not hold each request for the system's TCP timeout; the same
        # options in the URL's query string take precedence.
        options |= {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}
    return PortalLimits(
        MovingWindowRateLimiter(storage_from_string(storage, **options)),
        RateLimitItemPerHour(filings_per_hour, namespace=NAMESPACE),
        RateLimitItemPerMinute(lookups_per_10_minutes, 10, namespace=NAMESPACE),
    )


def _limits(request: Request) -> PortalLimits:
    state = request.app.state
    with _building:  # once per app, even when the first requests arrive together
        if not hasattr(state, "portal_limits"):
            settings = state.settings
            state.portal_limits = portal_limits(
                settings.rate_limit_storage, settings.filings_per_hour, settings.lookups_per_10_minutes
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


# The limits are checked in dependencies the routes list before their database session, so that a
# slow rate-limit store (Redis timing out) never holds one of the slots the staff's pages need.


def lookup_limit(request: Request, code: str = "") -> None:
    """Count a status lookup against the client's limit (429 beyond it)."""
    if code:
        limits = _limits(request)
        if not limits.allow(limits.lookups, "lookups", _client(request)):
            raise HTTPException(429, "查询过于频繁，请稍后再试")


def filing_limit(request: Request, fields: FormFields) -> None:
    """Count a filing (a form without problems) against the client's limit (429 beyond it)."""
    form = {key: value for key, value in fields.items() if key in FIELDS}
    if not submission_problems(form):
        limits = _limits(request)
        if not limits.allow(limits.filings, "filings", _client(request)):
            raise HTTPException(429, f"提交过于频繁：每小时最多 {limits.filings.amount} 件，请稍后再试")


@router.get("/track", dependencies=[Depends(lookup_limit)])
def track_status(request: Request, session: DB, code: str = ""):
    """The status of a portal request by its tracking code."""
    found, error = None, None
    if code:
        try:
            found = track(session, code)
        except NotFound as exc:
            error = str(exc)
    notices = delivered_notices(session, code) if found is not None else []  # issue 13 §4
    return page(request, "public_track.html", code=code, found=found, error=error, notices=notices)


@router.get("")
def portal_index(request: Request, session: DB):
    """Every organ, with its catalogue, reports and the request form."""
    return page(request, "public_index.html", organs=portal_organs(session))


@router.get("/{code}")
def portal_organ(request: Request, session: DB, code: str):
    """The organ's published annual reports, the categories of its 政府信息公开目录 and the newest
    entries."""
    organ = _public_organ(session, code)
    reports = published_reports(session, organ)
    categories = catalogue_categories(session, organ)
    return page(
        request,
        "public_organ.html",
        organ=organ,
        reports=reports,
        downloads=DOWNLOADS,
        categories=categories,
        newest=catalogue_page(session, organ, size=NEWEST_ENTRIES, categories=categories),
    )


@router.get("/{code}/catalogue")
def portal_catalogue(
    request: Request,
    session: DB,
    code: str,
    category: Annotated[str, Query(max_length=60)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
):
    """The organ's 政府信息公开目录, of one category or all, 50 entries a page, newest first: each
    with its 索引号, 文号, 发布机构 and date, linked to the document."""
    organ = _public_organ(session, code)
    categories = catalogue_categories(session, organ)  # their counts are the page's total too
    listing = catalogue_page(session, organ, page_number, category or None, categories=categories)
    return page(request, "public_catalogue.html", organ=organ, listing=listing, categories=categories)


def _published(session, organ: Organ, year: int) -> ReportRecord:
    try:
        return published_report(session, organ, year)
    except NotFound:
        raise HTTPException(404, "没有已发布的该年度报告") from None


@router.get("/{code}/reports/{year}")
def portal_report(request: Request, session: DB, code: str, year: PathInt):
    """A published report in the portal's page: the way back to the organ, the downloads, and the
    report as the HTML writer prints it (without findings), in a frame of its own so that the
    printed report's style and the portal's do not mix."""
    organ = _public_organ(session, code)
    row = _published(session, organ, year)
    printed = render(report_of(row), "html", findings=[]).decode("utf-8")
    return page(request, "public_report.html", organ=organ, row=row, printed=printed, downloads=DOWNLOADS)


@router.get("/{code}/reports/{year}/download/{form}")
def portal_download(
    request: Request, session: DB, code: str, year: PathInt, form: str, background: BackgroundTasks
) -> Response:
    """A published report in another form (DOCX and PDF as rendered when it was published), or
    (``json``) as canonical JSON for those who study reports by the thousand: its tables and
    sections, without findings."""
    organ = _public_organ(session, code)
    if form not in FORMS and form != "json":
        raise HTTPException(404, "没有这种格式")
    row = _published(session, organ, year)
    if form == "json":
        report = report_of(row)
        data = json.dumps(
            report_to_json(report.model_copy(update={"findings": []})), ensure_ascii=False, indent=1
        )
        return file_response(data.encode("utf-8"), f"{organ.code}-{year}.json")
    return file_response(
        published_download(request, session, row, form, background), f"{organ.code}-{year}{SUFFIXES[form]}"
    )


@router.get("/{code}/apply")
def apply_form(request: Request, session: DB, code: str):
    """The online request form (条例第二十九条: who asks, how to reach them, what is asked)."""
    organ = _public_organ(session, code)
    return page(
        request, "public_apply.html", organ=organ, fields=FIELDS, kinds=APPLICANT_LABELS, form={}, problems={}
    )


@router.post("/{code}/apply", dependencies=[Depends(check_csrf), Depends(filing_limit)])
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
    try:
        item = file_submission(session, organ, form)
    except Refused as exc:
        raise HTTPException(400, str(exc)) from None
    return page(request, "public_filed.html", organ=organ, code=item.tracking_code)
