"""Signing in and out, and the home page each role starts from."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from typing import Annotated

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from gongkai import clock
from gongkai.store.accounts import (
    Role,
    end_session,
    organs_in_scope,
    password_matches,
    session_stamp,
    sign_in_facts,
)
from gongkai.store.calendar import missing_next_year
from gongkai.store.casefiles import open_and_overdue
from gongkai.store.worklist import work_for
from gongkai.web.deps import DB, Me, check_csrf, page
from gongkai.web.signin_limits import clear_failures, count_failure, locked_minutes

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


def _password_checks(request: Request) -> CapacityLimiter:
    """The threads password checks run on: half the cores at most. A rush of sign-ins (or a flood
    of guesses) waits its turn on the event loop, holding no thread the pages need, instead of
    taking every core and 64 MiB a check from the pages everyone else is reading."""
    state = request.app.state
    if getattr(state, "password_checks", None) is None:  # made in the event loop, on first use
        state.password_checks = CapacityLimiter(max(1, (os.cpu_count() or 2) // 2))
    return state.password_checks


@router.post("/login", dependencies=[Depends(check_csrf)])
async def login(
    request: Request,
    login: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/",
):
    """Check the password; on success start a fresh session (a new CSRF token too). Too many
    failures for the login or from the address refuse every try for a few minutes (issue 14)."""
    wait = await run_in_threadpool(locked_minutes, request, login)
    if wait is not None:
        error = f"尝试次数过多，请 {wait} 分钟后再试"
        return page(request, "login.html", 429, next=_safe_next(next), error=error, login=login)
    account = await run_in_threadpool(sign_in_facts, request.app.state.sessions, login)
    matches = await to_thread.run_sync(
        password_matches,
        account.password_hash if account is not None else None,
        password,
        limiter=_password_checks(request),
    )
    if account is None or not account.active or not matches:
        await run_in_threadpool(count_failure, request, login)
        return page(request, "login.html", 400, next=_safe_next(next), error="登录名或密码不对", login=login)
    await run_in_threadpool(clear_failures, request, login)
    request.session.clear()  # no fixation: nothing of the anonymous session carries over
    request.session["user_id"] = account.id
    request.session["sid"] = secrets.token_urlsafe(32)  # what signing out ends (issue 14)
    request.session["stamp"] = session_stamp(account.password_hash, account.session_epoch)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request, session: DB):
    """End the session, for good: a copy of its cookie no longer signs anyone in (the person's other
    sessions go on)."""
    user_id, session_id = request.session.get("user_id"), request.session.get("sid")
    if user_id is not None and session_id:
        lifetime = timedelta(hours=request.app.state.settings.session_hours)
        end_session(session, user_id, session_id, lifetime)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(request: Request, session: DB, me: Me):
    """The organs the person may see, with their open and overdue requests."""
    today = clock.today()
    counts = open_and_overdue(session, me.scope.organ_ids, today)
    rows = [(organ, *counts.get(organ.id, (0, 0))) for organ in organs_in_scope(session, me.scope)]
    # From 1 November, the administrator and each organ's clerks are told that next year's holidays
    # are not entered (and how many answer dates wait for them); the administrator enters them.
    missing = None
    if me.role is Role.ADMIN:
        missing = missing_next_year(session, today)
    elif me.role is Role.CLERK and me.scope.home_organ_id is not None:
        missing = missing_next_year(session, today, [me.scope.home_organ_id])
    work = work_for(session, me.user, me.scope, today)
    return page(request, "home.html", me=me, rows=rows, missing=missing, work=work)
