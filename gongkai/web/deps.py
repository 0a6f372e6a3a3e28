"""What every route needs: a database session, the signed-in person and their scope, who may do
what (:func:`require`, :func:`require_in_organ`), CSRF checks, and the pages for refusals and errors.

This module and :mod:`gongkai.web.app` are the web's only ties to SQLAlchemy: the session is made
and ended here; every question a page asks of the database is a function of :mod:`gongkai.store`
(tests/web/test_web_layering.py keeps it so)."""

from __future__ import annotations

import hmac
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from anyio import CancelScope, CapacityLimiter
from fastapi import Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from gongkai import clock
from gongkai.model.text import clean_text
from gongkai.store.accounts import Role, Scope, account_by_id, scope_of, session_ended, session_stamp
from gongkai.store.records import CONFLICT, NotFound, find_organ
from gongkai.store.tables import Organ, User

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def beijing_time(instant: datetime | None) -> str:
    """A recorded instant as pages show it: Beijing time, to the minute."""
    return "" if instant is None else clock.in_china(instant).strftime("%Y-%m-%d %H:%M")


TEMPLATES.env.filters["beijing"] = beijing_time


@pass_context
def _path_for(context: dict, name: str, /, **path_params: Any) -> str:
    """A page's or file's address as a path on this site, never with the request's Host (which a
    client may forge, making a page load its scripts from elsewhere: issue 14)."""
    return str(context["request"].app.url_path_for(name, **path_params))


TEMPLATES.env.globals["url_for"] = _path_for


F = TypeVar("F", bound=Callable[..., Any])


# How many requests of one server process work on the database at once; the rest wait their turn
# on the event loop, holding neither a thread nor a connection. Without this bound, requests that
# hold a connection while waiting for a thread, and threads waiting for a connection, can take
# every one of both and stall the server until the pool's timeout (seen under 300 users).
DB_REQUESTS_AT_ONCE = 20


def _admission(request: Request) -> CapacityLimiter:
    state = request.app.state
    if getattr(state, "db_admission", None) is None:  # made in the event loop, on first use
        state.db_admission = CapacityLimiter(DB_REQUESTS_AT_ONCE)
    return state.db_admission


def reads_only(endpoint: F) -> F:
    """Mark a form's route as changing nothing (it only computes): its transaction begins deferred
    and never waits for writers, as a page's does."""
    endpoint.reads_only = True  # type: ignore[attr-defined]
    return endpoint


def _reads_only(request: Request) -> bool:
    if request.method in ("GET", "HEAD"):
        return True
    return getattr(request.scope.get("endpoint"), "reads_only", False)


