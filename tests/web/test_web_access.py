"""Every route × every role (issue 6), on SQLite and PostgreSQL: who reaches each page and action,
and who is refused (401/403/404, or sent to the login page). Every route the app serves must have
its rule here: a new route without one fails the test."""

from __future__ import annotations

import pytest
from conftest import clean_report_2021
from fastapi.testclient import TestClient
from sqlalchemy import select
from support.web import client_as, csrf_of, site  # noqa: F401 (the fixture)
from test_notices_web import issue_sample_notice

from gongkai.model.report import report_to_json
from gongkai.store.corpus import SourceFile, organ_names, record_source
from gongkai.store.db import transaction
from gongkai.store.portal import file_submission
from gongkai.store.records import find_organ
from gongkai.store.tables import ReportRecord, Submission

ROLES = ("anonymous", "clerk", "reviewer", "other-clerk", "supervisor", "far-supervisor", "admin")
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
SCOPE_KJ = {
    "clerk",
    "reviewer",
    "supervisor",
    "admin",
}  # 科技局's own staff, its region's supervisor, the admin
STAFF_KJ = {"clerk", "reviewer"}  # who may see applicants' personal data
CLERK_KJ = {"clerk"}
SUPERVISORS = {"supervisor", "admin"}  # over kj; far-supervisor supervises another region
ADMIN = {"admin"}
CONSOLE = SUPERVISORS | {"far-supervisor"}  # the console itself (each sees their own region's reports)

