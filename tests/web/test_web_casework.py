"""The web platform's first pages (issue 6), on SQLite and PostgreSQL: signing in, CSRF, each
role's scope over organs and applicants' personal data, and a clerk registering and answering a
request through the pages."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from support.web import ACCOUNTS, PASSWORD, client_as, csrf_of, site  # noqa: F401 (the fixture)

from gongkai.store.accounts import add_user, authenticate
from gongkai.store.db import transaction
from gongkai.store.records import add_organ
from gongkai.web.deps import DB


def test_a_wrong_password_or_login_is_refused_alike(site) -> None:  # noqa: F811
    client = TestClient(site)
    token = csrf_of(client.get("/login").text)
    for login, password in (("clerk", "wrong password!"), ("nobody", PASSWORD)):
        response = client.post("/login", data={"login": login, "password": password, "csrf": token})
        assert response.status_code == 400 and "登录名或密码不对" in response.text


def test_pages_need_a_login_and_forms_need_their_csrf_token(site) -> None:  # noqa: F811
    anonymous = TestClient(site)
    response = anonymous.get("/organs/kj/requests", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith(
        "/login?next=/organs/kj/requests"
    )
    assert anonymous.get("/api/organs").status_code == 401
    response = anonymous.post("/login", data={"login": "clerk", "password": PASSWORD, "csrf": "forged"})
    assert response.status_code == 403 and "表单已过期或来源不明" in response.text
    clerk = client_as(site, "clerk")
    response = clerk.post("/organs/kj/requests/2026-0001/steps/withdraw", data={"csrf": "forged"})
    assert response.status_code == 403


def test_the_login_redirect_never_leaves_the_site(site) -> None:  # noqa: F811
    client = TestClient(site)
    token = csrf_of(client.get("/login?next=//evil.example/").text)
    response = client.post(
        "/login",
        data={"login": "clerk", "password": PASSWORD, "csrf": token, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


@pytest.mark.parametrize(
    ("login", "path", "status"),
    [
        ("clerk", "/organs/kj/requests", 200),
        ("clerk", "/organs/jy/requests", 404),  # another organ, even in the same region
        ("clerk", "/organs/kj/requests/2026-0001", 200),
        ("clerk", "/organs/wj/requests/2026-0001", 404),
        ("clerk", "/organs/kj/requests/new", 200),
        ("reviewer", "/organs/kj/requests/new", 403),  # reviewers read, clerks act
        ("other-clerk", "/organs/kj/requests/2026-0001", 404),
        ("supervisor", "/organs/kj/requests/2026-0001", 200),
        ("supervisor", "/organs/jy/requests", 200),
        ("supervisor", "/organs/wj/requests/2026-0001", 404),  # another region
        ("supervisor", "/organs/kj/requests/new", 403),
        ("far-supervisor", "/organs/wj/requests/2026-0001", 200),
        ("admin", "/organs/wj/requests/2026-0001", 200),
        ("admin", "/organs/kj/requests/new", 403),
        ("clerk", "/api/organs/kj/requests/2026-0001", 200),
        ("clerk", "/api/organs/wj/requests/2026-0001", 404),
        ("supervisor", "/api/organs/wj/requests", 404),
    ],
)
def test_each_role_sees_its_scope(site, login: str, path: str, status: int) -> None:  # noqa: F811
    assert client_as(site, login).get(path).status_code == status


def test_applicants_personal_data_only_for_the_organs_staff(site) -> None:  # noqa: F811
    for login, sees in (("clerk", True), ("reviewer", True), ("supervisor", False), ("admin", False)):
        client = client_as(site, login)
        page = client.get("/organs/kj/requests/2026-0001").text
        assert ("张三" in page) is sees, login
        data = client.get("/api/organs/kj/requests/2026-0001").json()
        assert ("applicant_name" in data) is sees, login


def test_steps_are_taken_only_by_the_organs_clerks(site) -> None:  # noqa: F811
    for login in ("reviewer", "supervisor", "admin"):
        client = client_as(site, login)
        token = csrf_of(client.get("/").text)
        response = client.post(
            "/organs/kj/requests/2026-0001/steps/withdraw", data={"csrf": token, "on": "2026-03-05"}
        )
        assert response.status_code == 403, login
    other = client_as(site, "other-clerk")
    token = csrf_of(other.get("/").text)
    assert other.post("/organs/kj/requests/2026-0001/steps/withdraw", data={"csrf": token}).status_code == 404


def test_a_clerk_registers_and_answers_a_request(site) -> None:  # noqa: F811
    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/organs/kj/requests/new").text)
    form = {
        "csrf": token,
        "channel": "online",
        "arrived": "2026-03-06T18:20",
        "confirmed_on": "2026-03-09",
        "applicant_kind": "commercial",
        "applicant_name": "某某科技有限公司",
        "subject": "2025年高新技术企业认定名单",
    }
    response = clerk.post("/organs/kj/requests", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/organs/kj/requests/2026-0002"
    page = clerk.get("/organs/kj/requests/2026-0002").text
    assert "2026-03-09" in page and "2026-04-07" in page and "条例第三十三条第二款" in page
    # a step the law refuses is shown on the page, and nothing changes
    response = clerk.post(
        "/organs/kj/requests/2026-0002/steps/correct_received", data={"csrf": token, "on": "2026-03-10"}
    )
    assert response.status_code == 200 and "没有待补正的告知" in response.text
    response = clerk.post(
        "/organs/kj/requests/2026-0002/steps/answer",
        data={"csrf": token, "on": "2026-03-20", "outcome": "granted"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = clerk.get("/organs/kj/requests/2026-0002").text
    assert "已办结" in page and "（一）予以公开" in page and "clerk 记录" in page
    listed = clerk.get("/organs/kj/requests?status=concluded").text
    assert "2026-0002" in listed and "2026-0001" not in listed


def test_the_register_filters_as_the_form_sends_them(site) -> None:  # noqa: F811
    """The filter form sends every field, blank ones too: a blank N is no filter, a bad one is
    named beside its field and the rest still filters."""
    clerk = client_as(site, "clerk")

    def numbers(query: str) -> list[str]:
        response = clerk.get(f"/organs/kj/requests?{query}")
        assert response.status_code == 200, response.text
        return re.findall(r'/requests/(\d{4}-\d{4})"', response.text)

    assert numbers("status=open&kind=&due_within=") == ["2026-0001"]
    assert numbers("status=overdue&kind=natural&due_within=") == ["2026-0001"]  # received in March
    assert numbers("status=open&kind=legal&due_within=") == []
    assert numbers("status=concluded&kind=&due_within=") == []
    assert numbers("status=open&kind=&due_within=0") == ["2026-0001"]  # already due
    response = clerk.get("/organs/kj/requests?status=open&kind=&due_within=abc")
    assert response.status_code == 200 and "请填 0 到 60 之间的工作日数" in response.text
    assert "2026-0001" in response.text


def test_a_bad_registration_keeps_what_was_typed_and_says_why(site) -> None:  # noqa: F811
    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/organs/kj/requests/new").text)
    form = {
        "csrf": token,
        "channel": "online",
        "arrived": "2026-03-06T18:20",
        "applicant_kind": "natural",
        "applicant_name": "李四",
        "subject": "某文件",
    }
    response = clerk.post("/organs/kj/requests", data=form)
    assert response.status_code == 400
    assert "双方确认之日" in response.text and "李四" in response.text and "某文件" in response.text


def test_no_stack_trace_reaches_a_page(site) -> None:  # noqa: F811
    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/").text)
    for path, data in (
        ("/organs/kj/requests/2026-0001/steps/extend", {"csrf": token, "days": "x", "approver": "a"}),
        (
            "/organs/kj/requests/2026-0001/steps/answer",
            {"csrf": token, "on": "2026-02-30", "outcome": "granted"},
        ),
        ("/organs/kj/requests/2026-0001/steps/nonsense", {"csrf": token}),
        ("/organs/kj/requests", {"csrf": token}),
    ):
        response = clerk.post(path, data=data)
        assert response.status_code in (200, 400, 404, 422), (path, response.status_code)
        assert "Traceback" not in response.text and 'File "' not in response.text


def test_authenticate_accepts_only_the_right_password(store) -> None:
    with transaction(store) as s:
        add_organ(s, "kj", "科技局", actor="t")
        add_user(s, "a", "甲", "clerk", PASSWORD, organ="kj", actor="t")
    with transaction(store) as s:
        assert authenticate(s, "a", PASSWORD) is not None
        assert authenticate(s, "a", PASSWORD + "x") is None
        assert authenticate(s, "b", PASSWORD) is None


def test_a_stopped_account_is_signed_out_and_cannot_sign_in(site, store) -> None:  # noqa: F811
    from gongkai.store.accounts import find_user, set_active, set_password

    clerk = client_as(site, "clerk")
    assert clerk.get("/organs/kj/requests").status_code == 200
    with transaction(store) as s:
        set_active(s, find_user(s, "clerk"), False, actor="admin")
    response = clerk.get("/organs/kj/requests", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    client = TestClient(site)
    token = csrf_of(client.get("/login").text)
    assert (
        client.post("/login", data={"login": "clerk", "password": PASSWORD, "csrf": token}).status_code == 400
    )
    with transaction(store) as s:
        user = find_user(s, "clerk")
        set_active(s, user, True, actor="admin")
        set_password(s, user, "a brand new passphrase", actor="admin")
    assert (
        client.post("/login", data={"login": "clerk", "password": PASSWORD, "csrf": token}).status_code == 400
    )
    response = client.post(
        "/login",
        data={"login": "clerk", "password": "a brand new passphrase", "csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_users_commands_stop_and_start_an_account(database_url: str, tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from gongkai.cli import app

    monkeypatch.setenv("GONGKAI_DATABASE_URL", database_url)
    monkeypatch.setenv("GONGKAI_HOME", str(tmp_path))
    runner = CliRunner()
    assert runner.invoke(app, ["organs", "add", "kj", "科技局"]).exit_code == 0
    assert (
        runner.invoke(
            app,
            ["users", "add", "wang", "--name", "王五", "--role", "clerk", "--organ", "kj"],
            input=PASSWORD + "\n",
        ).exit_code
        == 0
    )
    assert runner.invoke(app, ["users", "stop", "wang"]).exit_code == 0
    assert "（已停用）" in runner.invoke(app, ["users", "list"]).stdout
    assert runner.invoke(app, ["users", "password", "wang"], input="short\n").exit_code == 2
    assert runner.invoke(app, ["users", "start", "wang"]).exit_code == 0
    assert "（已停用）" not in runner.invoke(app, ["users", "list"]).stdout
    assert runner.invoke(app, ["users", "stop", "nobody"]).exit_code == 2


def test_dates_after_today_are_refused_on_the_pages_as_on_the_command_line(site) -> None:  # noqa: F811
    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/organs/kj/requests/new").text)
    response = clerk.post(
        "/organs/kj/requests/2026-0001/steps/answer",
        data={"csrf": token, "on": "2099-01-05", "outcome": "granted"},
    )
    assert "日期 2099-01-05 晚于今天" in response.text
    form = {"csrf": token, "channel": "online", "arrived": "2026-03-06T18:20", "confirmed_on": "2099-01-05"}
    response = clerk.post(
        "/organs/kj/requests",
        data={**form, "applicant_kind": "natural", "applicant_name": "李四", "subject": "x"},
    )
    assert response.status_code == 400 and "确认日期 2099-01-05 晚于今天" in response.text


def test_a_route_that_fails_after_writing_keeps_nothing(site, store) -> None:  # noqa: F811
    """The request's transaction is rolled back when its route fails (a refusal or an error), and
    committed before the response when it succeeds."""
    from fastapi import HTTPException
    from sqlalchemy import func, select

    from gongkai.store.records import audit
    from gongkai.store.tables import AuditEntry

    def write(session: DB, outcome: str):
        audit(session, "t", "test", outcome, "write")
        session.flush()
        if outcome == "refuse":
            raise HTTPException(400, "refused after writing")
        if outcome == "fail":
            raise RuntimeError("failed after writing")
        return {"written": True}

    site.add_api_route("/test-write/{outcome}", write, methods=["POST"])
    client = TestClient(site, raise_server_exceptions=False)
    assert client.post("/test-write/refuse").status_code == 400
    assert client.post("/test-write/fail").status_code == 500
    assert client.post("/test-write/keep").status_code == 200
    with transaction(store) as s:
        kept = s.scalars(select(AuditEntry.entity_id).where(AuditEntry.entity == "test")).all()
        assert kept == ["keep"]
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "test")) == 1


def test_a_part_of_a_page_asked_for_without_a_session_sends_the_page_to_the_login(site) -> None:  # noqa: F811
    """htmx asks for parts of pages: signed out, the whole page goes to the login form (and comes
    back to the page, not to the part); a refusal is shown in the page's problem slot."""
    anonymous = TestClient(site)
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/organs/kj/reports/2026"}
    token = csrf_of(anonymous.get("/login").text)
    response = anonymous.post(
        "/organs/kj/reports/2026/findings", data={"csrf": token}, headers=headers, follow_redirects=False
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/login?next=/organs/kj/reports/2026"
    # the session (and its CSRF token) gone altogether: the slot says to load the page again
    response = TestClient(site).post(
        "/organs/kj/reports/2026/findings", data={"csrf": token}, headers=headers
    )
    assert response.status_code == 403 and "请刷新页面后重试" in response.text
    assert response.headers["HX-Retarget"] == "#htmx-problem-slot"
    reviewer = client_as(site, "reviewer")
    token = csrf_of(reviewer.get("/").text)
    response = reviewer.post("/organs/kj/reports/2026/findings", data={"csrf": token}, headers=headers)
    assert response.status_code == 404 and response.headers["HX-Retarget"] == "#htmx-problem-slot"
    assert (
        response.text.startswith('<p id="htmx-problem" class="error" role="alert">')
        and "<html" not in response.text
    )
    assert 'id="htmx-problem-slot"' in reviewer.get("/").text  # every page has the slot
