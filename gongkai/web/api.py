"""The JSON API under ``/api``, described by the OpenAPI document at ``/api/openapi.json``.

The same scope as the pages: another organ's records are 404; applicants' personal data only for
the staff of the organ asked.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from gongkai import clock
from gongkai.model.report import Report, Report2019, Report2021
from gongkai.store.accounts import organs_in_scope
from gongkai.store.casefiles import find_request, newest_requests
from gongkai.store.corpus_browse import (
    MAX_PAGE_SIZE,
    Listed,
    corpus_filter,
    corpus_page,
    corpus_report,
    report_shown,
    view_of,
)
from gongkai.store.judgements import VERDICTS
from gongkai.store.records import NotFound, organ_codes
from gongkai.store.report_queries import reports_of
from gongkai.store.reports import find_report, findings_of, report_of
from gongkai.web.bounds import OptionalQueryInt, PathInt
from gongkai.web.deps import DB, Me, visible_organ


class Problem(BaseModel):
    """Why a request was refused, in Chinese."""

    detail: str


router = APIRouter(
    prefix="/api",
    tags=["api"],
    responses={
        401: {"model": Problem, "description": "未登录"},
        404: {"model": Problem, "description": "没有这个机关、申请或报告（或不在查看范围内）"},
    },
)


class OrganPublic(BaseModel):
    """An organ or region."""

    code: str
    name: str
    kind: str
    parent: str | None


class RequestPublic(BaseModel):
    """A request as anyone in scope may see it (no personal data)."""

    number: str
    received_on: date
    applicant_kind: str
    status: str
    answer_due: date | None
    # 待定: the answer date reaches this year, whose holidays are not entered yet (answer_due null)
    answer_due_pending_year: int | None = None
    answer_due_provisional: bool = False  # counted across a year entered only in part
    outcome: str | None
    concluded_on: date | None


class RequestStaff(RequestPublic):
    """A request as its organ's staff see it."""

    applicant_name: str
    applicant_id: str
    applicant_contact: str
    subject: str


class ReportListed(BaseModel):
    """An organ's report of a year: where it stands and how many findings its checks give."""

    year: int
    status: str  # draft | submitted | reviewed | published
    format: str  # 2021 | 2019
    source: str  # workspace (drafted here) | uploaded
    updated_at: datetime
    errors: int
    warnings: int


@router.get("/organs", response_model=list[OrganPublic])
def list_organs(session: DB, me: Me) -> list[OrganPublic]:
    """The organs and regions the caller may see."""
    organs = organs_in_scope(session, me.scope)
    codes = organ_codes(session)
    return [OrganPublic(code=o.code, name=o.name, kind=o.kind, parent=codes.get(o.parent_id)) for o in organs]


@router.get("/organs/{code}/requests", response_model=list[RequestPublic])
def list_organ_requests(session: DB, me: Me, code: str, open_only: bool = False) -> list[RequestPublic]:
    """An organ's requests, newest first (at most 1,000)."""
    organ = visible_organ(session, me, code)
    rows = newest_requests(session, organ, open_only=open_only, limit=1000)
    return [RequestPublic.model_validate(row, from_attributes=True) for row in rows]


@router.get("/organs/{code}/requests/{number}", response_model=RequestStaff | RequestPublic)
def read_request(session: DB, me: Me, code: str, number: str) -> RequestStaff | RequestPublic:
    """One request; with the applicant's details for the organ's own staff only."""
    organ = visible_organ(session, me, code)
    try:
        row = find_request(session, organ, number)
    except NotFound:
        raise HTTPException(404, "没有这件申请") from None
    model = RequestStaff if me.scope.sees_personal_data(organ.id) else RequestPublic
    return model.model_validate(row, from_attributes=True)


@router.get("/organs/{code}/reports", response_model=list[ReportListed])
def list_organ_reports(session: DB, me: Me, code: str) -> list[ReportListed]:
    """An organ's reports, newest year first, with the count of their findings by severity."""
    organ = visible_organ(session, me, code)
    listed = []
    for row in reports_of(session, organ):
        report = report_of(row)
        severities = Counter(f.severity.value for f in findings_of(row, report))
        listed.append(
            ReportListed(
                year=row.year,
                status=row.status,
                format=report.format,
                source=row.source,
                updated_at=clock.in_china(row.updated_at),
                errors=severities["error"],
                warnings=severities["warning"],
            )
        )
    return listed


@router.get("/organs/{code}/reports/{year}", response_model=Report)
def read_report(session: DB, me: Me, code: str, year: PathInt) -> Report2021 | Report2019:
    """A report as canonical JSON (``gongkai.report/1``: its tables, sections and its findings as
    the checks give them now, an upload's as its reading gave them), whatever its status; the public reads published ones on the portal."""
    organ = visible_organ(session, me, code)
    try:
        row = find_report(session, organ, year)
    except NotFound:
        raise HTTPException(404, "没有这一年度的报告") from None
    report = report_of(row)
    return report.model_copy(update={"findings": findings_of(row, report)})


