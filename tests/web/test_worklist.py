"""What waits for each person (issue 13 §5), on SQLite and PostgreSQL: each role's home page and
``gongkai digest`` list the same work, and a request's page offers only the steps its state allows."""

from __future__ import annotations

import json
import re
from datetime import date

from conftest import on_day
from sqlalchemy import select
from support.casefiles import registration
from support.web import client_as, csrf_of, site  # noqa: F401 (the fixture)
from typer.testing import CliRunner

from gongkai.casework.requests import CorrectionRequested, FeeNoticed
from gongkai.cli import app
from gongkai.store.casefiles import find_request, register, take_step
from gongkai.store.db import transaction
from gongkai.store.notices import issue_notice, record_delivery
from gongkai.store.portal import file_submission
from gongkai.store.records import find_organ, work_calendar
from gongkai.store.reports import open_workspace
from gongkai.store.tables import Notice, ReportRecord

TODAY = date(2026, 7, 15)


def _fill(store) -> None:
    """At kj: the site's request of 2026-03-02 (overdue by now), one due within days, one whose 补正
    period ran out, one whose fee period ran out, and a portal submission; a report submitted."""
    with transaction(store) as s:
        organ = find_organ(s, "kj")
        calendar = work_calendar(s)
        register(s, organ, registration(date(2026, 6, 22)), calendar, actor="clerk")  # due 07-20
        asked = register(s, organ, registration(date(2026, 6, 1)), calendar, actor="clerk")
        take_step(
            s,
            asked,
            CorrectionRequested(on=date(2026, 6, 2), respond_by=date(2026, 6, 30)),
            calendar,
            actor="clerk",
        )
        charged = register(s, organ, registration(date(2026, 5, 11)), calendar, actor="clerk")
        take_step(
            s,
            charged,
            FeeNoticed(
                on=date(2026, 5, 12), received_on=date(2026, 5, 12), method="per_page", quantity=50, yuan=200
            ),
            calendar,
            actor="clerk",
        )
        details = {
            "applicant_kind": "natural",
            "applicant_name": "丁",
            "applicant_id": "x",
            "applicant_contact": "y",
        }
        file_submission(s, organ, {**details, "subject": "某街道的拆迁补偿方案"})
        row = open_workspace(s, organ, 2026, actor="clerk")
        row.status = "submitted"


def test_a_clerks_home_page_lists_what_waits_for_them(site, store) -> None:  # noqa: F811
    _fill(store)
    with on_day(TODAY):
        home = client_as(site, "clerk").get("/").text
    overdue = re.search(r'id="work-overdue">(.*?)</section>', home, re.S).group(1)
    assert "申请 2026-0001 答复期限已过" in overdue
    soon = re.search(r'id="work-due_soon">(.*?)</section>', home, re.S).group(1)
    assert "2026-0002" in soon and "2026-07-20" in soon
    lapsed = re.search(r'id="work-lapsed">(.*?)</section>', home, re.S).group(1)
    assert "2026-0003 补正期限已过" in lapsed and "2026-0004 缴费期限已过" in lapsed
    assert "某街道的拆迁补偿方案" in re.search(r'id="work-submissions">(.*?)</section>', home, re.S).group(1)
    # the reviewer sees the report waiting, not the casework; the supervisor sees neither
    reviewer = client_as(site, "reviewer").get("/").text
    assert (
        "待审核的年度报告" in reviewer
        and "2026 年度报告待审核" in reviewer
        and "work-overdue" not in reviewer
    )


def test_a_notice_issued_and_not_delivered_waits_for_the_clerk(site, store) -> None:  # noqa: F811
    _fill(store)
    with transaction(store) as s:
        organ, calendar = find_organ(s, "kj"), work_calendar(s)
        row = find_request(s, organ, "2026-0003")  # its 补正 asked on 2026-06-02, step 2
        notice = issue_notice(
            s,
            organ,
            row,
            2,
            calendar,
            issued_on=date(2026, 6, 2),
            extras={"补正事项": "请写明所需文件的名称"},
            actor="clerk",
        )
        number = notice.number
    with on_day(TODAY):
        home = client_as(site, "clerk").get("/").text
        undelivered = re.search(r'id="work-undelivered">(.*?)</section>', home, re.S).group(1)
        assert number in undelivered and "申请 2026-0003" in undelivered
        with transaction(store) as s:
            record_delivery(s, s.get(Notice, notice.id), "post", date(2026, 6, 3), actor="clerk")
        assert 'id="work-undelivered"' not in client_as(site, "clerk").get("/").text