# (method, path as in the OpenAPI document) → the roles that reach it
RULES: dict[tuple[str, str], set[str]] = {
    ("get", "/login"): EVERYONE,
    ("post", "/login"): EVERYONE,
    ("get", "/"): SIGNED_IN,
    ("get", "/organs/{code}/requests"): SCOPE_KJ,
    ("post", "/organs/{code}/requests"): CLERK_KJ,
    ("get", "/organs/{code}/requests/new"): CLERK_KJ,
    ("get", "/organs/{code}/requests/{number}"): SCOPE_KJ,
    ("post", "/organs/{code}/requests/{number}/steps/{step}"): CLERK_KJ,
    ("get", "/organs/{code}/submissions"): STAFF_KJ,
    ("post", "/organs/{code}/submissions/{item_id}/{action}"): CLERK_KJ,
    ("get", "/organs/{code}/reports"): SCOPE_KJ,
    ("post", "/organs/{code}/reports"): CLERK_KJ,
    ("get", "/organs/{code}/reports/{year}"): SCOPE_KJ,
    ("post", "/organs/{code}/reports/{year}/sections"): CLERK_KJ,
    ("post", "/organs/{code}/reports/{year}/findings"): CLERK_KJ,
    ("post", "/organs/{code}/reports/{year}/recompute"): CLERK_KJ,
    ("post", "/organs/{code}/reports/{year}/moves/{name}"): STAFF_KJ,
    ("get", "/organs/{code}/reports/{year}/download/{form}"): SCOPE_KJ,
    ("get", "/organs/{code}/register"): SCOPE_KJ,
    ("post", "/organs/{code}/register/{action}"): CLERK_KJ,
    ("post", "/organs/{code}/register-import"): CLERK_KJ,
    ("get", "/organs/{code}/appeals"): SCOPE_KJ,
    ("post", "/organs/{code}/appeals/{action}"): CLERK_KJ,
    ("get", "/public/track"): EVERYONE,
    ("get", "/public"): EVERYONE,
    ("get", "/public/{code}"): EVERYONE,
    ("get", "/public/{code}/catalogue"): EVERYONE,
    ("get", "/public/{code}/reports/{year}"): EVERYONE,
    ("get", "/public/{code}/reports/{year}/download/{form}"): EVERYONE,
    ("get", "/public/{code}/apply"): EVERYONE,
    ("post", "/public/{code}/apply"): EVERYONE,
    ("get", "/console"): CONSOLE,
    ("post", "/console/upload"): CONSOLE,
    ("get", "/console/organs/{code}/{year}"): SUPERVISORS,
    ("get", "/console/export.xlsx"): CONSOLE,
    ("get", "/console/organs/{code}/{year}/beside"): SUPERVISORS,
    ("get", "/console/organs/{code}/{year}/beside/{other}/{other_year}"): SUPERVISORS,
    ("get", "/console/organs/{code}/{year}/beside/{other}/{other_year}/export.xlsx"): SUPERVISORS,
    # coverage and league tables: every supervisor, of their own regions (test_web_oversight.py)
    ("get", "/console/oversight/coverage"): CONSOLE,
    ("get", "/console/oversight/coverage.csv"): CONSOLE,
    ("get", "/console/oversight/coverage.xlsx"): CONSOLE,
    ("get", "/console/oversight/league"): CONSOLE,
    # the corpus (issue 17): each supervisor sees their own region's, a report of kj its supervisors
    ("get", "/console/corpus"): CONSOLE,
    ("get", "/console/corpus/reports/{report_id}"): SUPERVISORS,
    ("post", "/console/corpus/reports/{report_id}/judge"): SUPERVISORS,
    ("get", "/console/corpus/unmatched"): CONSOLE,
    ("post", "/console/corpus/unmatched"): CONSOLE,
    ("get", "/console/corpus/export"): CONSOLE,
    ("get", "/api/corpus/reports"): SIGNED_IN,
    ("get", "/api/corpus/reports/{report_id}"): SCOPE_KJ,
    ("get", "/api/organs"): SIGNED_IN,
    ("get", "/api/organs/{code}/requests"): SCOPE_KJ,
    ("get", "/api/organs/{code}/requests/{number}"): SCOPE_KJ,
    ("get", "/api/organs/{code}/reports"): SCOPE_KJ,
    ("get", "/api/organs/{code}/reports/{year}"): SCOPE_KJ,
    ("get", "/account"): SIGNED_IN,
    ("post", "/account/password"): SIGNED_IN,
    ("get", "/admin/organs"): ADMIN,
    ("post", "/admin/organs"): ADMIN,
    ("post", "/admin/organs/{code}/rename"): ADMIN,
    ("get", "/admin/users"): ADMIN,
    ("post", "/admin/users"): ADMIN,
    ("get", "/admin/users/{login}"): ADMIN,
    ("post", "/admin/users/{login}/{action}"): ADMIN,
    ("get", "/admin/calendar"): ADMIN,
    ("post", "/admin/calendar/preview"): ADMIN,
    ("post", "/admin/calendar"): ADMIN,
    ("post", "/logout"): EVERYONE,
    # written notices (issue 13 §4): they name the applicant, so the organ's staff read, its clerks act
    ("get", "/organs/{code}/requests/{number}/notices"): STAFF_KJ,
    ("get", "/organs/{code}/requests/{number}/notices/new"): CLERK_KJ,
    ("post", "/organs/{code}/requests/{number}/notices"): CLERK_KJ,
    ("post", "/organs/{code}/requests/{number}/notices/{notice_id}/delivery"): CLERK_KJ,
    ("get", "/organs/{code}/requests/{number}/notices/{notice_id}/download/{fmt}"): STAFF_KJ,
    ("get", "/organs/{code}/notice-templates"): STAFF_KJ,
    ("post", "/organs/{code}/notice-settings"): CLERK_KJ,
    ("get", "/organs/{code}/notice-templates/{template}"): STAFF_KJ,
    ("post", "/organs/{code}/notice-templates/{template}"): CLERK_KJ,
    ("post", "/organs/{code}/notice-templates/{template}/preview"): CLERK_KJ,
    ("post", "/organs/{code}/notice-templates/{template}/reset"): CLERK_KJ,
    # no one without the tracking code of the applicant it was delivered to (tests/web/test_notices_web.py)
    ("get", "/public/track/notices/{notice_id}/download/{fmt}"): set(),
}
FORMS = {  # a valid form for each POST, so that refusals come from access, not from validation
    "/login": {"login": "nobody", "password": "wrong password"},
    "/organs/{code}/requests": {
        "channel": "in_person",
        "arrived": "2026-03-04T10:00",
        "applicant_kind": "natural",
        "applicant_name": "甲",
        "subject": "乙",
    },
    "/organs/{code}/requests/{number}/steps/{step}": {"on": "2026-03-05"},
    "/organs/{code}/submissions/{item_id}/{action}": {"reason": ""},
    "/organs/{code}/reports": {"year": "2026"},
    "/organs/{code}/reports/{year}/sections": {"problems": "暂无。"},
    "/organs/{code}/reports/{year}/findings": {"problems": "暂无。"},
    "/public/{code}/apply": {},
    "/organs/{code}/register/{action}": {"year": "2025", "key": "licensing.decisions", "value": "x"},
    "/organs/{code}/appeals/{action}": {"number": "none", "result": "upheld"},
    "/organs/{code}/register-import": {"kind": "documents"},
    # each refused for its content (400, nothing changed) when access lets it through
    "/account/password": {"current": "not the password", "new": "x", "repeat": "y"},
    "/admin/organs": {"code": "", "name": ""},
    "/admin/organs/{code}/rename": {"name": ""},
    "/admin/users": {"login": "", "password": ""},
    "/admin/users/{login}/{action}": {"password": "short"},
    "/admin/calendar/preview": {"text": "不是通知"},  # refused: no year in it
    "/admin/calendar": {"text": "不是通知"},
    "/console/corpus/reports/{report_id}/judge": {"key": "none", "verdict": "confirmed", "seen": "0"},
    "/console/corpus/unmatched": {"key": "none", "organ": ""},  # refused: no organ chosen
}


