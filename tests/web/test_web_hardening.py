"""The web platform against a hostile visitor (issue 14), on SQLite and PostgreSQL: only the query
parameters a page means are read, numbers beyond the database's are refused without an error page,
sign-in is throttled, signing out ends the session for good, and every response carries its
security headers."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from types import SimpleNamespace

import limits.storage.memory
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from support.web import PASSWORD, client_as, csrf_of, site  # noqa: F401 (the fixture)
from test_web_access import FORMS, RULES, _fill, prepared  # noqa: F401 (the fixture)

from gongkai.store.db import transaction
from gongkai.store.tables import EndedSession
from gongkai.web.bounds import INT_MAX
from gongkai.web.signin_limits import FAILURES_PER_ACCOUNT, FAILURES_PER_ADDRESS, LOCK_MINUTES

# The query parameters the pages mean: a filter, a page number, where to go after signing in, a
# flag a redirect sets. Anything else in the address is a route's internal argument leaking out.
MEANT_QUERY = {
    "next",
    "status",
    "kind",
    "due_within",
    "page",
    "code",
    "category",
    "year",
    "with",
    "open_only",
    "changed",
    "entered",
    "step",
    "on",
    "region",  # the console's coverage and league tables (oversight.py)
    "missing",
    "rule",
    "min",
    "coverage_region",
    "coverage_year",
    # the corpus's lists (issue 17): an organ or region, a rule, unjudged errors, where a page
    # starts, the API's cursor and page size, an export's form
    "organ",
    "unjudged",
    "after",
    "start",
    "cursor",
    "limit",
    "form",
}
FORGED = "您的账号存在风险，请致电 400-000-0000 核实"


def test_only_meant_query_parameters_are_read_issue_14(site) -> None:  # noqa: F811
    read = {
        (method, path, parameter["name"])
        for path, ops in site.openapi()["paths"].items()
        for method, op in ops.items()
        for parameter in op.get("parameters", [])
        if parameter["in"] == "query"
    }
    assert {entry for entry in read if entry[2] not in MEANT_QUERY} == set()


def test_no_address_sets_a_pages_message_or_status_issue_14(prepared) -> None:  # noqa: F811
    app, _, _ = prepared
    clerk = client_as(app, "clerk")
    forged = {"error": FORGED, "message": FORGED, "status_code": "500", "results": FORGED}
    for path in (
        "/organs/kj/requests/2026-0001",
        "/organs/kj/submissions",
        "/organs/kj/reports/2026",
        "/organs/kj/register",
        "/organs/kj/appeals",
    ):
        response = clerk.get(path, params=forged)
        assert response.status_code == 200, path
        assert FORGED not in response.text, path
    supervisor = client_as(app, "supervisor")
    response = supervisor.get("/console", params=forged)
    assert response.status_code == 200 and FORGED not in response.text


def test_a_refused_step_still_shows_its_reason_issue_14(prepared) -> None:  # noqa: F811
    app, item_id, _ = prepared
    clerk = client_as(app, "clerk")
    token = csrf_of(clerk.get("/").text)
    response = clerk.post(f"/organs/kj/submissions/{item_id}/reject", data={"csrf": token, "reason": ""})
    assert response.status_code == 400 and 'class="error"' in response.text
    response = clerk.post(
        "/organs/kj/register/tally",
        data={"csrf": token, "year": "2025", "key": "licensing.decisions", "value": "x"},
    )
    assert response.status_code == 400 and 'class="error"' in response.text


# beyond SQLite's integer, and beyond PostgreSQL's (which SQLite holds)
HUGE_NUMBERS = (str(2**63), str(2**31))


def _integer_parameters(app) -> list[tuple[str, str, str, str]]:
    """(method, path template, where, name) of every whole-number parameter any route reads."""
    return [
        (method, path, parameter["in"], parameter["name"])
        for path, ops in app.openapi()["paths"].items()
        for method, op in ops.items()
        for parameter in op.get("parameters", [])
        if "integer" in str(parameter["schema"])
    ]


def _reacher(app, method: str, path: str) -> TestClient:
    """A client of someone the route lets in (the anonymous visitor when no one is)."""
    allowed = RULES[(method, path)]
    for role in ("clerk", "supervisor", "admin", "anonymous"):
        if role in allowed or not allowed:
            break
    return TestClient(app, raise_server_exceptions=False) if role == "anonymous" else client_as(app, role)


def test_every_number_in_an_address_is_bounded_issue_14(site) -> None:  # noqa: F811
    parameters = _integer_parameters(site)
    assert len(parameters) >= 20  # the walk below sees them all
    for method, path, where, name in parameters:
        schema = next(
            p["schema"]
            for p in site.openapi()["paths"][path][method]["parameters"]
            if p["name"] == name and p["in"] == where
        )
        limits = [schema, *schema.get("anyOf", [])]
        assert any(s.get("maximum", INT_MAX + 1) <= INT_MAX for s in limits), (method, path, name)


def test_a_number_beyond_the_database_is_404_or_a_refusal_never_500_issue_14(prepared) -> None:  # noqa: F811
    app, item_id, notice_id = prepared
    wrong = []
    for method, template, where, name in _integer_parameters(app):
        client = _reacher(app, method, template)
        token = csrf_of(client.get("/login").text)
        for huge in HUGE_NUMBERS:
            path = _fill(template.replace("{" + name + "}", huge), item_id, notice_id)
            params = {name: huge} if where == "query" else {}
            if method == "get":
                response = client.get(path, params=params, follow_redirects=False)
            else:
                data = {"csrf": token, **FORMS.get(template, {})}
                response = client.post(path, params=params, data=data, follow_redirects=False)
            if where == "path":
                ok = response.status_code == 404 and "没有" in response.text
            else:
                # a page names the parameter in words; the API gives its documented 422
                said = f"格式不对：{name}" in response.text or (
                    path.startswith("/api/") and name in str(response.json().get("detail"))
                )
                ok = response.status_code == 422 and said
            if not ok:
                wrong.append((method, path, params, response.status_code))
    # the comparison form's choice names a year too (with=CODE/YEAR)
    supervisor = client_as(app, "supervisor")
    for huge in HUGE_NUMBERS:
        response = supervisor.get(f"/console/organs/kj/2026/beside?with=kj/{huge}", follow_redirects=False)
        if response.status_code != 404:
            wrong.append(("get", "beside", huge, response.status_code))
    assert wrong == []


def _sign_in(client: TestClient, login: str, password: str):
    token = csrf_of(client.get("/login").text)
    data = {"login": login, "password": password, "csrf": token}
    return client.post("/login", data=data, follow_redirects=False)


def test_five_wrong_passwords_lock_the_account_for_a_few_minutes_issue_14(site, monkeypatch) -> None:  # noqa: F811
    client = TestClient(site)
    for _ in range(FAILURES_PER_ACCOUNT):
        assert _sign_in(client, "clerk", "wrong password!").status_code == 400
    refused = _sign_in(client, "clerk", PASSWORD)  # even the right password, for now
    assert refused.status_code == 429
    assert f"尝试次数过多，请 {LOCK_MINUTES} 分钟后再试" in refused.text
    assert _sign_in(client, "reviewer", PASSWORD).status_code == 303  # other accounts are not locked
    later = time.time() + LOCK_MINUTES * 60 + 1
    monkeypatch.setattr(limits.storage.memory, "time", SimpleNamespace(time=lambda: later))
    assert _sign_in(client, "clerk", PASSWORD).status_code == 303  # and only for a few minutes


def test_signing_in_forgets_the_accounts_failures_issue_14(site) -> None:  # noqa: F811
    client = TestClient(site)
    for _ in range(2):
        for _ in range(FAILURES_PER_ACCOUNT - 1):
            assert _sign_in(client, "clerk", "wrong password!").status_code == 400
        assert _sign_in(client, "clerk", PASSWORD).status_code == 303


def test_many_failures_from_one_address_lock_that_address_issue_14(site) -> None:  # noqa: F811
    guesser = TestClient(site, client=("203.0.113.9", 50000))
    for turn in range(FAILURES_PER_ADDRESS):  # a few guesses at many logins: no account reaches 5
        assert _sign_in(guesser, f"guess-{turn}", "wrong password!").status_code == 400
    refused = _sign_in(guesser, "admin", PASSWORD)
    assert refused.status_code == 429 and "尝试次数过多" in refused.text
    elsewhere = TestClient(site, client=("198.51.100.7", 50000))
    assert _sign_in(elsewhere, "admin", PASSWORD).status_code == 303


def _signed_in(client: TestClient) -> bool:
    return client.get("/account", follow_redirects=False).status_code == 200


def test_signing_out_ends_the_session_for_good_but_not_the_others_issue_14(site, store) -> None:  # noqa: F811
    laptop, phone = client_as(site, "clerk"), client_as(site, "clerk")
    copied = TestClient(site, raise_server_exceptions=False, cookies=dict(laptop.cookies))
    assert _signed_in(copied)
    token = csrf_of(laptop.get("/account").text)
    assert laptop.post("/logout", data={"csrf": token}, follow_redirects=False).status_code == 303
    assert not _signed_in(laptop)
    assert not _signed_in(copied)  # the cookie copied before signing out no longer counts
    assert _signed_in(phone)  # the person's other session goes on
    with transaction(store) as s:
        assert s.scalar(select(func.count()).select_from(EndedSession)) == 1


def test_assets_never_come_from_the_requests_host_issue_14(site) -> None:  # noqa: F811
    client = TestClient(site, headers={"Host": "evil.example"})
    for html in (client.get("/login").text, client_as(site, "supervisor").get("/console").text):
        assert "evil.example" not in html
        assert 'href="/static/gongkai.css"' in html and 'src="/static/vendor/htmx-2.0.11/htmx.min.js"' in html


def test_every_response_carries_the_security_headers_issue_14(site, monkeypatch) -> None:  # noqa: F811
    anonymous = TestClient(site, raise_server_exceptions=False)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a defect")

    monkeypatch.setattr("gongkai.web.public.catalogue_categories", broken)
    failed = anonymous.get("/public/kj")  # a server error: answered outside the middleware
    assert failed.status_code == 500 and "服务器出错了" in failed.text
    responses = [
        failed,
        anonymous.get("/login"),
        anonymous.get("/public"),
        anonymous.get("/public/nothing"),  # a refusal
        anonymous.get("/static/gongkai.css"),
        anonymous.get("/api/organs"),  # 401 JSON
        client_as(site, "clerk").get("/organs/kj/requests"),
    ]
    for response in responses:
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy, response.url
        assert "default-src 'self'" in policy and "unsafe-eval" not in policy
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_api_document_allows_exactly_its_own_inline_script_issue_14(site) -> None:  # noqa: F811
    response = TestClient(site).get("/api/docs")
    policy = response.headers["Content-Security-Policy"]
    scripts = re.findall(r"<script>(.*?)</script>", response.text, flags=re.DOTALL)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert (
        f"script-src 'self' 'sha256-{digest}';" in policy
        and "'unsafe-inline'" not in policy.split("style-src")[0]
    )
