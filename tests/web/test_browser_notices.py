"""Written notices in a real browser (issue 13 §4): a citizen files a request on the portal, the
clerk confirms and answers it, issues the 答复书 from the request's page (the list loaded by htmx)
after its preview, records its delivery online, and the citizen downloads it by tracking code.
On SQLite and PostgreSQL, with the fixtures of tests/web/test_browser.py, in December as its walk is.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from playwright.sync_api import Page
from test_browser import browser, december, pytestmark, server, sign_in  # noqa: F401 (fixtures, the skip)

from gongkai import clock


def _file_online(tab: Page, base: str) -> str:
    tab.goto(f"{base}/public/demo-kj/apply")
    tab.select_option("select[name=applicant_kind]", "natural")
    tab.fill("input[name=applicant_name]", "告知书申请人")
    tab.fill("input[name=applicant_id]", "身份证 110101199001011234")
    tab.fill("input[name=applicant_contact]", "13800000000")
    tab.fill("textarea[name=subject]", "某某专项资金的分配结果")
    tab.click("button:has-text('提交申请')")
    return tab.locator("strong.code").inner_text()


def test_a_clerk_issues_and_delivers_a_notice_the_applicant_downloads(
    server: str,  # noqa: F811
    browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    citizen = browser.new_page()
    code = _file_online(citizen, server)

    clerk = browser.new_page()
    sign_in(clerk, server, "jingban")
    clerk.goto(f"{server}/organs/demo-kj/submissions")
    item = clerk.locator("section.notice", has_text="告知书申请人")
    with clerk.expect_navigation():
        item.locator("button:has-text('确认并登记')").click()
    request_page = clerk.url
    clerk.select_option("select[name=outcome]", "granted")
    clerk.fill("input[name=summary]", "见附件《分配结果》")
    with clerk.expect_navigation():
        clerk.click("button:has-text('答复')")
    # the request's page shows its notices (loaded by htmx) and offers the answer's 答复书
    clerk.wait_for_selector("#notices a.button:has-text('签发')")
    with clerk.expect_navigation():
        clerk.click("#notices a.button:has-text('签发')")
    assert "×号" in clerk.locator("article.letter .letter-number").inner_text()  # numbered on issuing
    assert "见附件《分配结果》" in clerk.locator("article.letter").inner_text()
    clerk.fill("textarea[name='extra:说明']", "见附件《分配结果》（共3页）")
    with clerk.expect_navigation():
        clerk.click("button:has-text('预览')")
    assert "（共3页）" in clerk.locator("article.letter").inner_text()
    with clerk.expect_navigation():
        clerk.click("button:has-text('签发（编定文号）')")
    number = clerk.locator("#notices-list tbody td").first.inner_text()
    assert "依申复〔" in number and "尚未送达" in clerk.content()
    # not delivered yet: the applicant sees nothing to download
    citizen.goto(f"{server}/public/track?code={code}")
    assert "送达的告知书" not in citizen.content()
    clerk.select_option("#notices-list select[name=channel]", "online")
    with clerk.expect_navigation():
        clerk.click("#notices-list button:has-text('登记送达')")
    assert f"网上送达 {clock.today().isoformat()}" in clerk.content()
    clerk.goto(request_page)
    clerk.wait_for_selector(f"#notices :text('{number}')")

    citizen.goto(f"{server}/public/track?code={code}")
    assert number in citizen.content()
    with citizen.expect_download() as caught:
        citizen.click("text=DOCX")
    saved = tmp_path / "notice.docx"
    caught.value.save_as(saved)
    paragraphs = [p.text for p in Document(str(saved)).paragraphs]
    assert paragraphs[:3] == ["政府信息公开申请答复书", number, "告知书申请人："]
    assert any("本机关予以公开：见附件《分配结果》（共3页）。" in p for p in paragraphs)
    assert any("提起行政诉讼" in p for p in paragraphs)
    for page in (citizen, clerk):
        page.close()