def _fill(path: str, item_id: int, notice_id: int) -> str:
    values = {
        "code": "kj",
        "number": "2026-0001",
        "step": "correct_received",  # refused by the law for the clerk (200 with the reason): no change
        "item_id": str(item_id),
        "action": "reject",  # refused without a reason: no change
        "year": "2026" if "public" not in path else "2025",
        "name": "submit",  # refused while the draft has errors: no change
        "form": "md",
        "login": "other-clerk",
        "other": "kj",
        "other_year": "2025",
        "notice_id": str(notice_id),  # issued, not delivered
        "template": "correction",  # posted empty: refused, nothing saved
        "fmt": "docx",
        "report_id": "1",  # the corpus's one report, of kj (prepared)
    }
    if "/register/" in path:
        values["action"] = "tally"  # refused: the value is not a number
    elif "/appeals/" in path:
        values["action"] = "decide"  # refused: no such case
    elif "/admin/users/" in path:
        values["action"] = "password"  # refused: the password is too short
    for key, value in values.items():
        path = path.replace("{" + key + "}", value)
    if path.endswith("/beside"):
        path += "?with=kj/2025"  # the form's choice: the published report of 2025
    return path


def _reached(response) -> bool:
    if response.status_code in (401, 403, 404):
        return False
    return not (response.status_code == 303 and response.headers["location"].startswith("/login?next="))


@pytest.fixture
def prepared(site, store):  # noqa: F811
    """The site with a draft of 2026 and a published report of 2025 at kj, a portal submission, and a
    written notice of request 2026-0001."""
    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/").text)
    clerk.post("/organs/kj/reports", data={"csrf": token, "year": "2026"})
    with transaction(store) as s:
        organ = find_organ(s, "kj")
        draft = s.scalars(select(ReportRecord)).one()
        s.add(
            ReportRecord(
                organ_id=organ.id,
                year=2025,
                status="published",
                source="uploaded",
                body=draft.body,
                updated_at=draft.updated_at,
            )
        )
        file_submission(
            s,
            organ,
            {
                "applicant_kind": "natural",
                "applicant_name": "丙",
                "applicant_id": "x",
                "applicant_contact": "y",
                "subject": "z",
            },
        )
    with transaction(store) as s:
        item_id = s.scalars(select(Submission.id)).one()
        # the corpus's first report (id 1): a published report of kj, taken in from a file
        body = report_to_json(clean_report_2021().model_copy(update={"agency": "某某区科学技术局"}))
        result = {
            "agency": body["agency"],
            "year": body["year"],
            "format": "2021",
            "findings": [],
            "report": body,
        }
        record_source(s, SourceFile("0" * 64, "kj.txt", 1, "text"), [result], organ_names(s))
    return site, item_id, issue_sample_notice(store)


def test_every_route_has_its_access_rule(site) -> None:  # noqa: F811
    served = {(method, path) for path, ops in site.openapi()["paths"].items() for method in ops}
    assert served == set(RULES), (
        f"routes without a rule: {served - set(RULES)}; rules without a route: {set(RULES) - served}"
    )


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_its_routes(prepared, role: str) -> None:
    app, item_id, notice_id = prepared
    client = TestClient(app, raise_server_exceptions=False) if role == "anonymous" else client_as(app, role)
    token = csrf_of(client.get("/login").text)
    wrong = []
    for (method, template), allowed in sorted(RULES.items(), key=lambda rule: rule[0][1] == "/logout"):
        path = _fill(template, item_id, notice_id)
        if method == "get":
            response = client.get(path, follow_redirects=False)
        elif template == "/console/upload":
            response = client.post(
                path,
                data={"csrf": token},
                files=[("files", ("x.md", b"# x", "text/plain"))],
                follow_redirects=False,
            )
        elif template == "/organs/{code}/register-import":
            ledger = [("file", ("x.csv", "名称\n甲\n".encode(), "text/csv"))]
            data = {"csrf": token, **FORMS[template]}
            response = client.post(path, data=data, files=ledger, follow_redirects=False)
        else:
            response = client.post(
                path, data={"csrf": token, **FORMS.get(template, {})}, follow_redirects=False
            )
        assert response.status_code < 500, (method, path, response.status_code)
        if _reached(response) != (role in allowed):
            wrong.append((method, path, response.status_code))
    assert wrong == [], f"{role}: {wrong}"


def test_a_supervisor_of_another_region_sees_none_of_its_reports(prepared) -> None:
    app, _, _ = prepared
    far = client_as(app, "far-supervisor")
    assert "某某区科学技术局" not in far.get("/console").text
    assert far.get("/console/organs/kj/2026").status_code == 404
    assert "某某区科学技术局" in client_as(app, "supervisor").get("/console").text