def _end(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except IntegrityError:
        # a unique key another request took first, found only at commit (issue 14 §4): nothing of
        # this request is kept, and the person is told so instead of a server error
        session.rollback()
        raise HTTPException(409, f"提交的内容{CONFLICT}") from None
    finally:
        session.close()


async def db(request: Request) -> AsyncIterator[Session]:
    """A session whose work is committed when the route returns (before the response is sent),
    rolled back when it fails. It takes its connection on first use, in the thread the route or
    dependency runs in; committing and closing run in a thread too, never on the event loop."""
    state = request.app.state
    async with _admission(request):
        # a page that only reads begins deferred and never waits for writers (store.db._sqlite_begin)
        session = state.sessions(bind=state.read_only_engine) if _reads_only(request) else state.sessions()
        committed = False
        try:
            yield session
            committed = True
        finally:
            # shielded: a cancelled request (the client went away) still rolls back and closes, and
            # its connection goes back to the pool
            with CancelScope(shield=True):
                await run_in_threadpool(_end, session, committed)


# scope="function": the transaction is committed when the route returns, before the response goes
# out, so that the page a redirect leads to already shows what the form changed.
DB = Annotated[Session, Depends(db, scope="function")]


# An organ's own staff: who may see its applicants' personal data (Scope.sees_personal_data).
ORGAN_STAFF = tuple(role for role in Role if role.organ_staff)


class LoginRequired(Exception):
    """No one is signed in: the page sends them to the login form."""


@dataclass(frozen=True)
class Principal:
    """The signed-in person and what they may see."""

    user: User
    scope: Scope

    @property
    def role(self) -> Role:
        """The person's role."""
        return self.scope.role

    def acts_for(self, organ_id: int, roles: Collection[Role]) -> bool:
        """Whether the person holds one of ``roles`` in this organ (its own staff, not a supervisor)."""
        return self.role in roles and self.scope.home_organ_id == organ_id

    def is_staff_of(self, organ_id: int) -> bool:
        """Whether the person is a clerk, reviewer or approver of this organ."""
        return self.acts_for(organ_id, ORGAN_STAFF)

    def is_clerk_of(self, organ_id: int) -> bool:
        """Whether the person is a clerk (经办人) of this organ: who registers, answers and drafts."""
        return self.acts_for(organ_id, (Role.CLERK,))


def principal(request: Request, session: DB) -> Principal:
    """The signed-in person, or :class:`LoginRequired`."""
    user_id = request.session.get("user_id")
    if user_id is None:
        raise LoginRequired  # the session (and its CSRF token) is kept for the public pages
    user = account_by_id(session, user_id)
    session_id = request.session.get("sid")
    if (
        user is None
        or not user.active
        or request.session.get("stamp") != session_stamp(user.password_hash, user.session_epoch)
        or not session_id
        or session_ended(session, session_id)
    ):
        # an account removed or stopped, or its password changed since, or this session signed out
        # (a copy of its cookie made before: issue 14): its session ends
        request.session.clear()
        raise LoginRequired
    me = Principal(user, scope_of(session, user))
    # for pages rendered after the session has ended (a refusal, an error): plain values, no ORM object
    request.state.badge = Badge(user.name, me.role)
    return me


Me = Annotated[Principal, Depends(principal)]


@dataclass(frozen=True)
class Badge:
    """Who is signed in, as the header of every page shows it."""

    name: str
    role: Role


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields, stripped and without control characters (but tab and line
    breaks) or noncharacters (issue 14 §9: a NUL cannot be stored on PostgreSQL). Read here, on the
    event loop, so that the route itself can be a plain function that FastAPI runs in a thread: a
    route that talks to the database must never run on the event loop, where a wait for a lock
    would stall every request."""
    form = await request.form()
    return {
        clean_text(key): clean_text(value).strip() for key, value in form.items() if isinstance(value, str)
    }


FormFields = Annotated[dict[str, str], Depends(form_fields)]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use; every form carries it back."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, csrf: Annotated[str, Form()] = "") -> None:
    """Refuse a form that does not carry the session's CSRF token (403)."""
    expected = request.session.get("csrf")
    if not expected or not hmac.compare_digest(expected, csrf):
        raise HTTPException(403, "表单已过期或来源不明，请刷新页面后重试")


def visible_organ(session: Session, me: Principal, code: str) -> Organ:
    """An organ the person may see; any other is 404, as if it did not exist."""
    try:
        organ = find_organ(session, code)
    except NotFound:
        raise HTTPException(404, "没有这个机关") from None
    if not me.scope.sees(organ.id):
        raise HTTPException(404, "没有这个机关")
    return organ


# --- who may do what ----------------------------------------------------------------------------
# Each route that is not for everyone in scope names its rule once, in its signature, as one of
# these dependencies; the refusal (403) is the rule's own sentence, said the same way everywhere.


def require(*roles: Role, refusal: str) -> Callable[..., Principal]:
    """A dependency: the signed-in person, who must hold one of ``roles`` (403 ``refusal``)."""

    def allowed(me: Me) -> Principal:
        if me.role not in roles:
            raise HTTPException(403, refusal)
        return me

    return allowed


def _nothing() -> None:
    return None


def require_in_organ(
    *roles: Role, refusal: str, after: Callable[..., object] = _nothing
) -> Callable[..., Organ]:
    """A dependency: the organ of the path's ``{code}``, which the person must see (404 as if it did
    not exist) and in which they must hold one of ``roles`` (403 ``refusal``). A supervisor or an
    administrator holds no role in an organ: its staff act for it.

    ``after``: a dependency to resolve before the rule is checked, the record the path names (404
    when it is not there): a page that does not exist is told so before a refusal. The route takes
    the same dependency for the record; FastAPI resolves it once."""

    # `after` as a default, not in an annotation: annotations are resolved in the module's names
    def allowed(session: DB, me: Me, code: str, _found: object = Depends(after)) -> Organ:
        organ = visible_organ(session, me, code)
        if not me.acts_for(organ.id, roles):
            raise HTTPException(403, refusal)
        return organ

    return allowed


def page(request: Request, template: str, status_code: int = 200, **context: object):
    """Render a page with what every page needs (the person, the CSRF token)."""
    user = None
    if request.session.get("user_id") is not None:
        me = context.get("me")
        user = (
            Badge(me.user.name, me.role)
            if isinstance(me, Principal)
            else getattr(request.state, "badge", None)
        )
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"csrf": csrf_token(request), "user": user, **context},
        status_code=status_code,
    )


MEDIA_TYPES = {  # by the suffix of a file the app hands out
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
}


def written_file_response(write: Callable[[Path], Path]) -> FileResponse:
    """The file ``write`` writes into the temporary folder it is given (returning its path), sent
    from there under its name; the folder goes once it is sent, or at once when writing fails. A
    large export is never held in memory whole."""
    folder = Path(tempfile.mkdtemp(prefix="gongkai-export-"))
    try:
        target = write(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    cleanup = BackgroundTask(shutil.rmtree, folder, ignore_errors=True)
    return FileResponse(target, filename=target.name, background=cleanup)


def file_response(data: bytes, name: str) -> Response:
    """A file to save under ``name``, its media type told by its suffix. A name beyond ASCII (an
    organ code made before codes were checked) is sent as RFC 6266 allows, with an ASCII fallback."""
    media_type = MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    disposition = f'attachment; filename="{fallback}"'
    if fallback != name:
        disposition += f"; filename*=UTF-8''{quote(name, safe='')}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})
