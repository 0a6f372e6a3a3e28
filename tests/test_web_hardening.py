"""The web platform against a hostile visitor (issue 14), on SQLite and PostgreSQL: only the query
parameters a page means are read, numbers beyond the database's are refused without an error page,
sign-in is throttled, signing out ends the session for good, and every response carries its
security headers."""

from __future__ import annotations

from test_web_access import prepared  # noqa: F401 (the fixture)
from test_web_casework import client_as, csrf_of, site  # noqa: F401 (the fixture)

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
