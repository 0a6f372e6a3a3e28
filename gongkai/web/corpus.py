"""The corpus in the supervisor console (issue 17 §1, §4, §7, §8): its reports a page at a time,
narrowed by year, organ or region, rule and unjudged errors; a report with its cells and findings,
each finding judged (确认、不是问题、已整改) with its history; the unmatched organ names matched to
organs; the corpus exported as CSV, Excel or Parquet. Who sees which reports:
:mod:`gongkai.store.corpus_browse`."""

from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from gongkai.model.report import TABLES, flatten
from gongkai.store.accounts import Role
from gongkai.store.corpus import years_held
from gongkai.store.corpus_browse import (
    COUNT_CAP,
    PAGE_SIZE,
    CorpusView,
    corpus_filter,
    corpus_page,
    corpus_report,
    count_corpus,
    judge_as_seen,
    match_name,
    organ_choices,
    place_in_view,
    regions_in_view,
    report_shown,
    unmatched_in_view,
    view_of,
)
from gongkai.store.corpus_export import FORMS, cell_in_words, export_corpus, export_paths
from gongkai.store.corpus_years import pairs_around
from gongkai.store.judgements import VERDICTS
from gongkai.store.records import Conflict, NotFound, Refused, organ_by_id
from gongkai.store.tables import Organ
from gongkai.web.bounds import INT_MAX, OptionalQueryInt, PathInt, QueryInt, bounded_int
from gongkai.web.console import Supervising
from gongkai.web.deps import DB, FormFields, Principal, check_csrf, page, written_file_response

router = APIRouter(prefix="/console/corpus")
FORM_LABELS = {"csv": "CSV（两张表，zip）", "xlsx": "Excel", "parquet": "Parquet（两张表，zip）"}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


def _view(session, me: Principal) -> CorpusView:
    return view_of(session, me.scope)


def _organ(session, view: CorpusView, given: str) -> Organ | None:
    """The organ or region ``given`` names, by its code or its full name, among those in the
    person's scope (404 for any other; 400 when several of that name are)."""
    given = given.strip()
    if not given:
        return None
    try:
        return place_in_view(session, view, given)
    except NotFound:
        raise HTTPException(404, "没有这个机关") from None
    except Refused as exc:
        raise HTTPException(400, str(exc)) from None


@router.get("")
def corpus_list(
    request: Request,
    session: DB,
    me: Supervising,
    year: OptionalQueryInt = None,
    organ: str = "",
    rule: str = "",
    unjudged: bool = False,
    after: QueryInt = 0,
):
    """The corpus reports the person sees, a page at a time (keyset on the report's id)."""
    view = _view(session, me)
    organ = organ.strip()[:200]
    rule = rule.strip().upper()[:40]
    chosen = corpus_filter(
        session, view, _organ(session, view, organ), year=year, rule=rule or None, unjudged_errors=unjudged
    )
    listed, next_after = corpus_page(session, view, chosen, after=after)
    filters = {"year": year or "", "organ": organ, "rule": rule, "unjudged": "1" if unjudged else ""}
    query = urlencode({k: v for k, v in filters.items() if v})
    return page(
        request,
        "corpus_list.html",
        me=me,
        listed=listed,
        total=count_corpus(session, view, chosen),
        count_cap=COUNT_CAP,
        years=years_held(session, view.condition()),
        places=regions_in_view(session, view),
        filters=filters,
        query=query,
        after=after,
        next_after=next_after,
        page_size=PAGE_SIZE,
        forms=[(form, FORM_LABELS.get(form, form)) for form in FORMS],
        severities=SEVERITY_LABELS,
    )


def _report_page(
    request: Request, session, me: Principal, report_id: int, problem: str = "", status: int = 200
):
    try:
        report = corpus_report(session, _view(session, me), report_id)
    except NotFound:
        raise HTTPException(404, "库中没有这份报告") from None
    shown = report_shown(session, report)
    cells = flatten({table: report.body[table] for table in TABLES if table in report.body})
    named = [(key, cell_in_words(key, report.format), value) for key, value in cells.items()]
    return page(
        request,
        "corpus_report.html",
        status,
        me=me,
        shown=shown,
        pairs=pairs_around(session, report),
        cells=named,
        cell_names={key: name for key, name, _ in named},
        verdicts=VERDICTS,
        severities=SEVERITY_LABELS,
        problem=problem,
    )


