"""The FastAPI application: middleware, routes, and pages for every refusal and error.

No stack trace ever reaches a page: an unexpected error is logged and shown as one Chinese line.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from html import escape
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from gongkai import __version__
from gongkai.store.db import READ_ONLY, open_store
from gongkai.web import (
    admin,
    api,
    auth,
    calendar,
    casework,
    console,
    corpus,
    notices,
    oversight,
    public,
    register,
    reports,
    side_by_side,
)
from gongkai.web.deps import LoginRequired, page
from gongkai.web.security import HEADERS, SecurityHeaders, content_security_policy, inline_script_hashes
from gongkai.web.settings import WebSettings

log = logging.getLogger("gongkai.web")
STATIC = Path(__file__).parent / "static"
# Swagger UI's own files, from the fastapi-offline package (Swagger UI 5, which reads OpenAPI 3.1):
# /api/docs works on a network that reaches no CDN, and loads nothing from elsewhere (issue 13).
SWAGGER_UI = Path(str(files("fastapi_offline") / "static"))
SWAGGER_UI_URL = "/static/swagger-ui"


def create_app(settings: WebSettings) -> FastAPI:
    """The web app on the store ``settings`` names."""
    app = FastAPI(
        title="gongkai 政府信息公开",
        version=__version__,
        docs_url=None,  # FastAPI's own page loads Swagger UI from a CDN: ours is api_docs below
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.sessions = open_store(settings.database_url)
    app.state.read_only_engine = app.state.sessions.kw["bind"].execution_options(**READ_ONLY)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="gongkai_session",
        max_age=int(timedelta(hours=settings.session_hours).total_seconds()),
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    # before /static, which would otherwise take these paths
    app.mount(SWAGGER_UI_URL, StaticFiles(directory=SWAGGER_UI), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(auth.router)
    app.include_router(casework.router)
    app.include_router(reports.router)
    app.include_router(public.router)
    app.include_router(console.router)
    app.include_router(corpus.router)
    app.include_router(side_by_side.router)
    app.include_router(register.router)
    app.include_router(api.router)
    app.include_router(admin.router)
    app.include_router(calendar.router)
    app.include_router(notices.router)
    app.include_router(oversight.router)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        """The JSON API's document in Swagger UI, its files served from the package."""
        return _swagger_page(app)

    # last added, so outermost: every response gets them, refusals and errors included (issue 14)
    docs_policy = content_security_policy(
        **{"script-src": f"'self' {inline_script_hashes(_swagger_page(app).body.decode())}"}
    )
    app.add_middleware(SecurityHeaders, policies={"/api/docs": docs_policy})

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "请先登录"}, status_code=401)
        if _from_htmx(request):  # a part of a page: the whole page goes to the login form
            return Response(headers={"HX-Redirect": f"/login?next={_current_page(request)}"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(HTTPException)
    async def refused(request: Request, exc: HTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        if _from_htmx(request):
            return _problem_fragment(str(exc.detail), exc.status_code)
        return page(request, "error.html", exc.status_code, message=exc.detail, status=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if any(error["loc"][:1] == ("path",) for error in exc.errors()):
            # a number in the path beyond any record (bounds.py): a page that does not exist (issue 14)
            return await refused(request, HTTPException(404, "没有这个页面"))
        if request.url.path.startswith("/api/"):  # the shape the OpenAPI document declares
            return await request_validation_exception_handler(request, exc)
        fields = "、".join(str(e["loc"][-1]) for e in exc.errors())
        message = f"提交的内容不完整或格式不对：{fields}"
        if _from_htmx(request):
            return _problem_fragment(message, 422)
        return page(request, "error.html", 422, message=message, status=422)

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path, exc_info=exc)
        message = "服务器出错了，已记录在日志中。请稍后重试或联系管理员。"
        if request.url.path.startswith("/api/"):
            response = JSONResponse({"detail": message}, status_code=500)
        elif _from_htmx(request):
            response = _problem_fragment(message, 500)
        else:
            response = page(request, "error.html", 500, message=message, status=500)
        # Starlette answers an unexpected error outside every middleware, SecurityHeaders included
        for name, value in {**HEADERS, "Content-Security-Policy": content_security_policy()}.items():
            response.headers.setdefault(name, value)
        return response

    return app


def _swagger_page(app: FastAPI) -> HTMLResponse:
    """The JSON API's document in Swagger UI, its files served from the package."""
    return get_swagger_ui_html(
        openapi_url=app.openapi_url or "/api/openapi.json",
        title=f"{app.title} — JSON 接口说明",
        swagger_js_url=f"{SWAGGER_UI_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_UI_URL}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER_UI_URL}/favicon.png",
        # no badge asking validator.swagger.io to check the document
        swagger_ui_parameters={"validatorUrl": None},
    )


def _from_htmx(request: Request) -> bool:
    """Whether htmx asked for a part of a page (it says so in a header)."""
    return request.headers.get("HX-Request") == "true"


def _current_page(request: Request) -> str:
    """The path of the page htmx works in (where to come back to after signing in)."""
    path = urlsplit(request.headers.get("HX-Current-URL", "")).path
    return quote(path if path.startswith("/") and not path.startswith("//") else "/")


def _problem_fragment(message: str, status: int) -> HTMLResponse:
    """A refusal or error for a part of a page: one line, put in the page's problem slot (base.html)
    instead of the part that was asked for."""
    return HTMLResponse(
        f'<p id="htmx-problem" class="error" role="alert">{escape(message)}</p>',
        status_code=status,
        headers={
            "HX-Retarget": "#htmx-problem-slot",
            "HX-Reswap": "innerHTML",
            "HX-Reselect": "#htmx-problem",
        },
    )


def app_from_environment() -> FastAPI:
    """The app as ``gongkai serve --workers N`` starts it in each worker, from the environment."""
    return create_app(WebSettings.load())