def test_the_supervisor_is_told_of_organs_without_last_years_report(site, store) -> None:  # noqa: F811
    with on_day(date(2027, 2, 1)):
        home = client_as(site, "supervisor").get("/").text
    missing = re.search(r'id="work-missing_reports">(.*?)</section>', home, re.S).group(1)
    assert "尚未发布 2026 年度报告的机关（1月31日已过，条例第四十九条）" in missing
    assert "某某区科学技术局" in missing and "某某区教育局" in missing
    assert "另一区卫生健康委员会" not in missing  # another region's organ


def test_digest_prints_each_persons_work_as_the_home_page_does(
    site,  # noqa: F811
    store,
    database_url,
    monkeypatch,
) -> None:
    _fill(store)
    monkeypatch.setenv("GONGKAI_DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["digest", "--organ", "kj", "--json", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    people = {p["login"]: p for p in map(json.loads, result.stdout.splitlines())}
    assert set(people) == {"clerk", "reviewer"}
    clerk = {w["key"]: w for w in people["clerk"]["lists"]}
    assert [t["due"] for t in clerk["due_soon"]["tasks"]] == ["2026-07-20"]
    assert len(clerk["lapsed"]["tasks"]) == 2 and clerk["submissions"]["tasks"]
    text = CliRunner().invoke(app, ["digest", "--organ", "kj", "--today", TODAY.isoformat()]).stdout
    assert "clerk（经办人，clerk）" in text and "已逾期未答复（2 项）" in text


def test_a_requests_page_offers_only_the_steps_its_state_allows(site, store) -> None:  # noqa: F811
    _fill(store)
    clerk = client_as(site, "clerk")
    awaiting = clerk.get("/organs/kj/requests/2026-0003").text
    assert "/steps/correct_received" in awaiting and "/steps/answer" not in awaiting
    assert "/steps/fee_notice" not in awaiting and "/steps/extend" not in awaiting
    charged = clerk.get("/organs/kj/requests/2026-0004").text
    assert "/steps/fee_paid" in charged and "/steps/fee_cancel" in charged and "/steps/answer" not in charged
    # the fee notice is cancelled with its reason; the answer is offered again; history names people
    token = csrf_of(charged)
    clerk.post(
        "/organs/kj/requests/2026-0004/steps/fee_cancel",
        data={"csrf": token, "on": TODAY.isoformat(), "reason": "页数计算有误"},
    )
    page = clerk.get("/organs/kj/requests/2026-0004").text
    assert "撤销收费通知：页数计算有误" in page and "/steps/answer" in page
    assert "clerk 记录" in page  # the account's name (the site names accounts by their login)
    with transaction(store) as s:
        row = find_request(s, find_organ(s, "kj"), "2026-0004")
        assert row.fee_noticed_on is None and "待缴费" not in row.status
        assert s.scalars(select(ReportRecord)).one().status == "submitted"


def test_the_register_pages_and_shows_what_was_asked(site, store) -> None:  # noqa: F811
    with transaction(store) as s:
        organ, calendar = find_organ(s, "kj"), work_calendar(s)
        for n in range(60):
            register(s, organ, registration(date(2026, 4, 1 + n % 28)), calendar, actor="clerk")
    clerk = client_as(site, "clerk")
    first = clerk.get("/organs/kj/requests?status=all").text
    assert "61 件，第 1/2 页" in first and first.count('href="/organs/kj/requests/2026-') == 50
    assert "2025年道路养护资金的使用情况" in first  # 申请内容, for the organ's staff
    second = clerk.get("/organs/kj/requests?status=all&page=2").text
    assert second.count('href="/organs/kj/requests/2026-') == 11 and "上一页" in second
    assert "申请内容" not in client_as(site, "supervisor").get("/organs/kj/requests").text
