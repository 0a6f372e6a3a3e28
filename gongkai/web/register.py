"""The proactive register and the appeals in the web: documents issued and repealed, the year's
figures, what was published and its sign-offs, a 台账 imported from Excel; reconsiderations and
suits with their results. Everyone in scope reads; the organ's clerks make the entries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import RedirectResponse

from gongkai import clock
from gongkai.casework.annual import APPEAL_KIND_LABELS, APPEAL_RESULT_LABELS, DOCUMENT_KINDS, TALLY_KEYS_2021
from gongkai.model.numbers import plain
from gongkai.store.accounts import Role
from gongkai.store.ledger import LedgerProblems, read_ledger_within, write_ledger
from gongkai.store.records import NotFound, Refused, parse_past_day
from gongkai.store.register import (
    CATALOGUE_FIELDS,
    SIGN_OFFS,
    add_appeal,
    add_document,
    add_publication,
    appeals_of,
    decide_appeal,
    documents_of,
    find_appeal,
    find_document,
    parse_tally,
    publication_log_page,
    repeal_document,
    set_tally,
    tallies_of,
)
from gongkai.store.tables import Organ
from gongkai.web.bounds import OptionalQueryInt
from gongkai.web.deps import DB, FormFields, Me, Principal, check_csrf, page, require_in_organ, visible_organ
from gongkai.web.uploads import MAX_UPLOAD_BYTES

router = APIRouter()
# Who may do what here (deps.require_in_organ): everyone in scope reads; the organ's clerks enter.
Entering = Annotated[Organ, Depends(require_in_organ(Role.CLERK, refusal="只有本机关的经办人可以登记"))]
Importing = Annotated[Organ, Depends(require_in_organ(Role.CLERK, refusal="只有本机关的经办人可以导入台账"))]


@router.get("/organs/{code}/register")
def show_register(
    request: Request,
    session: DB,
    me: Me,
    code: str,
    year: OptionalQueryInt = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
):
    """Documents, the year's figures and the publication log (a page at a time, newest first)."""
    return register_page(request, session, me, code, year, page_number=page_number)


def register_page(
    request: Request,
    session,
    me: Principal,
    code: str,
    year: int | None = None,
    message: str | None = None,
    status_code: int = 200,
    page_number: int = 1,
):
    """The register's page, with the outcome of a change when there is one (not settable from the
    URL: issue 14); ``page_number`` is the page of the publication log."""
    organ = visible_organ(session, me, code)
    year = year or clock.today().year
    documents = documents_of(session, organ)
    # as entered: 99, not 99.0; 4166.241619 万元 to the last digit (issue 13)
    tallies = {key: plain(value) for key, value in tallies_of(session, organ, year).items()}
    published = publication_log_page(session, organ, page_number)  # every entry, not the newest 200
    return page(
        request,
        "register.html",
        status_code,
        me=me,
        organ=organ,
        year=year,
        documents=documents,
        kinds=DOCUMENT_KINDS,
        tallies=tallies,
        tally_keys=TALLY_KEYS_2021,
        published=published,
        may_edit=me.is_clerk_of(organ.id),
        message=message,
        failed=status_code != 200,
    )


@router.post("/organs/{code}/register/{action}", dependencies=[Depends(check_csrf)])
def change_register(
    request: Request, session: DB, me: Me, form: FormFields, organ: Entering, code: str, action: str
):
    """Enter a document, repeal one, set a figure, or log a publication."""
    actor = me.user.login
    try:
        if action == "document":
            add_document(
                session,
                organ,
                kind=form.get("kind", ""),
                title=form.get("title", ""),
                doc_number=form.get("doc_number", ""),
                issued_on=parse_past_day(form.get("issued_on", ""), "印发日期"),
                published_on=parse_past_day(form["published_on"], "公开日期")
                if form.get("published_on")
                else None,
                actor=actor,
            )
        elif action == "repeal":
            repeal_document(
                session,
                find_document(session, organ, form.get("document", "")),
                parse_past_day(form.get("on", ""), "废止日期"),
                actor=actor,
            )
        elif action == "tally":
            year = int(form.get("year") or 0)
            if not 2008 <= year <= clock.today().year:
                raise Refused("年度不对")
            key = form.get("key", "")
            set_tally(session, organ, year, key, parse_tally(key, form.get("value", "")), actor=actor)
        elif action == "publish":
            add_publication(
                session,
                organ,
                title=form.get("title", ""),
                category=form.get("category", ""),
                published_on=parse_past_day(form.get("published_on", ""), "发布日期"),
                channels=[
                    c
                    for c in form.get("channels", "").replace("，", "、").replace(",", "、").split("、")
                    if c.strip()
                ],
                sign_offs={key: form.get(key, "") for key in SIGN_OFFS},
                catalogue={key: form.get(key, "") for key in CATALOGUE_FIELDS},
                actor=actor,
            )
        else:
            raise HTTPException(404, "没有这个操作")
    except (Refused, NotFound, ValueError) as exc:
        return register_page(request, session, me, code, message=str(exc), status_code=400)
    return RedirectResponse(f"/organs/{organ.code}/register", status_code=303)


