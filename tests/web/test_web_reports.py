"""The report workspace (issue 6), on SQLite and PostgreSQL: the year's report computed from the
records, its sections written, its findings shown, reviewed by 审核人 and signed by 审签人 with
comments; every role held to its step; downloads in every form read back as the same report."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import SUITE_DAY, on_day
from sqlalchemy import select
from support.web import SECTIONS, client_as, csrf_of, site  # noqa: F401 (the fixture)

from gongkai.checks import report_to_findings
from gongkai.model.report import report_cells, report_from_json
from gongkai.readers import read_bytes
from gongkai.store.accounts import add_user
from gongkai.store.db import transaction
from gongkai.store.tables import AuditEntry, ReportRecord


@pytest.fixture
def staff(site, store):  # noqa: F811
    with transaction(store) as s:
        add_user(s, "approver", "审签人", "approver", "correct horse battery", organ="kj", actor="t")
    return site


def post(client, path: str, data: dict | None = None, **kwargs):
    token = csrf_of(client.get("/").text)
    return client.post(path, data={"csrf": token, **(data or {})}, follow_redirects=False, **kwargs)


@pytest.mark.office  # publishing renders the PDF
def test_a_report_is_drafted_written_reviewed_signed_and_published(staff, store) -> None:
    clerk, reviewer, approver = (client_as(staff, who) for who in ("clerk", "reviewer", "approver"))
    assert post(clerk, "/organs/kj/reports", {"year": "2026"}).status_code == 303
    page = clerk.get("/organs/kj/reports/2026").text
    assert "草稿" in page and "SEC-" in page  # sections still to write
    assert "新收政府信息公开申请1件" in page  # the drafted sentence of section 一
    # not submittable with errors
    response = post(clerk, "/organs/kj/reports/2026/moves/submit")
    assert response.status_code == 400 and "还有错误级问题" in response.text
    # fill the sections (keeping the computed sentences of 一 and 六 is the clerk's choice)
    assert post(clerk, "/organs/kj/reports/2026/sections", SECTIONS).status_code == 303
    page = clerk.get("/organs/kj/reports/2026").text
    assert "错误</td>" not in page
    # each step by its role only
    assert post(reviewer, "/organs/kj/reports/2026/moves/submit").status_code == 400
    assert post(clerk, "/organs/kj/reports/2026/moves/submit").status_code == 303
    response = post(clerk, "/organs/kj/reports/2026/sections", SECTIONS)
    assert response.status_code == 400 and "只有草稿可以修改" in response.text  # in review: frozen
    response = post(reviewer, "/organs/kj/reports/2026/moves/return_review")
    assert response.status_code == 400 and "写明退回意见" in response.text
    assert (
        post(
            reviewer, "/organs/kj/reports/2026/moves/return_review", {"comment": "第五部分请写具体措施"}
        ).status_code
        == 303
    )
    assert post(clerk, "/organs/kj/reports/2026/moves/submit").status_code == 303
    assert post(reviewer, "/organs/kj/reports/2026/moves/approve").status_code == 303
    assert post(approver, "/organs/kj/reports/2026/moves/approve").status_code == 400
    # the year's report is published from 1 January of the next year (issue 13)
    page = approver.get("/organs/kj/reports/2026").text
    assert "2026 年度报告最早于 2027-01-01 发布" in page and 'disabled aria-describedby="too-early"' in page
    for day in (SUITE_DAY, date(2026, 12, 31)):
        with on_day(day):
            response = post(approver, "/organs/kj/reports/2026/moves/publish", {"comment": "同意发布"})
            assert response.status_code == 400 and "2026 年度报告最早于 2027-01-01 发布" in response.text
    with on_day(date(2027, 1, 1)):
        assert "too-early" not in approver.get("/organs/kj/reports/2026").text
        response = post(approver, "/organs/kj/reports/2026/moves/publish", {"comment": "同意发布"})
        assert response.status_code == 303
    page = approver.get("/organs/kj/reports/2026").text
    assert "已发布" in page and "第五部分请写具体措施" in page and "同意发布" in page
    with transaction(store) as s:
        row = s.scalars(select(ReportRecord)).one()
        assert row.status == "published" and row.published_at is not None
        moves = s.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "report").order_by(AuditEntry.id)
        ).all()
        assert moves == ["create", "edit sections", "submit", "return_review", "submit", "approve", "publish"]


def test_only_a_draft_is_edited_and_only_by_the_organs_clerk(staff) -> None:
    clerk = client_as(staff, "clerk")
    post(clerk, "/organs/kj/reports", {"year": "2026"})
    for login, status in (("reviewer", 403), ("supervisor", 403), ("other-clerk", 404), ("admin", 403)):
        client = client_as(staff, login)
        assert post(client, "/organs/kj/reports/2026/sections", SECTIONS).status_code == status, login
        assert post(client, "/organs/kj/reports/2026/recompute").status_code == status, login
    assert post(client_as(staff, "supervisor"), "/organs/kj/reports", {"year": "2025"}).status_code == 403
    # a supervisor of the region reads it; one of another region does not see it
    assert client_as(staff, "supervisor").get("/organs/kj/reports/2026").status_code == 200
    assert client_as(staff, "far-supervisor").get("/organs/kj/reports/2026").status_code == 404


def test_live_findings_follow_the_text_being_typed_and_store_nothing(staff, store) -> None:
    clerk = client_as(staff, "clerk")
    post(clerk, "/organs/kj/reports", {"year": "2026"})
    assert post(clerk, "/organs/kj/reports/2026/sections", SECTIONS).status_code == 303
    with transaction(store) as s:
        version = s.scalars(select(ReportRecord.version)).one()

    # the fragment alone (no page around it): the findings of the text as typed, and the preview
    def rules(html: str) -> list[str]:
        return re.findall(r"<td>([A-Z0-9]+(?:-[A-Z0-9]+)+)</td>", html)

    saved = rules(clerk.get("/organs/kj/reports/2026").text)
    assert "SEC-SIX" not in saved
    response = post(clerk, "/organs/kj/reports/2026/findings", {**SECTIONS, "problems": ""})
    assert response.status_code == 200 and "<html" not in response.text
    assert "尚未保存" in response.text and "SEC-SIX" in rules(response.text)  # 五 missing
    assert 'id="preview"' in response.text and 'hx-swap-oob="true"' in response.text
    assert re.search(
        r'id="live-summary"[^>]*>按正在编辑的正文检查（尚未保存）：错误 [1-9]\d* 条', response.text
    )
    # the text as saved gives the saved report's findings, rule for rule
    assert rules(post(clerk, "/organs/kj/reports/2026/findings", SECTIONS).text) == saved
    response = post(clerk, "/organs/kj/reports/2026/findings", {"problems": "字" * 20001})
    assert response.status_code == 200 and "每部分不超过" in response.text
    with transaction(store) as s:  # nothing was stored
        assert s.scalars(select(ReportRecord.version)).one() == version
        report = s.scalars(select(ReportRecord)).one()
        assert report.body["sections"]["problems"] == SECTIONS["problems"]
    # the page's editor posts there as the clerk types
    page = clerk.get("/organs/kj/reports/2026").text
    assert 'hx-post="/organs/kj/reports/2026/findings"' in page and "htmx.min.js" in page


def test_recomputing_keeps_the_text_written(staff) -> None:
    clerk = client_as(staff, "clerk")
    post(clerk, "/organs/kj/reports", {"year": "2026"})
    post(clerk, "/organs/kj/reports/2026/sections", {**SECTIONS, "problems": "自己写的第五部分。"})
    assert post(clerk, "/organs/kj/reports/2026/recompute").status_code == 303
    assert "自己写的第五部分。" in clerk.get("/organs/kj/reports/2026").text


@pytest.mark.parametrize("form", ["docx", "html", "md", "xlsx"])
def test_downloads_read_back_as_the_same_report(staff, form: str) -> None:
    clerk = client_as(staff, "clerk")
    post(clerk, "/organs/kj/reports", {"year": "2026"})
    post(clerk, "/organs/kj/reports/2026/sections", SECTIONS)
    response = clerk.get(f"/organs/kj/reports/2026/download/{form}")
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith(f'kj-2026.{form}"')
    read = read_bytes(response.content, f"kj-2026.{form}").report
    data = clerk.get("/api/organs/kj/requests").json()
    assert read.requests.new.total == len(data) == 1
    assert report_cells(read)["requests.new.natural"] == 1


def test_the_api_gives_a_report_as_canonical_json_with_its_findings(staff, store) -> None:
    clerk = client_as(staff, "clerk")
    post(clerk, "/organs/kj/reports", {"year": "2026"})
    listed = clerk.get("/api/organs/kj/reports").json()
    assert [(r["year"], r["status"], r["source"]) for r in listed] == [(2026, "draft", "workspace")]
    assert listed[0]["errors"] > 0  # its sections are still to write
    body = clerk.get("/api/organs/kj/reports/2026").json()
    assert body["schema"] == "gongkai.report/1" and body["format"] == "2021"
    assert {f["rule"] for f in body["findings"]} >= {"SEC-SIX"}
    with transaction(store) as s:
        stored = s.scalars(select(ReportRecord)).one()
        assert report_cells(report_from_json(body)) == report_cells(report_from_json(stored.body))
    supervisor, far = client_as(staff, "supervisor"), client_as(staff, "far-supervisor")
    assert supervisor.get("/api/organs/kj/reports/2026").status_code == 200
    assert far.get("/api/organs/kj/reports/2026").status_code == 404
    assert clerk.get("/api/organs/kj/reports/2019").status_code == 404


def _publish_2026(staff) -> None:
    clerk, reviewer, approver = (client_as(staff, who) for who in ("clerk", "reviewer", "approver"))
    post(clerk, "/organs/kj/reports", {"year": "2026"})
    post(clerk, "/organs/kj/reports/2026/sections", SECTIONS)
    assert post(clerk, "/organs/kj/reports/2026/moves/submit").status_code == 303
    assert post(reviewer, "/organs/kj/reports/2026/moves/approve").status_code == 303
    with on_day(date(2027, 1, 4)):
        assert post(approver, "/organs/kj/reports/2026/moves/publish").status_code == 303


@pytest.mark.office
def test_a_published_reports_docx_and_pdf_are_rendered_once_issue_13(staff, store, monkeypatch) -> None:
    """Rendered when the report is published and kept; every download hands out the kept file."""
    import shutil
    import time

    from fastapi.testclient import TestClient

    from gongkai.store.tables import ReportFile

    _publish_2026(staff)
    with transaction(store) as s:
        kept = {f.form: (f.version, f.data) for f in s.scalars(select(ReportFile))}
        version = s.scalars(select(ReportRecord.version)).one()
    assert kept.keys() == ({"docx", "pdf"} if shutil.which("soffice") else {"docx"})
    assert kept["docx"][1].startswith(b"PK") and all(v == version for v, _ in kept.values())

    def no_rendering(*_args, **_kwargs):
        raise AssertionError("rendered again on download")

    monkeypatch.setattr("gongkai.store.renderings.render", no_rendering)
    public, clerk = TestClient(staff), client_as(staff, "clerk")
    for form, (_, data) in kept.items():
        started = time.perf_counter()
        response = public.get(f"/public/kj/reports/2026/download/{form}")
        assert response.status_code == 200 and response.content == data
        assert time.perf_counter() - started < 1.0, form  # rendering a PDF takes seconds
        assert clerk.get(f"/organs/kj/reports/2026/download/{form}").content == data


def test_a_report_published_again_is_rendered_again_issue_13(staff, store, monkeypatch) -> None:
    """An uploaded report is rendered at its first download and kept; uploaded again (a new
    version), it is rendered again."""
    from conftest import clean_report_2021
    from fastapi.testclient import TestClient
    from support.web import upload

    from gongkai.store import renderings
    from gongkai.writers import render

    rendered = []

    def counting(report, form, findings=None):
        rendered.append((report.agency, form))
        return render(report, form, findings)

    monkeypatch.setattr(renderings, "render", counting)
    supervisor, public = client_as(staff, "supervisor"), TestClient(staff)
    first = clean_report_2021().model_copy(update={"agency": "某某区科学技术局"})
    upload(supervisor, [("kj-2024.md", render(first, "md", report_to_findings(first)))], "kj")
    one = public.get("/public/kj/reports/2024/download/docx").content
    assert public.get("/public/kj/reports/2024/download/docx").content == one
    assert rendered == [("某某区科学技术局", "docx")]  # once, then kept
    again = first.model_copy(update={"agency": "某某区科学技术局直属分局"})
    upload(supervisor, [("kj-2024.md", render(again, "md", report_to_findings(again)))], "kj")
    two = public.get("/public/kj/reports/2024/download/docx").content
    assert two != one and public.get("/public/kj/reports/2024/download/docx").content == two
    assert rendered == [("某某区科学技术局", "docx"), ("某某区科学技术局直属分局", "docx")]
