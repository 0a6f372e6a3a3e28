"""Written notices in the web (issue 13 §4), on SQLite and PostgreSQL: a clerk issues the notice a
step calls for from its preview, downloads it and records its delivery, each problem beside its
field; the organ edits a template with a preview and resets it; the applicant downloads their
delivered notices on the portal by tracking code, and nothing else."""

from __future__ import annotations

import io
import re
from datetime import date

from docx import Document
from fastapi.testclient import TestClient
from support.web import client_as, csrf_of, file_online, site  # noqa: F401 (the fixture)

from gongkai import clock
from gongkai.casework.requests import Extended
from gongkai.store.casefiles import find_request, take_step
from gongkai.store.db import transaction
from gongkai.store.notices import issue_notice
from gongkai.store.records import find_organ, work_calendar

REQUEST = "/organs/kj/requests/2026-0001"


def issue_sample_notice(store) -> int:
    """科技局's request 2026-0001 extended on 5 March and its 延期答复告知书 issued (not delivered):
    the notice routes' access test needs one to reach. Returns its id."""
    with transaction(store) as s:
        organ = find_organ(s, "kj")
        row = find_request(s, organ, "2026-0001")
        calendar = work_calendar(s)
        take_step(
            s,
            row,
            Extended(on=date(2026, 3, 5), days=10, approver="主任", reason="需调取档案"),
            calendar,
            actor="t",
        )
        notice = issue_notice(s, organ, row, 2, calendar, issued_on=date(2026, 3, 5), extras={}, actor="t")
        return notice.id


def _problems(html: str) -> dict[str, str]:
    return dict(re.findall(r'<span class="error" id="p-([^"]+)">([^<]*)</span>', html))


def test_a_clerk_issues_a_notice_from_its_preview_downloads_it_and_records_its_delivery(site) -> None:  # noqa: F811
    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/").text)
    assert "告知书（签发、下载、登记送达）" in clerk.get(REQUEST).text
    response = clerk.post(
        f"{REQUEST}/steps/extend",
        data={"csrf": token, "on": "2026-03-25", "days": "10", "approver": "科长赵九", "reason": ""},
    )
    assert response.status_code == 200  # the request's page after the step
    listing = clerk.get(f"{REQUEST}/notices").text
    assert "待告知：第2步 2026-03-25 延长答复期限——政府信息公开申请延期答复告知书" in listing
    preview = clerk.get(f"{REQUEST}/notices/new?step=2&on=2026-03-25&extra:延期理由=需调取档案核查").text
    assert "某某区科学技术局依申告〔2026〕×号" in preview
    assert "因需调取档案核查，本机关不能在" in preview and "答复期限延长10个工作日" in preview
    assert "赵九" not in preview
    # the reason left blank: shown beside its field, nothing issued
    response = clerk.post(f"{REQUEST}/notices", data={"csrf": token, "step": "2", "on": "2026-03-25"})
    assert response.status_code == 400
    assert _problems(response.text) == {"extra:延期理由": "请填写延期的理由"}
    response = clerk.post(
        f"{REQUEST}/notices",
        data={"csrf": token, "step": "2", "on": "2027-01-04", "extra:延期理由": "需调取档案核查"},
    )
    assert _problems(response.text) == {
        "on": "告知书的日期 2027-01-04 晚于今天（2026-07-15），只能登记已经发生的事"
    }
    assert "还没有签发告知书" in clerk.get(f"{REQUEST}/notices").text
    assert clerk.post(f"{REQUEST}/notices", data={"step": "2", "extra:延期理由": "x"}).status_code == 403
    response = clerk.post(
        f"{REQUEST}/notices",
        data={"csrf": token, "step": "2", "on": "2026-03-25", "extra:延期理由": "需调取档案核查"},
        follow_redirects=False,
    )
    assert response.status_code == 303, _problems(response.text)
    listing = clerk.get(f"{REQUEST}/notices").text
    notice_id = re.search(r"/notices/(\d+)/download/docx", listing).group(1)
    assert "某某区科学技术局依申告〔2026〕1号" in listing and "尚未送达" in listing
    document = Document(io.BytesIO(clerk.get(f"{REQUEST}/notices/{notice_id}/download/docx").content))
    text = [p.text for p in document.paragraphs]
    assert text[:3] == ["政府信息公开申请延期答复告知书", "某某区科学技术局依申告〔2026〕1号", "张三："]
    assert any("本机关将于2026年4月14日前作出答复" in p for p in text)  # 20 + 10 working days, 清明 skipped
    assert text[-2:] == ["某某区科学技术局", "2026年3月25日"]
    # delivery: a date before the notice is refused beside its field; then recorded
    delivery = f"{REQUEST}/notices/{notice_id}/delivery"
    response = clerk.post(delivery, data={"csrf": token, "channel": "post", "delivered_on": "2026-03-20"})
    assert response.status_code == 400
    assert _problems(response.text) == {"delivered_on": "送达日期不能早于告知书的日期 2026-03-25"}
    response = clerk.post(delivery, data={"csrf": token, "channel": "", "delivered_on": ""})
    assert _problems(response.text) == {"delivered_on": "请填写送达日期", "channel": "请选择送达方式"}
    clerk.post(delivery, data={"csrf": token, "channel": "post", "delivered_on": "2026-03-27"})
    assert "邮寄送达 2026-03-27" in clerk.get(f"{REQUEST}/notices").text