@router.get("/reports/{report_id}")
def corpus_report_page(request: Request, session: DB, me: Supervising, report_id: PathInt):
    """A corpus report: where it is from, its cells, its findings each with its judgement, the form
    to judge it and its history."""
    return _report_page(request, session, me, report_id)


@router.post("/reports/{report_id}/judge", dependencies=[Depends(check_csrf)])
def judge_finding(request: Request, session: DB, me: Supervising, report_id: PathInt, fields: FormFields):
    """Record the person's judgement of one finding; refused when someone judged it since the page
    was shown (the page is shown again with theirs), or 不是问题 comes without a reason."""
    try:
        report = corpus_report(session, _view(session, me), report_id)
    except NotFound:
        raise HTTPException(404, "库中没有这份报告") from None
    key = fields.get("key", "")
    seen = bounded_int(fields.get("seen", "0") or "0")
    try:
        judge_as_seen(
            session,
            report,
            key,
            fields.get("verdict", ""),
            seen=seen if seen is not None else INT_MAX,
            reason=fields.get("reason", ""),
            actor=me.user.login,
        )
    except Refused as exc:
        session.rollback()
        return _report_page(
            request,
            session,
            me,
            report_id,
            problem=str(exc),
            status=409 if isinstance(exc, Conflict) else 400,
        )
    return RedirectResponse(f"/console/corpus/reports/{report_id}#f-{key[:12]}", status_code=303)


def _unmatched_page(request: Request, session, me: Principal, start: int = 0, matched: str = ""):
    view = _view(session, me)
    names, total = unmatched_in_view(session, view, offset=start, limit=PAGE_SIZE)
    return page(
        request,
        "corpus_unmatched.html",
        me=me,
        names=names,
        total=total,
        start=start,
        page_size=PAGE_SIZE,
        organs=organ_choices(session, view),
        matched=matched,
    )


@router.get("/unmatched")
def unmatched(request: Request, session: DB, me: Supervising, start: QueryInt = 0):
    """The organ names of the corpus that match no organ (those the person sees), most reports
    first, each with the form to match it to an organ in the person's scope."""
    return _unmatched_page(request, session, me, start)


@router.post("/unmatched", dependencies=[Depends(check_csrf)])
def match(request: Request, session: DB, me: Supervising, fields: FormFields):
    """Match an unmatched name to an organ in scope: the organ answers to it from now on (an alias,
    audited) and the corpus's reports of it are matched. The page says so (never from the address:
    no link can make it say anything)."""
    view = _view(session, me)
    organ = _organ(session, view, fields.get("organ", ""))
    if organ is None:
        raise HTTPException(400, "请选择机关")
    key = fields.get("key", "")
    try:
        count = match_name(session, view, key, organ, actor=me.user.login)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except Refused as exc:
        raise HTTPException(400, str(exc)) from None
    return _unmatched_page(request, session, me, matched=f"「{key}」已匹配到{organ.name}，{count} 份报告")


@router.get("/export")
def export(session: DB, me: Supervising, form: str = "xlsx", year: OptionalQueryInt = None, organ: str = ""):
    """The corpus the person sees (of a year, of an organ or region) for researchers: every cell of
    every report as a row, and the findings. Written to a temporary file a report at a time and
    sent from there, never held in memory whole; several tables come zipped."""
    if form not in FORMS:
        raise HTTPException(400, f"不支持的导出格式「{form}」：可用 {'、'.join(FORMS)}")
    region = _organ(session, _view(session, me), organ)
    if region is None and me.role is not Role.ADMIN:
        # a supervisor's scope is their own region and what is below it: its matched reports
        home = me.scope.home_organ_id
        region = organ_by_id(session, home) if home is not None and me.scope.sees(home) else None
        if region is None:
            raise HTTPException(404, "没有可导出的报告")
    stem = f"corpus-{region.code if region else 'all'}-{year or 'all'}"

    def write(folder: Path) -> Path:
        export_corpus(session, folder / f"{stem}.{form}", form, region=region, year=year)
        written = export_paths(folder / f"{stem}.{form}", form)
        if len(written) == 1:
            return written[0]
        target = folder / f"{stem}-{form}.zip"
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zipped:
            for path in written:
                zipped.write(path, path.name)
        return target

    return written_file_response(write)
