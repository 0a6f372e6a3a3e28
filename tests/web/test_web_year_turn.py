"""The date-sensitive flows on the days around the turn of the year (issue 13 §1, §2), on SQLite and
PostgreSQL: December before next year's calendar is entered, the last day of the year, the first
working day of a year nobody has entered, and a day in the middle of a year. A clerk registers and
steps a request and a citizen's online request is confirmed on each; the administrator enters next
year from the notice in the web, and every 待定 date is computed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from conftest import DATA, TURN_OF_YEAR_DAYS, on_day
from fastapi.testclient import TestClient
from sqlalchemy import select
from support.web import client_as, csrf_of, file_online, site  # noqa: F401 (the fixture)

from gongkai.store.db import transaction
from gongkai.store.records import find_organ
from gongkai.store.tables import AuditEntry, Request, Submission

NOTICE_2027 = (DATA / "notices" / "2027-fictional.txt").read_text("utf-8")
PENDING_2027 = "待定（2027 年放假安排未录入）"


def _register_today(clerk: TestClient, today: date) -> str:
    token = csrf_of(clerk.get("/organs/kj/requests/new").text)
    response = clerk.post(
        "/organs/kj/requests",
        data={
            "csrf": token,
            "channel": "in_person",
            "arrived": f"{today.isoformat()}T09:30",
            "applicant_kind": "natural",
            "applicant_name": "年末申请人",
            "subject": "某项目的立项批复",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, re.findall(r'class="error"[^>]*>([^<]*)', response.text)
    return response.headers["location"]


def _step(clerk: TestClient, page: str, step: str, **fields: str) -> None:
    token = csrf_of(clerk.get(page).text)
    response = clerk.post(f"{page}/steps/{step}", data={"csrf": token, **fields}, follow_redirects=False)
    assert response.status_code == 303, (step, re.findall(r'class="error"[^>]*>([^<]*)', response.text))


@pytest.mark.parametrize("today", TURN_OF_YEAR_DAYS, ids=str)
def test_a_clerk_registers_and_steps_a_request_on_any_day(site, today: date) -> None:  # noqa: F811
    with on_day(today):
        clerk = client_as(site, "clerk")
        page = _register_today(clerk, today)
        shown = clerk.get(page).text
        reaches_2027 = today.year == 2027 or today >= date(2026, 12, 1)
        if reaches_2027:
            assert PENDING_2027 in shown and "由管理员在「放假安排」页录入" in shown
        else:
            assert "待定" not in shown and "条例第三十三条第二款" in shown
        # 补正 within 7 working days, then the corrected request, then an extension: never refused for
        # a deadline in a year nobody has entered
        _step(clerk, page, "correct_ask", on=today.isoformat(), respond_by="2027-02-26", what="写明文件名称")
        _step(clerk, page, "correct_received", on=today.isoformat())
        _step(clerk, page, "extend", on=today.isoformat(), days="10", approver="科长", reason="需调档")
        listing = clerk.get("/organs/kj/requests").text
        assert (PENDING_2027 in listing) == reaches_2027


@pytest.mark.parametrize("today", TURN_OF_YEAR_DAYS, ids=str)
def test_an_online_request_is_confirmed_and_followed_on_any_day(site, today: date) -> None:  # noqa: F811
    with on_day(today):
        citizen = TestClient(site)
        code = re.search(r'<strong class="code">([^<]+)</strong>', file_online(citizen).text).group(1)
        clerk = client_as(site, "clerk")
        inbox = clerk.get("/organs/kj/submissions").text
        item = re.search(r"/organs/kj/submissions/(\d+)/confirm", inbox).group(1)
        response = clerk.post(
            f"/organs/kj/submissions/{item}/confirm",
            data={"csrf": csrf_of(inbox), "on": today.isoformat()},
            follow_redirects=False,
        )
        assert response.status_code == 303
        status = citizen.get(f"/public/track?code={code}").text
        assert f"<dd>{today.isoformat()}</dd>" in status  # 提交日期, in Beijing time
        if today.year == 2027 or today >= date(2026, 12, 1):
            assert "待定：期限进入 2027 年" in status
        else:
            assert "待定" not in status and "答复期限" in status


def test_a_filing_at_half_past_eleven_beijing_time_arrives_that_day(site, store) -> None:  # noqa: F811
    with on_day(date(2026, 12, 7)):
        code = re.search(r'<strong class="code">([^<]+)</strong>', file_online(TestClient(site)).text).group(
            1
        )
        with transaction(store) as s:
            item = s.scalars(select(Submission)).one()
            item.submitted_at = datetime(2026, 12, 6, 15, 30, tzinfo=UTC)  # 23:30 in Beijing
        assert "<dd>2026-12-06</dd>" in TestClient(site).get(f"/public/track?code={code}").text
        clerk = client_as(site, "clerk")
        inbox = clerk.get("/organs/kj/submissions").text
        assert "2026-12-06 23:30" in inbox
        item_id = re.search(r"/organs/kj/submissions/(\d+)/confirm", inbox).group(1)
        clerk.post(
            f"/organs/kj/submissions/{item_id}/confirm", data={"csrf": csrf_of(inbox), "on": "2026-12-07"}
        )
        with transaction(store) as s:
            row = s.scalars(select(Request).where(Request.applicant_name == "周八")).one()
            assert row.arrived_at == datetime(2026, 12, 6, 23, 30) and row.received_on == date(2026, 12, 7)


def test_from_november_the_home_pages_say_next_year_is_missing(site) -> None:  # noqa: F811
    with on_day(date(2026, 10, 30)):
        assert 'id="missing-year"' not in client_as(site, "admin").get("/").text
    with on_day(date(2026, 11, 2)):
        admin_home = client_as(site, "admin").get("/").text
        assert "2027 年的节假日安排尚未录入" in admin_home and 'href="/admin/calendar"' in admin_home
        clerk_home = client_as(site, "clerk").get("/").text
        assert "2027 年的节假日安排尚未录入" in clerk_home and "请管理员录入" in clerk_home
        assert 'id="missing-year"' not in client_as(site, "supervisor").get("/").text


def test_the_administrator_enters_next_year_from_the_notice_and_pending_dates_are_computed(
    site,  # noqa: F811
    store,
) -> None:
    with on_day(date(2026, 12, 7)):
        clerk = client_as(site, "clerk")
        page = _register_today(clerk, date(2026, 12, 7))
        assert PENDING_2027 in clerk.get(page).text
        admin = client_as(site, "admin")
        calendar_page = admin.get("/admin/calendar").text
        assert "某某区科学技术局" in calendar_page and "2027" in calendar_page  # waiting for 2027
        token = csrf_of(calendar_page)
        # a notice that leaves out holidays is read and shown, but not entered without saying so
        partial = (
            "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n"
        )
        preview = admin.post("/admin/calendar/preview", data={"csrf": token, "text": partial}).text
        assert "缺少：春节、清明节" in preview and " disabled>确认录入 2027 年</button>" in preview
        # a day count that disagrees with the notice's 「共N天」 is named, nothing stored
        wrong = NOTICE_2027.replace("共8天", "共7天")
        refused = admin.post("/admin/calendar/preview", data={"csrf": token, "text": wrong})
        assert refused.status_code == 400 and "共 8 天" in refused.text
        preview = admin.post(
            "/admin/calendar/preview",
            files={"file": ("2027.txt", NOTICE_2027.encode("utf-8"), "text/plain")},
            data={"csrf": token},
        ).text
        assert re.search(r"春节</th><td[^>]*>2027-02-05</td><td[^>]*>2027-02-12</td><td[^>]*>8 天", preview)
        assert "2027-02-14" in preview and "确认录入 2027 年" in preview
        text = re.search(r'name="text" value="([^"]*)"', preview, re.S).group(1)
        import html

        response = admin.post(
            "/admin/calendar", data={"csrf": token, "text": html.unescape(text)}, follow_redirects=False
        )
        assert response.status_code == 303 and "entered=2027" in response.headers["location"]
        assert "重新计算了 1 件在办申请的期限" in admin.get(response.headers["location"]).text
        shown = clerk.get(page).text
        assert "待定" not in shown and "2027-01-" in shown
        with transaction(store) as s:
            organ = find_organ(s, "kj")
            row = s.scalars(
                select(Request).where(Request.organ_id == organ.id, Request.received_on == date(2026, 12, 7))
            ).one()
            assert row.answer_due_pending_year is None and row.answer_due is not None
            entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "calendar_year")).one()
            assert entry.actor == "admin" and entry.after["holidays"]["2027-02-05"] == "春节"
        assert 'id="missing-year"' not in client_as(site, "admin").get("/").text
