"""The proactive register and the appeals in the web (issue 6), on SQLite and PostgreSQL: entries by
the organ's clerk, a 台账 imported from Excel (bad rows listed, nothing imported), reading by scope."""

from __future__ import annotations

import io
import re
from datetime import date

from openpyxl import Workbook
from support.web import client_as, csrf_of, site  # noqa: F401 (the fixture)


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_clerk_keeps_the_register_and_imports_a_ledger(site) -> None:  # noqa: F811
    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/organs/kj/register").text)
    post = lambda path, data: clerk.post(path, data={"csrf": token, **data}, follow_redirects=False)  # noqa: E731
    assert (
        post(
            "/organs/kj/register/document",
            {
                "kind": "normative",
                "title": "某某管理办法",
                "doc_number": "某科规〔2026〕1号",
                "issued_on": "2026-02-10",
            },
        ).status_code
        == 303
    )
    assert (
        post("/organs/kj/register/repeal", {"document": "某科规〔2026〕1号", "on": "2026-06-30"}).status_code
        == 303
    )
    assert (
        post(
            "/organs/kj/register/tally", {"year": "2026", "key": "licensing.decisions", "value": "120"}
        ).status_code
        == 303
    )
    response = post(
        "/organs/kj/register/tally", {"year": "2026", "key": "licensing.decisions", "value": "1.5"}
    )
    assert response.status_code == 400 and "应为整数" in response.text
    sign_offs = {"first_review": "甲", "second_review": "乙", "final_review": "丙", "secrecy_review": "丁"}
    assert (
        post(
            "/organs/kj/register/publish",
            {"title": "通知", "category": "政策文件及解读", "channels": "门户网站、政务新媒体", **sign_offs},
        ).status_code
        == 303
    )
    bad = _xlsx(
        [["类别", "文件名称", "印发日期"], ["规章", "甲规定", date(2026, 1, 5)], ["通知", "乙", "2026-13-01"]]
    )
    response = clerk.post(
        "/organs/kj/register-import",
        data={"csrf": token, "kind": "documents"},
        files=[("file", ("台账.xlsx", bad, "application/octet-stream"))],
    )
    assert response.status_code == 400 and "第 3 行" in response.text and "未导入任何一行" in response.text
    good = _xlsx([["类别", "文件名称", "印发日期"], ["规章", "甲规定", date(2026, 1, 5)]])
    response = clerk.post(
        "/organs/kj/register-import",
        data={"csrf": token, "kind": "documents"},
        files=[("file", ("台账.xlsx", good, "application/octet-stream"))],
    )
    assert response.status_code == 200 and "已从 台账.xlsx 导入 1 行" in response.text
    page = client_as(site, "supervisor").get("/organs/kj/register").text
    assert (
        "某某管理办法" in page
        and "2026-06-30" in page
        and "甲规定" in page
        and "门户网站、政务新媒体" in page
    )
    assert "登记文件" not in page  # the supervisor reads, the clerk enters


def test_a_clerk_enters_appeals_and_their_results(site) -> None:  # noqa: F811
    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/organs/kj/appeals").text)
    post = lambda path, data: clerk.post(path, data={"csrf": token, **data}, follow_redirects=False)  # noqa: E731
    assert (
        post(
            "/organs/kj/appeals/add",
            {"number": "某复〔2026〕1号", "kind": "review", "filed_on": "2026-04-01", "request": "2026-0001"},
        ).status_code
        == 303
    )
    response = post(
        "/organs/kj/appeals/decide", {"number": "某复〔2026〕1号", "result": "corrected", "on": "2026-03-01"}
    )
    assert response.status_code == 400 and "早于立案日期" in response.text
    assert (
        post(
            "/organs/kj/appeals/decide",
            {"number": "某复〔2026〕1号", "result": "corrected", "on": "2026-05-20"},
        ).status_code
        == 303
    )
    page = client_as(site, "reviewer").get("/organs/kj/appeals").text
    assert "结果纠正" in page and "2026-05-20" in page


