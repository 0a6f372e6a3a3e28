"""Text as it enters (issue 14 §9), on SQLite and PostgreSQL: a NUL, other control characters and
noncharacters are taken out of every form, import and command alike (PostgreSQL cannot store a NUL:
the filing got a tracking code and every confirmation then failed), tab and line breaks kept."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from support.web import FORM, client_as, csrf_of, file_online, site  # noqa: F401 (the fixture)

from gongkai import clock
from gongkai.model.text import clean_text
from gongkai.store.db import transaction
from gongkai.store.ledger import import_ledger
from gongkai.store.records import add_organ
from gongkai.store.tables import Organ, Publication, Request, Submission

NOISE = "\x00\x0b\x1f\ufffe"
HEADER = "标题,公开目录,发布日期,发布渠道,初审,复审,终审,保密审查"


def test_clean_text_keeps_tabs_and_line_breaks_only() -> None:
    assert clean_text(f"周{NOISE}八\t第一行\r\n第二行\x7f\x85\ufdd0\U0001ffff") == "周八\t第一行\r\n第二行"
    assert clean_text("政府信息公开 2026") == "政府信息公开 2026"


def test_a_portal_filing_with_control_characters_is_confirmed_issue_14(site) -> None:  # noqa: F811
    noisy = {**FORM, "applicant_name": f"周{NOISE}八", "subject": f"2025年{NOISE}经费\r\n分配结果\t附表"}
    response = file_online(TestClient(site), noisy)
    assert response.status_code == 200 and "查询码" in response.text
    clerk = client_as(site, "clerk")
    inbox = clerk.get("/organs/kj/submissions").text
    item = re.search(r"/organs/kj/submissions/(\d+)/confirm", inbox).group(1)
    response = clerk.post(
        f"/organs/kj/submissions/{item}/confirm",
        data={"csrf": csrf_of(inbox), "on": clock.today().isoformat()},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    sessions = site.state.sessions
    with sessions() as s:
        row = s.scalar(select(Request).order_by(Request.id.desc()))
        assert row.applicant_name == "周八" and row.subject == "2025年经费\r\n分配结果\t附表"
        assert s.scalar(select(Submission)).details["applicant_name"] == "周八"


def test_a_clerks_form_with_control_characters_is_stored_clean_issue_14(site) -> None:  # noqa: F811
    clerk = client_as(site, "clerk")
    form = {
        "csrf": csrf_of(clerk.get("/organs/kj/requests/new").text),
        "channel": "in_person",
        "arrived": "2026-03-06T10:20",
        "applicant_kind": "commercial",
        "applicant_name": f"某某{NOISE}科技有限公司",
        "subject": f"高新技术企业{NOISE}认定名单",
    }
    response = clerk.post("/organs/kj/requests", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    number = response.headers["location"].rsplit("/", 1)[1]
    page = clerk.get(f"/organs/kj/requests/{number}")
    assert page.status_code == 200 and "某某科技有限公司" in page.text
    # a step's text too (the answer's summary, a form read by form_fields)
    response = clerk.post(
        f"/organs/kj/requests/{number}/steps/answer",
        data={"csrf": form["csrf"], "on": "2026-03-10", "outcome": "granted", "summary": f"予以{NOISE}公开"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    with site.state.sessions() as s:
        row = s.scalar(select(Request).where(Request.number == number))
        assert row.subject == "高新技术企业认定名单" and row.applicant_name == "某某科技有限公司"


def test_a_ledger_row_with_control_characters_is_imported_clean_issue_14(store, tmp_path: Path) -> None:
    path = tmp_path / "公开台账.csv"
    row = f"通知{NOISE}一,政策文件及解读,2025-03-01,门户网站,甲,乙,丙,丁"
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    with transaction(store) as s:
        organ = add_organ(s, "kj", "某某区科学技术局", actor="t")
        assert import_ledger(s, organ, path, "publications", actor="t") == 1
    with transaction(store) as s:
        assert s.scalar(select(Publication.title)) == "通知一"


def test_the_store_keeps_no_nul_whatever_way_text_comes_issue_14(store) -> None:
    """The last guard: a name given to the store directly (as a command does) is cleaned too."""
    with transaction(store) as s:
        add_organ(s, "kj", f"某某区{NOISE}科学技术局", actor="t")
    with transaction(store) as s:
        assert s.scalar(select(Organ.name)) == "某某区科学技术局"


def test_a_lookup_by_a_typed_text_with_a_nul_is_answered_alike_issue_14(site) -> None:  # noqa: F811
    """A tracking code or a login typed with a NUL: no server error on PostgreSQL, as on SQLite."""
    citizen = TestClient(site)
    response = citizen.get("/public/track", params={"code": "ABCDE\x00FGHJK"})
    assert response.status_code in (200, 404) and "没有这个查询码" in response.text
    token = csrf_of(citizen.get("/login").text)
    response = citizen.post("/login", data={"login": "cl\x00erk", "password": "wrong", "csrf": token})
    assert response.status_code == 400 and "登录名或密码不对" in response.text