def test_the_organs_staff_read_its_clerks_act_and_no_one_else_sees_them(site, store) -> None:  # noqa: F811
    notice_id = issue_sample_notice(store)
    reviewer = client_as(site, "reviewer")
    assert "某某区科学技术局依申告〔2026〕1号" in reviewer.get(f"{REQUEST}/notices").text
    assert "登记送达" not in reviewer.get(f"{REQUEST}/notices").text
    assert reviewer.get(f"{REQUEST}/notices/{notice_id}/download/docx").status_code == 200
    assert reviewer.get(f"{REQUEST}/notices/new").status_code == 403
    for login, status in (("supervisor", 403), ("admin", 403), ("other-clerk", 404)):
        assert client_as(site, login).get(f"{REQUEST}/notices").status_code == status, login
    assert client_as(site, "clerk").get(f"{REQUEST}/notices/{notice_id}/download/odt").status_code == 404
    assert (
        client_as(site, "clerk")
        .get(f"/organs/wj/requests/2026-0001/notices/{notice_id}/download/docx")
        .status_code
        == 404
    )


def test_a_template_is_edited_with_a_preview_and_reset(site) -> None:  # noqa: F811
    clerk = client_as(site, "clerk")
    page = clerk.get("/organs/kj/notice-templates/correction").text
    assert "默认文本" in page and "一次性告知你需要补正的事项：请写明所需信息的项目名称。" in page
    token = csrf_of(page)
    url = "/organs/kj/notice-templates/correction"
    response = clerk.post(
        f"{url}/preview", data={"csrf": token, "text": "{{ 称谓 }}好。\n请于{{ 截止 }}前补正。"}
    )
    problem = _problems(response.text)["text"]
    assert problem.startswith("告知书模板「补正告知书」第2行：没有名为「截止」的变量。可用的变量：")
    assert "补正期限" in problem.split("可用的变量：")[1]
    response = clerk.post(
        f"{url}/preview", data={"csrf": token, "text": "{{ 称谓 }}好。\n请于{{ 补正期限 }}前补正。"}
    )
    assert "请于2026年3月18日前补正。" in response.text and "默认文本" in response.text  # nothing saved
    response = clerk.post(url, data={"csrf": token, "text": "{{ 称谓.__class__ }}"})
    assert response.status_code == 400 and "不允许" in _problems(response.text)["text"]
    response = clerk.post(
        url, data={"csrf": token, "text": "请于{{ 补正期限 }}前补正。"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert (
        "本机关文本" in clerk.get(url).text and "本机关文本" in clerk.get("/organs/kj/notice-templates").text
    )
    assert client_as(site, "reviewer").post(f"{url}/reset", data={"csrf": token}).status_code == 403
    clerk.post(f"{url}/reset", data={"csrf": token})
    assert "默认文本" in clerk.get(url).text


def test_settings_are_checked_beside_their_fields_and_used_in_the_number(site, store) -> None:  # noqa: F811
    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/organs/kj/notice-templates").text)
    response = clerk.post(
        "/organs/kj/notice-settings", data={"csrf": token, "short_name": "", "number_answer": "复{号}"}
    )
    assert response.status_code == 400 and _problems(response.text) == {
        "short_name": "请填写机关简称（文号用它开头）"
    }
    response = clerk.post(
        "/organs/kj/notice-settings",
        data={"csrf": token, "short_name": "区科技局", "number_answer": "复{号}"},
    )
    assert _problems(response.text) == {"number_answer": "文号格式须含 {年}：文号按年度编号"}
    response = clerk.post(
        "/organs/kj/notice-settings",
        data={
            "csrf": token,
            "short_name": "区科技局",
            "court": "某某区人民法院",
            "number_extension": "科延〔{年}〕{号}号",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    issue_sample_notice(store)
    assert "科延〔2026〕1号" in clerk.get(f"{REQUEST}/notices").text


def test_the_applicant_downloads_their_delivered_notices_by_tracking_code_and_nothing_else(
    site,  # noqa: F811
    store,
) -> None:
    citizen = TestClient(site)
    code = re.search(r'<strong class="code">([^<]+)</strong>', file_online(citizen).text).group(1)
    clerk = client_as(site, "clerk")
    inbox = clerk.get("/organs/kj/submissions").text
    token = csrf_of(inbox)
    item = re.search(r"/organs/kj/submissions/(\d+)/confirm", inbox).group(1)
    today = clock.today().isoformat()
    number = (
        clerk.post(
            f"/organs/kj/submissions/{item}/confirm",
            data={"csrf": token, "on": today},
            follow_redirects=False,
        )
        .headers["location"]
        .rsplit("/", 1)[1]
    )
    steps = f"/organs/kj/requests/{number}"
    clerk.post(
        f"{steps}/steps/consult_start",
        data={"csrf": token, "on": today, "party": "某某科技有限公司", "party_kind": "third_party"},
    )
    clerk.post(f"{steps}/steps/consult_end", data={"csrf": token, "on": today})
    clerk.post(
        f"{steps}/steps/answer", data={"csrf": token, "on": today, "outcome": "granted", "summary": "见附件"}
    )
    for step in (2, 4):
        response = clerk.post(
            f"{steps}/notices", data={"csrf": token, "step": str(step), "on": today}, follow_redirects=False
        )
        assert response.status_code == 303, _problems(response.text)
    listing = clerk.get(f"{steps}/notices").text
    ids = re.findall(r"/notices/(\d+)/download/docx", listing)
    consult_id, answer_id = ids
    status = citizen.get(f"/public/track?code={code}").text
    assert "送达的告知书" not in status  # issued, not yet delivered
    assert citizen.get(f"/public/track/notices/{answer_id}/download/pdf?code={code}").status_code == 404
    for notice_id in ids:  # both delivered; the letter to the third party is not the applicant's
        clerk.post(
            f"{steps}/notices/{notice_id}/delivery",
            data={"csrf": token, "channel": "online", "delivered_on": today},
        )
    status = citizen.get(f"/public/track?code={code}").text
    assert "政府信息公开申请答复书（某某区科学技术局依申复〔2026〕1号）" in status
    assert "征求第三方意见函" not in status and "某某科技有限公司" not in status
    response = citizen.get(f"/public/track/notices/{answer_id}/download/docx?code={code}")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "周八：" in text and "第三十六条第（二）项" in text and "提起行政诉讼" in text
    assert citizen.get(f"/public/track/notices/{consult_id}/download/docx?code={code}").status_code == 404
    assert citizen.get(f"/public/track/notices/{answer_id}/download/docx?code=wrong").status_code == 404
    # another applicant's notice, delivered, is not reached by this code either
    other_id = issue_sample_notice(store)
    clerk.post(
        f"{REQUEST}/notices/{other_id}/delivery",
        data={"csrf": token, "channel": "post", "delivered_on": today},
    )
    assert citizen.get(f"/public/track/notices/{other_id}/download/docx?code={code}").status_code == 404