def test_the_years_figures_show_as_entered_issue_13(site) -> None:  # noqa: F811
    """A count entered as 「99.0」 shows as 99, not 99.0; money to its last digit; a figure a report's
    JSON number could not carry exactly (more than 15 digits) is refused."""
    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/organs/kj/register").text)

    def tally(key: str, value: str):
        return clerk.post(
            "/organs/kj/register/tally",
            data={"csrf": token, "year": "2026", "key": key, "value": value},
            follow_redirects=False,
        )

    assert tally("licensing.decisions", "99.0").status_code == 303
    assert tally("fees.amount", "4166.241619").status_code == 303
    page = clerk.get("/organs/kj/register?year=2026").text
    assert "（现为 99）" in page and "99.0" not in page
    assert "（现为 4166.241619）" in page
    response = tally("fees.amount", "1234567890.123456")
    assert response.status_code == 400 and "最多 15 位有效数字" in response.text


SIGN_OFFS = {"first_review": "甲", "second_review": "乙", "final_review": "丙", "secrecy_review": "丁"}


def test_a_publication_carries_what_the_public_catalogue_shows_issue_13(site) -> None:  # noqa: F811
    """索引号, 文号, 发布机构 and the link to the document: from the clerk's form and from a 台账;
    a link that is no web address (a script) is refused, nothing logged."""
    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/organs/kj/register").text)
    entry = {
        "title": "关于印发某某管理办法的通知",
        "category": "政策文件及解读",
        "published_on": "2026-03-02",
        "channels": "门户网站",
        "index_number": "11110000MB0123456X/2026-00017",
        "doc_number": "某科发〔2026〕3号",
        "issuer": "某某区科学技术局办公室",
        "url": "https://www.example.gov.cn/kj/zcwj/202603/t20260302_17.html",
        **SIGN_OFFS,
    }
    publish = lambda data: clerk.post(  # noqa: E731
        "/organs/kj/register/publish", data={"csrf": token, **data}, follow_redirects=False
    )
    response = publish({**entry, "url": "javascript:alert(1)"})
    assert response.status_code == 400 and "链接应为以 http:// 或 https:// 开头的网址" in response.text
    assert publish(entry).status_code == 303
    ledger = _xlsx(
        [
            ["标题", "公开目录", "发布日期", "发布渠道", "初审", "复审", "终审", "保密审查", "索引号", "文号", "发布机构", "链接"],
            ["某某专项资金分配结果", "财政资金", date(2026, 4, 1), "门户网站", "甲", "乙", "丙", "丁",
             "11110000MB0123456X/2026-00018", "", "", "https://www.example.gov.cn/kj/czzj/18.html"],
        ]
    )  # fmt: skip
    response = clerk.post(
        "/organs/kj/register-import",
        data={"csrf": token, "kind": "publications"},
        files=[("file", ("台账.xlsx", ledger, "application/octet-stream"))],
    )
    assert response.status_code == 200 and "导入 1 行" in response.text
    page = clerk.get("/organs/kj/register").text
    assert "11110000MB0123456X/2026-00017" in page and "某科发〔2026〕3号" in page
    assert 'href="https://www.example.gov.cn/kj/czzj/18.html"' in page
    # the public catalogue: each entry with its 索引号, 文号, 发布机构 (the organ when none) and date
    from fastapi.testclient import TestClient

    catalogue = TestClient(site).get("/public/kj/catalogue").text
    rows = re.findall(r"<tr><td>([^<]*)</td><th scope=\"row\">(.*?)</th><td>([^<]*)</td><td>([^<]*)</td>"
                      r"<td><time[^>]*>([^<]*)</time>", catalogue)  # fmt: skip
    assert rows == [
        (
            "11110000MB0123456X/2026-00018",
            '<a href="https://www.example.gov.cn/kj/czzj/18.html" rel="noopener noreferrer">某某专项资金分配结果</a>',
            "",
            "某某区科学技术局",
            "2026-04-01",
        ),
        (
            "11110000MB0123456X/2026-00017",
            '<a href="https://www.example.gov.cn/kj/zcwj/202603/t20260302_17.html" rel="noopener noreferrer">'
            "关于印发某某管理办法的通知</a>",
            "某科发〔2026〕3号",
            "某某区科学技术局办公室",
            "2026-03-02",
        ),
    ]