@router.post("/organs/{code}/register-import", dependencies=[Depends(check_csrf)])
def import_register(
    request: Request,
    session: DB,
    me: Me,
    organ: Importing,
    code: str,
    kind: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
):
    """Import a 台账 (XLSX or CSV): every row checked first, nothing imported while a row is bad."""
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    name = (file.filename or "台账")[:100]
    if len(data) > MAX_UPLOAD_BYTES:
        return register_page(request, session, me, code, message=f"{name}：文件太大", status_code=400)
    organ_id, login = organ.id, me.user.login
    # The request's transaction began when the signed-in user was loaded (BEGIN IMMEDIATE on
    # SQLite: the write lock). Reading a large file takes seconds, during which every filing and
    # every clerk's save would wait for that lock and fail after 15 s (issue 14 §1): end it now.
    # The DB dependency commits again at the end, which then commits only what the page below read.
    session.commit()
    # read in a worker process under the limits every document is read under
    read = read_ledger_within(data, kind, name)
    try:
        done = write_ledger(request.app.state.sessions, organ_id, read, actor=login)
    except (LedgerProblems, Refused) as exc:
        return register_page(request, session, me, code, message=str(exc), status_code=400)
    message = f"已从 {name} 导入 {done.written} 行"
    if done.skipped:
        message += f"（另有 {done.skipped} 行已在登记簿中，未重复导入）"
    return register_page(request, session, me, code, message=message)


@router.get("/organs/{code}/appeals")
def list_appeals(request: Request, session: DB, me: Me, code: str):
    """Reconsiderations and suits about the organ's disclosure decisions."""
    return appeals_page(request, session, me, code)


def appeals_page(
    request: Request, session, me: Principal, code: str, message: str | None = None, status_code: int = 200
):
    """The appeals' page, with a refusal when there is one (not settable from the URL: issue 14)."""
    organ = visible_organ(session, me, code)
    appeals = appeals_of(session, organ)
    return page(
        request,
        "appeals.html",
        status_code,
        me=me,
        organ=organ,
        appeals=appeals,
        kinds=APPEAL_KIND_LABELS,
        results=APPEAL_RESULT_LABELS,
        may_edit=me.is_clerk_of(organ.id),
        message=message,
    )


@router.post("/organs/{code}/appeals/{action}", dependencies=[Depends(check_csrf)])
def change_appeals(
    request: Request, session: DB, me: Me, form: FormFields, organ: Entering, code: str, action: str
):
    """Enter an appeal, or record its result."""
    try:
        if action == "add":
            add_appeal(
                session,
                organ,
                number=form.get("number", ""),
                kind=form.get("kind", ""),
                filed_on=parse_past_day(form.get("filed_on", ""), "立案日期"),
                request_number=form.get("request") or None,
                actor=me.user.login,
            )
        elif action == "decide":
            appeal = find_appeal(session, organ, form.get("number", ""))
            decide_appeal(
                session,
                appeal,
                form.get("result", ""),
                parse_past_day(form.get("on", ""), "审结日期"),
                actor=me.user.login,
            )
        else:
            raise HTTPException(404, "没有这个操作")
    except (Refused, NotFound) as exc:
        return appeals_page(request, session, me, code, message=str(exc), status_code=400)
    return RedirectResponse(f"/organs/{organ.code}/appeals", status_code=303)
