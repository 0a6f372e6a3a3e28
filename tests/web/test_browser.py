"""Each role's main path in a real browser (issue 6): Playwright driving Debian's Chromium against
the app served on loopback, with the demo data on a SQLite file and on a PostgreSQL schema. Screenshots of each path are kept
in the test's temporary folder (printed with -s) to be looked at.

Skips with the reason when Chromium or Playwright is missing (``make test`` installs both).
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import DATA, clean_report_2021, fresh_database, on_day

from gongkai import clock
from gongkai.demo import DEMO_PASSWORD, make_demo
from gongkai.store.db import transaction
from gongkai.web.app import create_app
from gongkai.web.settings import WebSettings
from gongkai.writers import render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
try:
    from playwright.sync_api import Page, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None or sync_playwright is None,
        reason="Chromium or Playwright not found: apt install chromium; pip install playwright (make test does both)",
    ),
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),  # one worker starts Chromium, not each of them
]
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


# The walk happens in December, before next year's holidays are entered (issue 13): a request
# registered now has its answer date 待定 until the administrator enters 2027 from the notice.
WALK_DAY = date(2026, 12, 7)
NOTICE_2027 = (DATA / "notices" / "2027-fictional.txt").read_text("utf-8")


@pytest.fixture(scope="module", autouse=True)
def december() -> Iterator[date]:
    """Today, for the app served in this process and for the demo it serves."""
    with on_day(WALK_DAY):
        yield WALK_DAY


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory, postgres_unavailable) -> Iterator[str]:
    """The app on a free loopback port, on a SQLite file or a PostgreSQL schema with the demo data."""
    with fresh_database(request.param, tmp_path_factory.mktemp("web"), postgres_unavailable) as url:
        yield from _serve(url, tmp_path_factory.mktemp("home"))


def _serve(url: str, folder: Path) -> Iterator[str]:
    import uvicorn

    from gongkai.store.db import open_store

    sessions = open_store(url)
    with transaction(sessions) as s:
        make_demo(s, year=clock.today().year)
    sessions.kw["bind"].dispose()
    app = create_app(WebSettings(url, folder, "browser-test-secret-" + "y" * 32))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    app.state.sessions.kw["bind"].dispose()  # before the schema is dropped


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def tab(browser, tmp_path: Path) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    opened.screenshot(path=str(tmp_path / "last.png"), full_page=True)
    print(f"\nscreenshot: {tmp_path / 'last.png'}")
    context.close()


def sign_in(tab: Page, base: str, login: str) -> None:
    tab.goto(f"{base}/login")
    tab.fill("input[name=login]", login)
    tab.fill("input[name=password]", DEMO_PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{base}/")


def test_a_clerk_registers_and_answers_a_request(server: str, tab: Page) -> None:
    sign_in(tab, server, "jingban")
    tab.click("text=申请登记簿 >> nth=0")
    tab.click("text=登记新申请")
    tab.select_option("select[name=channel]", "in_person")
    tab.fill("input[name=arrived]", f"{clock.today().isoformat()}T09:30")
    tab.select_option("select[name=applicant_kind]", "natural")
    tab.fill("input[name=applicant_name]", "浏览器测试申请人")
    tab.fill("textarea[name=subject]", "某某项目的环评批复")
    tab.click("button:has-text('登记')")
    assert re.search(r"/requests/\d{4}-\d{4}$", tab.url)
    assert "条例第三十三条第二款" in tab.locator("ul.deadlines").inner_text()
    # registered in December: the 20 working days reach 2027, which nobody has entered yet
    assert "待定（2027 年放假安排未录入）" in tab.locator("ul.deadlines").inner_text()
    tab.select_option("select[name=outcome]", "granted")
    tab.click("button:has-text('答复')")
    assert "已办结：（一）予以公开" in tab.content()


def test_an_administrator_enters_next_year_from_the_notice(server: str, tab: Page) -> None:
    """From 1 November the home page says next year is missing; the notice pasted into the calendar
    page is read, its days shown for checking, and confirmed: the 待定 answer dates are computed."""
    sign_in(tab, server, "admin")
    assert "2027 年的节假日安排尚未录入" in tab.locator("#missing-year").inner_text()
    tab.click("#missing-year a")
    tab.fill("textarea[name=text]", NOTICE_2027)
    with tab.expect_navigation():
        tab.click("button:has-text('读取并核对')")
    spring = tab.locator("tr:has(th:text-is('春节'))").inner_text()
    assert "2027-02-05" in spring and "2027-02-12" in spring and "8 天" in spring
    with tab.expect_navigation():
        tab.click("button:has-text('确认录入 2027 年')")
    entered = tab.locator("p.notice").inner_text()
    assert re.search(r"已录入 2027 年的放假安排，重新计算了 [1-9]\d* 件在办申请的期限", entered), entered
    assert "没有答复期限待定的申请" in tab.content()
    tab.goto(f"{server}/")
    assert tab.locator("#missing-year").count() == 0


@pytest.mark.office  # publishing renders the PDF
def test_a_report_is_written_reviewed_signed_and_published(server: str, browser) -> None:
    year = clock.today().year
    clerk = browser.new_page()
    sign_in(clerk, server, "jingban")
    clerk.goto(f"{server}/organs/demo-kj/reports")
    clerk.fill("input[name=year]", str(year))
    with clerk.expect_navigation():
        clerk.click("button:has-text('起草')")
    texts = {
        "overview": clerk.input_value("textarea[name=overview]")
        + "（三）政府信息管理：落实保密审查。（四）政府信息公开平台建设：完善门户网站专栏。（五）监督保障：开展社会评议。",
        "active": "见下表。",
        "requests": "见下表。",
        "appeals": "见下表。",
        "problems": "存在信息更新不够及时的问题。下一步将加强审核，改进发布流程。",
    }
    for key, text in texts.items():
        clerk.fill(f"textarea[name={key}]", text)
    with clerk.expect_navigation():
        clerk.click("button:has-text('保存正文')")
    with clerk.expect_navigation():
        clerk.click("button:has-text('提交审核')")
    assert "待审核" in clerk.content(), clerk.locator(".error").all_inner_texts()
    for login, button in (("shenhe", "审核通过"), ("shenqian", "审签发布")):
        # a year's report is published from 1 January of the next year (the signer signs then)
        with on_day(date(year + 1, 1, 4) if login == "shenqian" else WALK_DAY):
            page = browser.new_page()
            sign_in(page, server, login)
            page.goto(f"{server}/organs/demo-kj/reports/{year}")
            with page.expect_navigation():
                page.click(f"button:has-text('{button}')")
            page.close()
    public = browser.new_page()
    public.goto(f"{server}/public/demo-kj")
    public.click(f"text={year} 年度报告")
    assert "收到和处理政府信息公开申请情况" in public.content()
    for page in (clerk, public):
        page.close()


def test_a_supervisor_uploads_a_report_and_sees_its_findings(server: str, tab: Page, tmp_path: Path) -> None:
    report = clean_report_2021(**{"requests.new.natural": 9}).model_copy(update={"agency": "示范区教育局"})
    path = tmp_path / "jy-2024.html"
    path.write_bytes(render(report, "html", findings=[]))
    sign_in(tab, server, "jiandu")
    tab.click("text=监督台")
    tab.set_input_files("input[name=files]", str(path))
    tab.click("button:has-text('上传并检查')")
    assert "已归入 示范区教育局 2024 年度" in tab.content()
    tab.goto(f"{server}/console?year=2024")
    assert "T3-BALANCE" in tab.content()
    # the charts are drawn by the ECharts the project ships: each has its canvas
    for chart in ("kind", "outcome", "trend", "corrected"):
        tab.wait_for_selector(f"#chart-{chart} canvas")


def test_a_citizen_files_a_request_and_follows_it(server: str, tab: Page) -> None:
    tab.goto(f"{server}/public")
    tab.click("text=示范区科学技术局")
    tab.click("text=提出政府信息公开申请")
    tab.click("button:has-text('提交申请')")  # empty: each problem beside its field
    assert tab.locator("#p-applicant_name").inner_text() == "请填写姓名或名称"
    tab.select_option("select[name=applicant_kind]", "natural")
    tab.fill("input[name=applicant_name]", "网上申请人")
    tab.fill("input[name=applicant_id]", "身份证 110101199001011234")
    tab.fill("input[name=applicant_contact]", "13800000000")
    tab.fill("textarea[name=subject]", "某某政策的解读材料")
    tab.click("button:has-text('提交申请')")
    code = tab.locator("strong.code").inner_text()
    tab.click("text=查询办理情况")
    assert "等待机关确认" in tab.content() and code in tab.url


def test_an_administrator_adds_an_organ_and_its_clerk(server: str, tab: Page) -> None:
    sign_in(tab, server, "admin")
    tab.click("text=机关管理")
    tab.fill("#add-organ input[name=code]", "demo-sj")
    tab.fill("#add-organ input[name=name]", "示范区审计局")
    tab.select_option("select[name=parent]", "demo-qu")
    with tab.expect_navigation():
        tab.click("#add-organ button")
    assert tab.locator("#organ-demo-sj").count() == 1
    tab.click("text=账号管理")
    tab.fill("input[name=login]", "shenji")
    tab.fill("input[name=name]", "审计局经办人")
    tab.select_option("select[name=role]", "clerk")
    tab.select_option("select[name=organ]", "demo-sj")
    tab.fill("input[name=password]", "short")
    tab.click("button:has-text('新建')")  # too short: the problem beside the field, the rest kept
    assert "至少 10 个字符" in tab.locator("#p-password").inner_text()
    assert tab.input_value("input[name=name]") == "审计局经办人"
    tab.fill("input[name=password]", DEMO_PASSWORD)
    with tab.expect_navigation():
        tab.click("button:has-text('新建')")
    assert tab.url.endswith("/admin/users/shenji")
    tab.click("button:has-text('退出')")
    sign_in(tab, server, "shenji")
    assert "示范区审计局" in tab.content() and "示范区科学技术局" not in tab.content()


def test_the_workspace_checks_as_the_clerk_types_and_the_register_filters_in_place(
    server: str, tab: Page
) -> None:
    """Partial updates (htmx): the findings follow the text being typed, unsaved; the register's
    filters replace its table without loading the page again."""
    year = clock.today().year - 2  # the demo publishes last year's report; this year's is drafted above
    sign_in(tab, server, "jingban")
    tab.goto(f"{server}/organs/demo-kj/reports")
    tab.fill("input[name=year]", str(year))
    with tab.expect_navigation():
        tab.click("button:has-text('起草')")
    workspace = tab.url
    tab.evaluate("window.stillHere = true")  # gone if the page were loaded again
    assert "缺少第五部分" in tab.locator("#findings").inner_text()  # not written yet
    tab.fill("textarea[name=problems]", "存在信息更新不够及时的问题。下一步将加强审核，改进发布流程。")
    tab.wait_for_selector("#findings :text('尚未保存')")
    assert "缺少第五部分" not in tab.locator("#findings").inner_text()
    assert tab.evaluate("window.stillHere") is True and tab.url == workspace
    tab.reload()
    assert "缺少第五部分" in tab.locator("#findings").inner_text()  # nothing typed was stored

    tab.goto(f"{server}/organs/demo-kj/requests")
    before = tab.locator("#register-rows caption").inner_text()
    tab.evaluate("window.stillHere = true")
    tab.select_option("select[name=status]", "concluded")
    # a locator waits without evaluating a string, which the pages' policy forbids ('unsafe-eval')
    from playwright.sync_api import expect

    expect(tab.locator("#register-rows caption")).not_to_have_text(before)
    assert "status=concluded" in tab.evaluate("location.href")  # the filtered register keeps its address
    assert tab.evaluate("window.stillHere") is True

    # signed out meanwhile (the cookie gone): the live check says so in the page, not silently
    tab.goto(f"{server}/organs/demo-kj/reports/{year}")
    tab.context.clear_cookies()
    tab.fill("textarea[name=problems]", "又改了一句。")
    tab.wait_for_selector("#htmx-problem-slot .error:has-text('请刷新页面后重试')")
