"""The public portal (issue 6), on SQLite and PostgreSQL: an organ's catalogue and published
reports, an online request filed with its problems shown beside the fields, confirmed by the
organ (received that day, 第三十一条), followed by its tracking code; rate limits; no personal data
shown to the public."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from support.web import FORM, SECTIONS, client_as, csrf_of, file_online, site  # noqa: F401 (the fixture)

from gongkai import clock
from gongkai.web.public import FILINGS_PER_HOUR


def test_a_citizen_files_a_request_the_organ_confirms_it_and_the_citizen_follows_it(site) -> None:  # noqa: F811
    citizen = TestClient(site)
    response = file_online(citizen)
    assert response.status_code == 200 and "查询码" in response.text
    code = re.search(r'<strong class="code">([^<]+)</strong>', response.text).group(1)
    status = citizen.get(f"/public/track?code={code}").text
    assert "等待机关确认" in status and "周八" not in status
    # the organ's clerk confirms: the request is registered, received that day
    clerk = client_as(site, "clerk")
    inbox = clerk.get("/organs/kj/submissions").text
    assert "周八" in inbox and "2025年科技项目经费分配结果" in inbox
    item = re.search(r"/organs/kj/submissions/(\d+)/confirm", inbox).group(1)
    token = csrf_of(inbox)
    today = clock.today().isoformat()
    response = clerk.post(
        f"/organs/kj/submissions/{item}/confirm", data={"csrf": token, "on": today}, follow_redirects=False
    )
    assert response.status_code == 303
    number = re.fullmatch(r"/organs/kj/requests/(\d{4}-\d{4})", response.headers["location"]).group(1)
    page = clerk.get(f"/organs/kj/requests/{number}").text
    assert f"{today}（互联网渠道）" in page
    status = citizen.get(f"/public/track?code={code}").text
    assert number in status and "办理中" in status and "周八" not in status
    # the organ asks for a correction, then the applicant's answer comes and the period is extended:
    # the applicant reads each step by the code, never the approver's name
    steps = f"/organs/kj/requests/{number}/steps"
    respond_by = (clock.today() + timedelta(days=15)).isoformat()
    for step, fields in (
        ("correct_ask", {"on": today, "respond_by": respond_by, "what": "请写明项目名称"}),
        ("correct_received", {"on": today}),
        ("extend", {"on": today, "days": "10", "approver": "科长赵九", "reason": "需调取档案"}),
    ):
        response = clerk.post(f"{steps}/{step}", data={"csrf": token, **fields}, follow_redirects=False)
        assert response.status_code == 303, (step, re.findall(r"class=\"error\"[^>]*>([^<]*)", response.text))
    status = citizen.get(f"/public/track?code={code}").text
    assert f"请补正申请：请写明项目名称。请于 {respond_by} 前补正" in status
    assert "收到补正" in status and "答复期限延长 10 个工作日（条例第三十三条第二款）" in status
    assert "赵九" not in status and "需调取档案" not in status
    # the supervisor sees neither the inbox nor the applicant
    assert client_as(site, "supervisor").get("/organs/kj/submissions").status_code == 403


def test_a_submission_can_be_turned_away_with_a_reason_the_citizen_sees(site) -> None:  # noqa: F811
    code = re.search(r'<strong class="code">([^<]+)</strong>', file_online(TestClient(site)).text).group(1)
    clerk = client_as(site, "clerk")
    inbox = clerk.get("/organs/kj/submissions").text
    item = re.search(r"/organs/kj/submissions/(\d+)/reject", inbox).group(1)
    token = csrf_of(inbox)
    reject = f"/organs/kj/submissions/{item}/reject"
    assert clerk.post(reject, data={"csrf": token, "kind": "duplicate", "reason": ""}).status_code == 400
    # 条例第三十九条: a petition dressed as a request is answered and counted in table 三 （五）1, so it
    # cannot be turned away unregistered (issue 13 §3.8)
    refused = clerk.post(reject, data={"csrf": token, "kind": "petition", "reason": "属于信访事项"})
    assert refused.status_code == 400 and "应确认登记后依条例答复" in refused.text
    assert "等待机关确认" in TestClient(site).get(f"/public/track?code={code}").text
    clerk.post(reject, data={"csrf": token, "kind": "duplicate", "reason": "与 3 月 2 日提交的申请相同"})
    status = TestClient(site).get(f"/public/track?code={code}").text
    assert "未予登记" in status and "重复提交" in status and "与 3 月 2 日提交的申请相同" in status


def test_problems_are_shown_beside_their_fields_and_nothing_is_filed(site) -> None:  # noqa: F811
    citizen = TestClient(site)
    response = file_online(citizen, {**FORM, "applicant_name": " ", "subject": ""})
    assert response.status_code == 400
    assert 'id="p-applicant_name">请填写姓名或名称' in response.text
    assert 'id="p-subject">请填写所需政府信息的名称、文号或描述' in response.text
    assert "13800000000" in response.text  # what was typed is kept
    assert "周八" not in client_as(site, "clerk").get("/organs/kj/submissions").text


def test_filing_and_looking_up_are_rate_limited(site) -> None:  # noqa: F811
    citizen = TestClient(site)
    for _ in range(FILINGS_PER_HOUR):
        assert file_online(citizen).status_code == 200
    response = file_online(citizen)
    assert response.status_code == 429 and "提交过于频繁" in response.text
    assert TestClient(site).get("/public/track?code=nonexistent").status_code == 200
    assert "没有这个查询码" in TestClient(site).get("/public/track?code=nonexistent").text


def test_the_public_sees_published_reports_and_the_catalogue_only(site, store) -> None:  # noqa: F811

    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/").text)
    clerk.post("/organs/kj/reports", data={"csrf": token, "year": "2026"})
    public = TestClient(site)
    assert public.get("/public/kj/reports/2026").status_code == 404  # a draft is not public
    clerk.post("/organs/kj/reports/2026/sections", data={"csrf": token, **SECTIONS})
    with store() as s, s.begin():
        from sqlalchemy import update

        from gongkai.store.tables import ReportRecord

        s.execute(update(ReportRecord).values(status="published"))
    page = public.get("/public/kj").text
    assert "2026 年度报告" in page
    report = public.get("/public/kj/reports/2026")
    assert report.status_code == 200 and "收到和处理政府信息公开申请情况" in report.text
    assert "检查发现" not in report.text
    assert public.get("/public/kj/reports/2026/download/docx").status_code == 200
    # canonical JSON for research: the same cells as stored, no findings, a real JSON media type
    response = public.get("/public/kj/reports/2026/download/json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert 'filename="kj-2026.json"' in response.headers["content-disposition"]
    from gongkai.model.report import report_cells, report_from_json

    published = response.json()
    assert published["schema"] == "gongkai.report/1" and published["findings"] == []
    with store() as s:
        from sqlalchemy import select

        stored = s.scalars(select(ReportRecord)).one()
        assert report_cells(report_from_json(published)) == report_cells(report_from_json(stored.body))
    assert public.get("/public/kj/reports/2026/download/exe").status_code == 404
    assert public.get("/public/xq").status_code == 404  # a region has no catalogue of its own
    assert public.get("/public/nope").status_code == 404


CROCKFORD_CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}")


def test_a_tracking_code_can_be_read_out_and_typed_back_loosely_issue_13(site, store) -> None:  # noqa: F811
    citizen = TestClient(site)
    code = re.search(r'<strong class="code">([^<]+)</strong>', file_online(citizen).text).group(1)
    # one case, no look-alikes (0/O, 1/l/I), four groups of five: 100 bits, within String(32)
    assert CROCKFORD_CODE.fullmatch(code), code
    plain = code.replace("-", "")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)  # typed with a Chinese input method
    for typed in (
        code,
        plain,
        plain.lower(),
        f"  {plain[:4]} {plain[4:10]}\t{plain[10:]} ",
        code.lower().replace("0", "o").replace("1", "l"),
        code.replace("0", "O").replace("1", "I").replace("-", " - "),
        full_width,
    ):
        status = citizen.get("/public/track", params={"code": typed}).text
        assert "等待机关确认" in status, typed
    wrong = plain[:-1] + ("0" if plain[-1] != "0" else "1")
    assert "没有这个查询码" in citizen.get("/public/track", params={"code": wrong}).text
    assert "没有这个查询码" in citizen.get("/public/track", params={"code": plain[:-1]}).text
    # a code issued before (secrets.token_urlsafe(12)) still works exactly as typed, and only so
    from sqlalchemy import update

    from gongkai.store.tables import Submission

    old = "aB3_x-Yz09Kq7LmN"
    with store() as s, s.begin():
        s.execute(update(Submission).values(tracking_code=old))
    assert "等待机关确认" in citizen.get("/public/track", params={"code": f" {old} "}).text
    assert "没有这个查询码" in citizen.get("/public/track", params={"code": old.upper()}).text
    assert "没有这个查询码" in citizen.get("/public/track", params={"code": old.replace("-", "")}).text


def test_the_catalogue_is_paged_fifty_to_a_page_issue_13(site, store) -> None:  # noqa: F811
    from datetime import date

    from gongkai.store.db import transaction
    from gongkai.store.records import find_organ
    from gongkai.store.register import add_publication

    sign_offs = {"first_review": "甲", "second_review": "乙", "final_review": "丙", "secrecy_review": "丁"}
    with transaction(store) as s:
        organ = find_organ(s, "kj")
        for n in range(1, 121):  # 120 entries, 30 of them 财政资金; entry n published on day n of 2026
            add_publication(
                s,
                organ,
                title=f"第{n}条",
                category="财政资金" if n % 4 == 0 else "政策文件及解读",
                published_on=date(2026, 1, 1) + timedelta(days=n - 1),
                channels=["门户网站"],
                sign_offs=sign_offs,
                catalogue={"index_number": f"KJ-2026-{n:05d}"},
                actor="t",
            )
    public = TestClient(site)
    titles = lambda html: re.findall(r'<th scope="row">(第\d+条)</th>', html)  # noqa: E731
    organ_page = public.get("/public/kj").text
    assert "财政资金（30）" in organ_page and "政策文件及解读（90）" in organ_page
    assert titles(organ_page) == [f"第{n}条" for n in range(120, 110, -1)]  # the newest ten
    assert "查看全部 120 条" in organ_page
    first = public.get("/public/kj/catalogue").text
    assert titles(first) == [f"第{n}条" for n in range(120, 70, -1)]
    assert (
        "第 1 / 3 页，共 120 条" in first and 'href="?page=2" rel="next"' in first and "上一页" not in first
    )
    last = public.get("/public/kj/catalogue?page=3").text
    assert titles(last) == [f"第{n}条" for n in range(20, 0, -1)] and "下一页" not in last
    assert "KJ-2026-00001" in last and 'href="?page=2" rel="prev"' in last
    assert titles(public.get("/public/kj/catalogue?page=99").text) == titles(last)  # past the end
    only = public.get("/public/kj/catalogue", params={"category": "财政资金"}).text
    assert titles(only) == [f"第{n}条" for n in range(120, 0, -4)] and "第 1 / 1 页，共 30 条" in only
    assert public.get("/public/kj/catalogue?page=0").status_code == 422


def test_the_public_report_page_sits_in_the_portal_issue_13(site, store) -> None:  # noqa: F811
    """The portal's header, the way back to the organ, the downloads (each answering), the report."""
    from sqlalchemy import update

    from gongkai.store.tables import ReportRecord

    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/").text)
    clerk.post("/organs/kj/reports", data={"csrf": token, "year": "2025"})
    clerk.post("/organs/kj/reports/2025/sections", data={"csrf": token, **SECTIONS})
    with store() as s, s.begin():
        s.execute(update(ReportRecord).values(status="published"))
    public = TestClient(site)
    page = public.get("/public/kj/reports/2025").text
    assert '<header class="top">' in page and "工作人员登录" in page  # the portal's header
    assert '<a href="/public/kj">← 某某区科学技术局</a>' in page
    downloads = re.findall(r'href="(/public/kj/reports/2025/download/(\w+))"', page)
    assert [form for _, form in downloads] == ["docx", "pdf", "xlsx", "html", "json"]
    for path, form in downloads:
        if form != "pdf":  # PDF needs LibreOffice: tests/web/test_web_reports.py times it
            assert public.get(path).status_code == 200, path
    assert 'sandbox srcdoc="' in page and "收到和处理政府信息公开申请情况" in page
