"""The supervisor console (政务公开办): the reports of every organ in the region, uploaded in any
form the readers take; findings per organ and per rule; an organ's report beside its previous year
and beside the other organs under the same region; everything shown exported to XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse
from openpyxl import Workbook

from gongkai.batch_ingest import describe_bytes
from gongkai.casework.law import APPLICANT_LABELS
from gongkai.casework.review import STATUS_LABELS
from gongkai.model.layouts import cell_name, layout_for
from gongkai.model.report import report_cells, report_from_json
from gongkai.store.accounts import Role
from gongkai.store.corpus_browse import take_upload
from gongkai.store.corpus_export import cell_in_words
from gongkai.store.records import Refused, organ_by_id
from gongkai.store.report_queries import (
    PAGE_SIZE,
    PEERS_PAGE,
    ReportFilter,
    file_uploaded_report,
    in_scope,
    organ_choices,
    organ_coded,
    organ_named,
    peers_of,
    report_figures_of,
    report_page,
    reports_by_organ_and_year,
    reports_summed_up,
    rule_counts,
    years_reported,
)
from gongkai.store.reports import FIGURE_LABELS, OUTCOME_GROUPS, ReportStatus, findings_of, report_of
from gongkai.store.tables import Organ
from gongkai.web.bounds import INT_MAX, OptionalQueryInt, PathInt
from gongkai.web.coverage_panel import coverage_panel
from gongkai.web.deps import DB, Principal, check_csrf, page, require, written_file_response
from gongkai.web.uploads import MAX_UPLOAD_BYTES, MAX_UPLOAD_FILES, UploadRead, read_uploads
from gongkai.writers.sheets import StreamedTable

router = APIRouter(prefix="/console")
# The stored figures (reports.report_figures) an organ is put beside its peers by.
PEER_FIGURES = {
    key: label for key, label in FIGURE_LABELS.items() if not key.startswith("new.") or key == "new.total"
}


# The console is for supervisors and administrators only (deps.require); side_by_side.py too.
Supervising = Annotated[
    Principal, Depends(require(Role.SUPERVISOR, Role.ADMIN, refusal="监督台供政务公开办和管理员使用"))
]


# The charts name each organ: drawn for every organ listed when they are no more than this many (a
# district's), else for the organs of the page shown (a province's 7,000 bars would say nothing).
CHART_ORGANS = 60


def _console_page(
    request: Request,
    session,
    me: Principal,
    chosen: ReportFilter,
    filters: dict[str, str],
    page_no: int = 1,
    **more,
):
    """The console's home page: a page of the organs' reports, filtered, summed up from the stored
    summaries (reports.summarise) without reading a report's body."""
    listed, total, organs = report_page(session, chosen, page_no)
    pages = max(1, -(-total // PAGE_SIZE))
    if page_no > pages:  # an address past the end (the list got shorter): its last page
        page_no = pages
        listed, total, organs = report_page(session, chosen, page_no)
    charted = None if organs <= CHART_ORGANS else {r.organ_id for r in listed}
    return page(
        request,
        "console.html",
        me=me,
        listed=listed,
        total=total,
        page_no=page_no,
        pages=pages,
        page_size=PAGE_SIZE,
        filters=filters,
        query=urlencode({k: v for k, v in filters.items() if v}),
        choices=organ_choices(session, me.scope, chosen.within),
        per_rule=rule_counts(session, chosen),
        years=years_reported(session, chosen.within),
        statuses=STATUS_LABELS,
        charts=chart_data(report_figures_of(session, chosen, charted), chosen.year),
        charts_of_page=charted is not None,
        **more,
    )


def _named(session, within, text: str, *, regions: bool = False) -> Organ | None:
    """The organ a form names (:func:`organ_named`); 400 when the name is several organs'."""
    try:
        return organ_named(session, within, text, regions=regions)
    except Refused as exc:
        raise HTTPException(400, str(exc)) from None


def _filter(
    session, me: Principal, year: int | None, status: str, organ: str
) -> tuple[ReportFilter, dict[str, str]]:
    """The console's filters (a year, a status, an organ or region the person sees, by code or full
    name; else 404) as the store's filter, and as the page and its links keep them."""
    within = in_scope(me.scope)
    chosen_organ = _named(session, within, organ, regions=True)
    if organ.strip() and chosen_organ is None:
        raise HTTPException(404, "没有这个机关")
    status = status if status in STATUS_LABELS else ""
    chosen = ReportFilter(
        within, year=year, status=status or None, organ_id=chosen_organ.id if chosen_organ else None
    )
    return chosen, {
        "year": str(year or ""),
        "status": status,
        "organ": chosen_organ.code if chosen_organ else "",
    }


@router.get("")
def console(
    request: Request,
    session: DB,
    me: Supervising,
    year: OptionalQueryInt = None,
    status: str = "",
    organ: str = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=INT_MAX)] = 1,
    coverage_region: str = "",
    coverage_year: OptionalQueryInt = None,
):
    """The organs' reports a page at a time, with their findings counted per report and per rule,
    and charts of their figures; which organs of the region have a report of a year
    (coverage_panel.py)."""
    chosen, filters = _filter(session, me, year, status, organ)
    return _console_page(
        request,
        session,
        me,
        chosen,
        filters,
        page_no,
        uploaded=None,
        coverage=coverage_panel(session, me, coverage_region, coverage_year),
    )


