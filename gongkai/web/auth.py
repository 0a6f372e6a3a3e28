"""Signing in and out, and the home page each role starts from."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select

from gongkai.store.accounts import authenticate, session_stamp
from gongkai.store.tables import Organ
from gongkai.store.tables import Request as RequestRow
from gongkai.web.deps import DB, Me, check_csrf, page

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an address elsewhere (an open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, next: str = "/"):
    """The login form."""
    return page(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(
    request: Request,
    session: DB,
    login: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/",
):
    """Check the password; on success start a fresh session (a new CSRF token too)."""
    user = authenticate(session, login, password)
    if user is None:
        return page(request, "login.html", 400, next=_safe_next(next), error="登录名或密码不对", login=login)
    request.session.clear()  # no fixation: nothing of the anonymous session carries over
    request.session["user_id"] = user.id
    request.session["stamp"] = session_stamp(user)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request):
    """End the session."""
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(request: Request, session: DB, me: Me):
    """The organs the person may see, with their open and overdue requests."""
    today = date.today()
    organs = session.scalars(select(Organ).where(Organ.id.in_(me.scope.organ_ids)).order_by(Organ.code)).all()
    counts = {
        organ_id: (open_count, overdue)
        for organ_id, open_count, overdue in session.execute(
            select(
                RequestRow.organ_id,
                func.count(),
                func.count().filter(RequestRow.answer_due < today),
            )
            .where(RequestRow.organ_id.in_(me.scope.organ_ids), RequestRow.concluded_on.is_(None))
            .group_by(RequestRow.organ_id)
        )
    }
    rows = [(organ, *counts.get(organ.id, (0, 0))) for organ in organs]
    return page(request, "home.html", me=me, rows=rows)
