"""The web platform with its two regions, five organs and an account of every role, and the helpers
of its pages (signing in, CSRF tokens, a citizen's filing, an upload to the console, a report's
sections): for the web's tests and the store's, cli's and model's tests that go through a page.

``site`` is a fixture: a test module imports it (``from support.web import client_as, site``) to use it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gongkai.store.accounts import add_user
from gongkai.store.casefiles import register
from gongkai.store.db import transaction
from gongkai.store.records import add_organ, work_calendar
from gongkai.web.app import create_app
from gongkai.web.settings import WebSettings
from support.casefiles import registration

PASSWORD = "correct horse battery"
ACCOUNTS = {  # login → (role, organ)
    "clerk": ("clerk", "kj"),
    "reviewer": ("reviewer", "kj"),
    "other-clerk": ("clerk", "jy"),
    "supervisor": ("supervisor", "xq"),
    "far-supervisor": ("supervisor", "yq"),
    "admin": ("admin", None),
}


@pytest.fixture
def site(store, database_url: str, tmp_path: Path):
    """Two regions; 科技局 (kj) and 教育局 (jy) under xq, 卫健委 (wj) under yq; one request at kj and
    one at wj; an account of every role."""
    with transaction(store) as s:
        add_organ(s, "xq", "某某区人民政府", kind="region", actor="t")
        add_organ(s, "yq", "另一区人民政府", kind="region", actor="t")
        add_organ(s, "kj", "某某区科学技术局", parent="xq", actor="t")
        add_organ(s, "jy", "某某区教育局", parent="xq", actor="t")
        add_organ(s, "wj", "另一区卫生健康委员会", parent="yq", actor="t")
        from gongkai.store.records import find_organ

        calendar = work_calendar(s)
        register(s, find_organ(s, "kj"), registration(date(2026, 3, 2)), calendar, actor="t")
        register(s, find_organ(s, "wj"), registration(date(2026, 3, 2)), calendar, actor="t")
        for login, (role, organ) in ACCOUNTS.items():
            add_user(s, login, login, role, PASSWORD, organ=organ, actor="t")
    settings = WebSettings(database_url, tmp_path, "test-secret-key-" + "x" * 32)
    app = create_app(settings)
    yield app
    app.state.sessions.kw["bind"].dispose()  # its connections, before the schema is dropped


def client_as(app, login: str | None) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    if login is not None:
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login", data={"login": login, "password": PASSWORD, "csrf": token}, follow_redirects=False
        )
        assert response.status_code == 303, response.text
    return client


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


FORM = {
    "applicant_kind": "natural",
    "applicant_name": "周八",
    "applicant_id": "身份证 110101199001011234",
    "applicant_contact": "13800000000",
    "subject": "2025年科技项目经费分配结果",
    "form_wanted": "电子邮件",
}


def file_online(client: TestClient, form: dict | None = None):
    token = csrf_of(client.get("/public/kj/apply").text)
    return client.post("/public/kj/apply", data={"csrf": token, **(form if form is not None else FORM)})


def upload(client, files: list[tuple[str, bytes]], organ: str = ""):
    token = csrf_of(client.get("/console").text)
    return client.post(
        "/console/upload",
        data={"csrf": token, "organ": organ},
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
    )


SECTIONS = {
    "overview": "（一）主动公开：本局通过门户网站主动公开政府信息。（二）依申请公开：本年共收到政府信息公开申请1件。"
    "（三）政府信息管理：落实保密审查。（四）政府信息公开平台建设：完善门户网站专栏。（五）监督保障：开展社会评议。",
    "active": "见下表。",
    "requests": "见下表。",
    "appeals": "本年度未发生因政府信息公开引起的行政复议、行政诉讼。",
    "problems": "存在信息更新不够及时的问题。下一步将加强审核，改进发布流程。",
    "other": "本年度未发出收费通知，未收取信息处理费。",
}