class CorpusListed(BaseModel):
    """A report of the corpus (a published report taken in from a file): where it is from and its
    findings counted by severity."""

    id: int
    organ: str | None  # the matched organ's code; null when its name matched none
    organ_name: str  # the matched organ's name, else the name as printed
    printed_name: str  # as the report printed it
    region: str  # the nearest region above the matched organ
    year: int | None
    layout: str  # 2021 | 2019
    sha256: str  # the source file's content hash
    source: str  # the source file's name when it was taken in
    findings: dict[str, int]  # by severity: error, warning, info
    unjudged_errors: int
    url: str  # the report and its findings with their judgements


class CorpusPage(BaseModel):
    """A page of the corpus; ``next_cursor`` gives the next (null: this is the last): the id of the
    page's last report, the next page beginning after it."""

    items: list[CorpusListed]
    next_cursor: int | None


class JudgementPublic(BaseModel):
    """A person's judgement on a finding: confirmed (确认), not_a_problem (不是问题), fixed (已整改)."""

    verdict: str
    verdict_label: str
    reason: str
    judged_by: str
    judged_at: datetime


class CorpusFinding(BaseModel):
    """A finding of a corpus report with its fingerprint and its judgements, the current last."""

    key: str
    short_key: str  # as ``gongkai judge`` takes it
    finding: dict[str, Any]
    judgement: JudgementPublic | None
    history: list[JudgementPublic]


class CorpusReportFull(CorpusListed):
    """A corpus report: the report JSON as read, and its findings with their judgements."""

    report: dict[str, Any]
    judged_findings: list[CorpusFinding]


def _judgement(row: Any) -> JudgementPublic:
    return JudgementPublic(
        verdict=row.verdict,
        verdict_label=VERDICTS.get(row.verdict, row.verdict),
        reason=row.reason,
        judged_by=row.judged_by,
        judged_at=clock.in_china(row.judged_at),
    )


@router.get("/corpus/reports", response_model=CorpusPage)
def list_corpus_reports(
    session: DB,
    me: Me,
    cursor: OptionalQueryInt = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
    year: OptionalQueryInt = None,
    organ: str = "",
) -> CorpusPage:
    """The corpus reports the caller sees, in the order they were taken in, ``limit`` at a time:
    pass each page's ``next_cursor`` as ``cursor`` for the next. ``organ``: an organ's or a
    region's code (the region's organs with it)."""
    view = view_of(session, me.scope)
    chosen = corpus_filter(session, view, visible_organ(session, me, organ) if organ else None, year=year)
    listed, after = corpus_page(session, view, chosen, after=cursor or 0, limit=limit)
    return CorpusPage(items=[_corpus_listed(item) for item in listed], next_cursor=after)


def _corpus_listed(item: Listed) -> CorpusListed:
    return CorpusListed(
        id=item.id,
        organ=item.organ_code,
        organ_name=item.organ,
        printed_name=item.printed,
        region=item.region,
        year=item.year,
        layout=item.layout,
        sha256=item.sha256,
        source=item.source,
        findings=item.severities,
        unjudged_errors=item.unjudged_errors,
        url=f"/api/corpus/reports/{item.id}",
    )


@router.get("/corpus/reports/{report_id}", response_model=CorpusReportFull)
def read_corpus_report(session: DB, me: Me, report_id: PathInt) -> CorpusReportFull:
    """One corpus report: its report JSON as read, and each finding with its current judgement and
    the judgements before it."""
    try:
        report = corpus_report(session, view_of(session, me.scope), report_id)
    except NotFound:
        raise HTTPException(404, "库中没有这份报告") from None
    shown = report_shown(session, report)
    findings = [
        CorpusFinding(
            key=item.key,
            short_key=item.short_key,
            finding=item.finding,
            judgement=None if item.judgement is None else _judgement(item.judgement),
            history=[_judgement(row) for row in shown.history.get(item.key, [])],
        )
        for item in shown.findings
    ]
    return CorpusReportFull(
        id=report.id,
        organ=shown.organ.code if shown.organ else None,
        organ_name=shown.organ.name if shown.organ else report.organ_name,
        printed_name=report.organ_name,
        region=shown.region,
        year=report.year,
        layout=report.format,
        sha256=shown.source.sha256,
        source=shown.source.name,
        findings=shown.severities,
        unjudged_errors=shown.unjudged_errors,
        url=f"/api/corpus/reports/{report.id}",
        report=report.body,
        judged_findings=findings,
    )
