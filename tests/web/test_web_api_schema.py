"""The JSON API against its own OpenAPI document (issue 6): schemathesis generates requests for every
operation under /api, signed in as a supervisor, and none may end in a server error or a response
that breaks the document. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from support.web import client_as, site  # noqa: F401 (the fixture)

schemathesis = pytest.importorskip(
    "schemathesis", reason="schemathesis not installed (make test installs it)"
)


@pytest.mark.property
def test_the_api_keeps_its_document(site) -> None:  # noqa: F811
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", site).include(path_regex="^/api/")
    cookie = client_as(site, "supervisor").cookies.get("gongkai_session")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7

    for operation in operations:

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case) -> None:
            case.call_and_validate(headers={"Cookie": f"gongkai_session={cookie}"})

        check()


def test_a_bad_parameter_gets_the_documented_422(site) -> None:  # noqa: F811
    response = client_as(site, "clerk").get("/api/organs/kj/requests?open_only=maybe")
    assert response.status_code == 422 and isinstance(response.json()["detail"], list)


def test_the_api_docs_work_offline_issue_13(site) -> None:  # noqa: F811
    """/api/docs names no host but ours, and every file it names is served: it works on a network
    that reaches no CDN (FastAPI's own page loads Swagger UI from cdn.jsdelivr.net)."""
    import re

    from fastapi.testclient import TestClient

    client = TestClient(site)
    response = client.get("/api/docs")
    assert response.status_code == 200 and "SwaggerUIBundle" in response.text
    assert not re.search(r"(?:https?:)?//[\w.-]+", response.text), "an external address in /api/docs"
    assets = re.findall(r'(?:href|src)="([^"]+)"', response.text)
    assets += re.findall(r"url: '([^']+)'", response.text)
    assert len(assets) == 4  # the stylesheet, the icon, the script and the OpenAPI document
    for asset in assets:
        assert asset.startswith("/"), asset
        assert client.get(asset).status_code == 200, asset
    assert '"validatorUrl": null' in response.text  # no badge fetched from validator.swagger.io
    # the script is Swagger UI 5, which reads the OpenAPI 3.1 document FastAPI writes
    script = client.get(next(a for a in assets if a.endswith(".js"))).text
    assert re.search(r'"5\.\d+\.\d+"', script) and site.openapi()["openapi"].startswith("3.1")