def chart_data(rows: list[tuple[str, int, dict]], year: int | None) -> dict:
    """What the console's charts show, from the stored figures (reports.report_figures) of (organ
    name, year, figures) rows: requests by applicant kind and by outcome per organ (the year shown,
    or each organ's latest), new requests by year per organ, and the share of decided
    reconsiderations and suits that corrected the organ."""
    latest: dict[str, tuple[int, dict]] = {}
    trend: dict[str, dict[int, int | None]] = {}
    for name, report_year, figures in rows:
        trend.setdefault(name, {})[report_year] = figures.get("new.total")
        shown = year is None or report_year == year
        if shown and (name not in latest or report_year > latest[name][0]):
            latest[name] = (report_year, figures)
    organs = sorted(latest)
    # Series as [name, values] pairs: the template's JSON sorts object keys, and the legend must
    # keep the order of the table's columns and rows.
    by_kind = [
        [label, [latest[o][1].get(f"new.{kind}") or 0 for o in organs]]
        for kind, label in APPLICANT_LABELS.items()
    ]
    by_outcome = [
        [label, [latest[o][1].get(f"outcome.{group}") or 0 for o in organs]]
        for group, (label, _) in OUTCOME_GROUPS.items()
    ]
    corrected = []
    for o in organs:
        decided = latest[o][1].get("appeals.decided") or 0
        fixed = latest[o][1].get("appeals.corrected") or 0
        corrected.append(round(100 * fixed / decided, 1) if decided else None)
    years = sorted({y for values in trend.values() for y in values})
    return {
        "organs": organs,
        "byKind": by_kind,
        "byOutcome": by_outcome,
        "corrected": corrected,
        "years": years,
        "trend": [[name, [values.get(y) for y in years]] for name, values in sorted(trend.items())],
    }


@router.post("/upload", dependencies=[Depends(check_csrf)])
def upload(
    request: Request,
    session: DB,
    me: Supervising,
    files: Annotated[list[UploadFile], File()],
    organ: Annotated[str, Form()] = "",
):
    """File published reports: each under the organ chosen, or the organ whose name it bears; and
    keep each file in the corpus, as ``gongkai ingest`` does."""
    if len(files) > MAX_UPLOAD_FILES:
        raise HTTPException(400, f"一次最多上传 {MAX_UPLOAD_FILES} 个文件")
    within = in_scope(me.scope)
    chosen = _named(session, within, organ)
    if organ.strip() and chosen is None:
        raise HTTPException(404, "没有这个机关")
    payload, results = [], []
    for item in files:
        name = (item.filename or "未命名")[:200]
        if item.size is not None and item.size > MAX_UPLOAD_BYTES:
            results.append((name, f"{name}: 文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，未读取"))
            continue
        data = item.file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            results.append((name, f"{name}: 文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，未读取"))
            continue
        payload.append((name, data))
    # Reading takes seconds to minutes: the request's transaction ends first, so that no writer
    # waits for it (SQLite's write lock is taken when a form's transaction begins), and each file
    # is then filed in a short transaction of its own (issue 14 §1).
    session.commit()
    for (_, data), read in zip(payload, read_uploads(payload), strict=True):
        results.append((read.name, take_into_corpus(session, data, read, chosen)))
        session.commit()
        if read.problem:
            results.append((read.name, read.problem))
            continue
        for body, findings in zip(read.reports, read.findings, strict=True):
            report = report_from_json(body)
            try:
                target = chosen or organ_named(session, within, report.agency or "")
            except Refused as exc:  # several organs of that name: the person says which
                results.append((read.name, f"{read.name}: {exc}，请选择机关后上传"))
                continue
            if target is None:
                results.append(
                    (
                        read.name,
                        f"{read.name}: 报告的机关「{report.agency}」不在本地区的机关名单中，请选择机关后上传",
                    )
                )
                continue
            if not report.year:
                results.append((read.name, f"{read.name}: 读不出报告的年度"))
                continue
            results.append((read.name, _file(session, me, target, report.year, body, findings, read.name)))
            session.commit()
    return _console_page(request, session, me, ReportFilter(within), {}, uploaded=results, coverage=None)


