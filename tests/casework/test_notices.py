"""Written notices (issue 13 §4): every template renders for a request that calls for it and cites
its article; a template problem is named in Chinese with its template and line; the sandbox keeps
Python's internals out of reach; the letter printed to DOCX and PDF reads back with its 文号, dates,
deadline and remedy sentence."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import date
from types import SimpleNamespace

import pytest
from docx import Document

from gongkai.casework.fees import FeeMethod, per_page_fee
from gongkai.casework.law import OUTCOMES
from gongkai.casework.letters import TEMPLATE_NAMES, TemplateProblem, TemplateSet, check_template
from gongkai.casework.notices import (
    NoticeSettings,
    _due_text,
    compose,
    notice_variables,
    page_working,
    request_working,
    sample_case,
)
from gongkai.casework.requests import FeeNoticed, RequestCase
from gongkai.casework.workdays import WorkCalendar
from gongkai.model.letter import Letter
from gongkai.writers.letter import letter_to_docx, letter_to_pdf

CALENDAR = WorkCalendar([])
SETTINGS = NoticeSettings(short_name="区科技局", review_organ="某某区人民政府", court="某某区人民法院")
ORGAN = "某某区科学技术局"
REMEDY = (
    "如对本答复不服，可以自收到本答复之日起60日内向某某区人民政府申请行政复议，"
    "或者自收到本答复之日起6个月内向某某区人民法院提起行政诉讼。"
)
# What each outcome's answer must cite (format-and-law.md §10.4, §10.5).
CITES = {
    "granted": "第三十六条第（二）项",
    "partial": "第三十七条",
    "withheld.state_secret": "第十四条",
    "withheld.prohibited": "第十四条",
    "withheld.security": "第十四条",
    "withheld.third_party": "第十五条",
    "withheld.internal": "第十六条第一款",
    "withheld.process": "第十六条第二款",
    "withheld.enforcement": "第十六条第二款",
    "withheld.inquiry": "第三十六条第（七）项",
    "unavailable.not_held": "第三十六条第（四）项",
    "unavailable.needs_creation": "第三十八条",
    "unavailable.unclear": "第三十条",
    "rejected.complaint": "第三十九条第一款",
    "rejected.duplicate": "第三十六条第（六）项",
    "rejected.publication": "第三十九条第二款",
    "rejected.excessive": "第三十五条",
    "rejected.reconfirm": "不予处理",
    "other.no_correction": "第三十条",
    "other.no_fee": "《政府信息公开信息处理费管理办法》",
    "other.other": "撤回",
}


def letter(template: str, templates: TemplateSet | None = None, **extras: str) -> Letter:
    case, step = sample_case(template, CALENDAR)
    return compose(
        case,
        step,
        templates or TemplateSet(),
        organ_name=ORGAN,
        settings=SETTINGS,
        issued_on=date(2026, 3, 20),
        number="区科技局依申复〔2026〕1号",
        request_number="2026-0001",
        extras=extras,
    )


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_each_outcome_of_table_three_has_its_answer_citing_its_article(outcome: str) -> None:
    text = letter(f"answer.{outcome}").text()
    assert text.startswith("政府信息公开申请答复书\n区科技局依申复〔2026〕1号\n\n张三：")
    assert "你于2026年3月2日向本机关提出的政府信息公开申请（申请编号：2026-0001）收悉" in text
    assert CITES[outcome] in text
    # the remedy, with the organ's reconsideration organ and court; none for a withdrawn request
    assert (REMEDY in text) is (outcome != "other.other")
    assert text.endswith("某某区科学技术局\n2026年3月20日")


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_every_shipped_template_renders_with_the_variables_of_real_use(name: str) -> None:
    paragraphs = letter(name).paragraphs
    assert paragraphs and all(p == p.strip() and p for p in paragraphs)
    assert not any("{{" in p or "{%" in p for p in paragraphs)


def test_the_notices_say_what_the_law_requires_them_to_say() -> None:
    correction = letter("correction").text()
    assert "一次性告知你需要补正的事项：请写明所需信息的项目名称。" in correction
    assert "请你于2026年3月18日前（含当日）" in correction and "视为放弃申请" in correction
    extension = letter("extension").text()
    assert "经本机关政府信息公开工作机构负责人同意，答复期限延长20个工作日" in extension
    assert "办公室主任" not in extension  # the approver is not the applicant's business
    assert "将于2026年4月28日前作出答复" in extension  # 2 March + 20 + 20 working days
    assert "第三十五条" in letter("delay").text() and "2026年5月29日" in letter("delay").text()
    third = letter("consult_third_party")
    assert third.recipient == "某某科技有限公司" and "张三" not in third.text()
    assert "自收到本函之日起15个工作日内" in third.text()
    assert "由本机关依照《中华人民共和国政府信息公开条例》的规定决定是否公开" in third.text()
    assert "逾期未提出意见的，视为同意公开" in letter("consult_organ").text()
    fee = letter("fee").text()
    assert "二、计收方式：按量计收" in fee
    assert "计算过程：第31–100页 70页×10元＝700元；第101–150页 50页×20元＝1000元；合计1700元" in fee
    assert "自收到本通知书之次日起20个工作日内" in fee and "截至2026年4月1日" in fee


def test_a_clerks_lines_fill_the_answer() -> None:
    granted = letter("answer.granted", 公开方式="已主动公开", 说明="见本机关门户网站“政策文件”栏目。").text()
    assert (
        "第三十六条第（一）项" in granted
        and "获取该政府信息的方式和途径：见本机关门户网站“政策文件”栏目。" in granted
    )
    elsewhere = letter("answer.unavailable.not_held", 负责机关="某某区财政局（电话 010-1234）").text()
    assert (
        "第三十六条第（五）项" in elsewhere
        and "该政府信息由某某区财政局（电话 010-1234）负责公开" in elsewhere
    )


def test_fee_working_band_by_band_adds_up_to_the_fee() -> None:
    assert page_working(300) == (
        "第31–100页 70页×10元＝700元；第101–200页 100页×20元＝2000元；第201–300页 100页×40元＝4000元；合计6700元"
    )
    assert per_page_fee(300) == 6700
    assert request_working(11) == "本件为申请人本自然月内第11件申请，适用第11–30件每件100元；合计100元"
    assert request_working(45) == "本件为申请人本自然月内第45件申请，适用第41–50件每件300元；合计300元"


def test_a_deadline_not_yet_counted_prints_pending() -> None:
    """A fee noticed in December runs into a year whose holidays nobody entered: 「待定」, no crash."""
    case, _ = sample_case("correction", CALENDAR)
    registration = case.events[0].model_copy(update={"on": date(2026, 12, 1)})
    fee = FeeNoticed(
        on=date(2026, 12, 10),
        received_on=date(2026, 12, 10),
        method=FeeMethod.PER_PAGE,
        quantity=40,
        yuan=100,
    )
    december = RequestCase.replay(CALENDAR, [registration, fee])
    variables = notice_variables(
        december, 2, organ_name=ORGAN, settings=SETTINGS, number="", issued_on=date(2026, 12, 10)
    )
    assert variables["缴费截止日期"] == "待定"
    assert _due_text(SimpleNamespace(due=None)) == "待定"  # a Deadline whose due is not known


def test_a_misspelt_variable_is_named_with_its_template_and_line() -> None:
    case, step = sample_case("correction", CALENDAR)
    variables = notice_variables(
        case, step, organ_name=ORGAN, settings=SETTINGS, number="", issued_on=date(2026, 3, 4)
    )
    with pytest.raises(TemplateProblem) as caught:
        check_template("correction", "{{ 称谓 }}：\n请于{{ 补正截止日 }}前补正。", variables)
    message = str(caught.value)
    assert message.startswith("告知书模板「补正告知书」第2行：没有名为「补正截止日」的变量")
    assert "补正期限" in message  # the variables it could have used
    with pytest.raises(TemplateProblem, match="「补正告知书」第1行：写法有误"):
        check_template("correction", "{% if 称谓 %}没有结束", variables)
    with pytest.raises(TemplateProblem, match="引用的模板「secret」不存在"):
        check_template("correction", '{% include "secret" %}', variables)


def test_an_included_pieces_problem_names_the_piece() -> None:
    broken = TemplateSet({"remedy": "第一行\n向{{ 复议机构 }}申请行政复议"})
    with pytest.raises(
        TemplateProblem, match="「答复书：救济途径（行政复议、行政诉讼）」第2行：没有名为「复议机构」"
    ):
        letter("answer.granted", broken)


@pytest.mark.parametrize(
    "text",
    [
        "{{ 称谓.__class__.__mro__ }}",
        "{{ 称谓.__class__.__subclasses__() }}",
        "{{ ''.__class__.__base__.__subclasses__() }}",
        "{{ '字' * 100000000 }}",
        "{{ 9 ** 9999999 }}",
    ],
)
def test_a_template_cannot_reach_pythons_internals_nor_fill_the_memory(text: str) -> None:
    case, step = sample_case("correction", CALENDAR)
    variables = notice_variables(
        case, step, organ_name=ORGAN, settings=SETTINGS, number="", issued_on=date(2026, 3, 4)
    )
    with pytest.raises(TemplateProblem, match="告知书模板「补正告知书」第1行"):
        check_template("correction", text, variables)


def test_the_docx_reads_back_with_number_dates_deadline_and_remedy() -> None:
    answer = letter("answer.granted").model_copy(update={"note": "联系人及电话：李四 010-12345678"})
    data = letter_to_docx(answer)
    paragraphs = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert paragraphs[:3] == ["政府信息公开申请答复书", "区科技局依申复〔2026〕1号", "张三："]
    assert REMEDY in paragraphs
    assert paragraphs[-3:] == ["某某区科学技术局", "2026年3月20日", "（联系人及电话：李四 010-12345678）"]
    fee = [p.text for p in Document(io.BytesIO(letter_to_docx(letter("fee")))).paragraphs]
    assert any("截至2026年4月1日" in p for p in fee)
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert 'w:eastAsia="方正小标宋简体"' in styles and 'w:eastAsia="仿宋_GB2312"' in styles
    # the date 4 characters (of 16 pt) from the right margin, the organ's name centred over it
    document = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert (
        '<w:ind w:right="1280" w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="right"/></w:pPr><w:r><w:t xml:space="preserve">2026年3月20日'
        in document
    )


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice or pdftotext missing (apt install libreoffice-writer-nogui poppler-utils)",
)
@pytest.mark.office
def test_the_pdf_carries_the_letters_text() -> None:
    data = letter_to_pdf(letter("answer.withheld.process", 说明="该信息为内部讨论记录"))
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode(
        "utf-8"
    )
    flat = "".join(text.split())
    assert "区科技局依申复〔2026〕1号" in flat
    assert "第十六条第二款、第三十六条第（三）项的规定，本机关不予公开。理由：该信息为内部讨论记录。" in flat
    assert "6个月内向某某区人民法院提起行政诉讼" in flat and "2026年3月20日" in flat


@pytest.mark.parametrize(
    "text",
    [
        "{{ 'a'.ljust(10**8) }}",
        "{{ '%100000000d' % 1 }}",
        "{{ 'a'|center(10**8) }}",
        "{{ 'x'|indent(10**8) }}",
        "{{ '{:>100000000}'.format('a') }}",
        "{{ '{:>100000000}'|attr('format')('a') }}",
        "{{ '%s'|format(1) }}",
        "{% for i in range(100000) %}x{% endfor %}",
        "{% for i in range(9) %}{% for j in range(9) %}x{% endfor %}{% endfor %}",
        "{% include 'remedy' %}",
    ],
)
def test_an_organs_template_cannot_take_the_servers_memory_or_time(text: str) -> None:
    """Review of issue 13: a clerk's template is refused, quickly and in Chinese, before it can build
    a huge text or loop for ever; never an exception that reaches a page."""
    from gongkai.casework.letters import TemplateProblem, check_template

    with pytest.raises(TemplateProblem, match="告知书模板「答复书：救济途径"):
        check_template("remedy", text, {})