def _file(
    session, me: Principal, organ: Organ, year: int, body: dict, findings: list[dict], name: str
) -> str:
    """File one report read from the upload ``name`` with its reading's findings; what became of
    it, in a line."""
    try:
        file_uploaded_report(session, organ, year, body, findings, name, actor=me.user.login)
    except Refused as exc:  # drafted on the platform: never replaced by an upload
        return f"{name}: {exc}"
    return f"{name}: 已归入 {organ.name} {year} 年度"


def take_into_corpus(session, data: bytes, read: UploadRead, organ: Organ | None) -> str:
    """Keep an uploaded file in the corpus as ``gongkai ingest`` keeps a file, by its content's hash
    (the same file twice is one source), its reports matched to ``organ`` when one was chosen;
    what became of it, in a line."""
    source = describe_bytes(data, read.name)
    results = [{"file": read.name, "error": read.problem}] if read.problem else list(read.results)
    kept = take_upload(session, source, results, organ)
    if kept is None:
        return f"{read.name}: 报告库中已有同一文件（SHA-256 {source.sha256[:10]}），未重复收入"
    if kept.error is not None:
        return f"{read.name}: 已收入报告库，记为无法读取"
    return f"{read.name}: 已收入报告库（{len(results)} 份报告）"


@router.get("/organs/{code}/{year}")
def compare(
    request: Request,
    session: DB,
    me: Supervising,
    code: str,
    year: PathInt,
    page_no: Annotated[int, Query(alias="page", ge=1, le=INT_MAX)] = 1,
):
    """An organ's report beside its previous year (the two bodies read, cell by cell) and beside
    the organs under the same region of the same year — like organs, not the whole province — by
    their stored figures, a page at a time."""
    within = in_scope(me.scope)
    organ = organ_coded(session, within, code)
    if organ is None:
        raise HTTPException(404, "没有这个机关")
    records = reports_by_organ_and_year(session, [organ], [year, year - 1])
    this = records.get((organ.id, year))
    if this is None:
        raise HTTPException(404, "该机关没有这一年度的报告")
    report = report_of(this)
    cells = report_cells(report)
    last = records.get((organ.id, year - 1))
    changes, carried = [], []
    if last is not None:
        before = report_cells(report_of(last))
        changes = [
            (cell_name(k, layout_for(report.format)), before.get(k), v)
            for k, v in cells.items()
            if k in before and before.get(k) != v
        ]
        carried = [
            (k, before.get(f"requests.carried_over.{k}"), cells.get(f"requests.carried_in.{k}"))
            for k in ("total",)
        ]
    peers, total = peers_of(session, within, organ, year, page_no)
    pages = max(1, -(-total // PEERS_PAGE))
    if page_no > pages:  # an address past the end: the last page
        page_no = pages
        peers, total = peers_of(session, within, organ, year, page_no)
    return page(
        request,
        "compare.html",
        me=me,
        organ=organ,
        region=organ_by_id(session, organ.parent_id) if organ.parent_id is not None else None,
        year=year,
        findings=findings_of(this, report),
        changes=changes[:200],
        has_last=last is not None,
        carried=carried,
        peers=[(peer, [peer.figures.get(k) for k in PEER_FIGURES]) for peer in peers],
        peers_total=total,
        page_no=page_no,
        pages=pages,
        figures=PEER_FIGURES,
    )


EXPORT_FINDING_COLUMNS = ("机关", "年度", "级别", "规则", "单元格", "说明")


@router.get("/export.xlsx")
def export(
    session: DB, me: Supervising, year: OptionalQueryInt = None, status: str = "", organ: str = ""
) -> FileResponse:
    """The reports the console lists (its filters: year, status, organ or region) as a workbook:
    each report's stored figures and counts, and its findings. Written from the stored summaries a
    page of reports at a time into a write-only workbook, and sent from a temporary file: no body
    read (but a draft's, for its checks) and nothing held whole in memory, however large the
    region."""
    chosen, _ = _filter(session, me, year, status, organ)

    def write(folder: Path) -> Path:
        book = Workbook(write_only=True)
        figures = StreamedTable(
            book, "主要数据", ["机关", "年度", "状态", *FIGURE_LABELS.values(), "错误", "警告"]
        )
        found = StreamedTable(book, "检查发现", EXPORT_FINDING_COLUMNS)
        for r in reports_summed_up(session, chosen):
            status_label = STATUS_LABELS[ReportStatus(r.status)]
            figures.append(
                [
                    r.organ_name,
                    r.year,
                    status_label,
                    *(r.figures.get(k) for k in FIGURE_LABELS),
                    r.errors,
                    r.warnings,
                ]
            )
            for f in r.findings:
                named = (cell_in_words(c, r.format or "") for c in (f.get("cells") or ())[:3])
                found.append(
                    [
                        r.organ_name,
                        r.year,
                        f.get("severity"),
                        f.get("rule"),
                        "、".join(named),
                        f.get("message"),
                    ]
                )
        target = folder / f"reports-{year or 'all'}.xlsx"
        book.save(target)
        return target

    return written_file_response(write)
