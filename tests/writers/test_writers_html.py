"""The HTML and Markdown writers (issue 4): round trips through the readers, the page's structure.

Every report written with ``render(report, "html")`` or ``"md"`` and read back by
``read_bytes`` gives the same cells, organ, year, layout and section texts. The HTML page is
self-contained, escapes every text and is an accessible table document (caption, thead, th
scopes, headers); findings follow the report without changing what reads back.
"""

from __future__ import annotations

import re

import pytest
from conftest import clean_report_2019, clean_report_2021, load_json, needs_seeds, seed_pairs
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html
from support.strategies import valid_reports

from gongkai.checks import check_report, has_errors, report_to_findings
from gongkai.model.layouts import cell_name, layout_for
from gongkai.model.report import Sections, report_cells, report_from_json
from gongkai.readers import read_bytes, read_path
from gongkai.writers import printed_report, render
from gongkai.writers.html import CAPTIONS, write_html
from gongkai.writers.markdown import write_markdown
from gongkai.writers.printed import Role

FORMS = ("html", "md")
SECTION_KEYS = tuple(Sections.model_fields)


def _texts(sections: Sections | None) -> dict[str, str]:
    """Section texts, white space normalised; an absent section reads back as empty."""
    data = sections.model_dump() if sections is not None else {}
    return {k: " ".join((data.get(k) or "").split()) for k in SECTION_KEYS}


def _assert_reads_back(report, form: str, findings=None) -> None:
    """Written by ``render`` (with the report's own findings when not given others) and read back."""
    data = render(report, form, report_to_findings(report) if findings is None else findings)
    reading = read_bytes(data, f"r.{form}")
    got = reading.report
    assert report_cells(got) == report_cells(report)
    assert (got.agency, got.year, got.format) == (report.agency, report.year, report.format)
    assert _texts(got.sections) == _texts(report.sections)
    assert not [n for n in reading.notices if n.rule.startswith("READ-")]


def _seed_reports():
    """Each seed twice: its exact JSON (no section text), and as read from its text (with text)."""
    out = []
    for txt, js in seed_pairs():
        out.append(pytest.param(report_from_json(load_json(js)), id=f"{js.stem}-json"))
        out.append(pytest.param(read_path(txt).report, id=f"{txt.stem}-text"))
    return out


# Markdown is read back from a file written without findings: a findings list after section 六
# would be read as that section's text (test_a_markdown_file_with_findings_reads_back… below).
# HTML is written as ``render`` writes it by default, with the findings the report has.
NO_FINDINGS = {"html": None, "md": ()}


@needs_seeds
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("report", _seed_reports())
def test_seeds_read_back_exactly(report, form):
    _assert_reads_back(report, form, NO_FINDINGS[form])


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("report", [clean_report_2021(), clean_report_2019()], ids=["2021", "2019"])
def test_clean_reports_read_back_exactly(report, form):
    _assert_reads_back(report, form, NO_FINDINGS[form])


# Paragraphs as reports have them, with characters that markup must escape.
_PARAGRAPHS = (
    "本年度主动公开政府信息120条，其中政策解读15条。",
    "（一）主动公开",
    "依托“浙里办”和政府门户网站，做好政策文件的发布与解读。",
    "A&B公司、<b>粗体</b>与 <script>alert(1)</script> 照原样显示。",
    "收费标准：每件10元 & 每页0.5元；1 < 2 > 0。",
    "存在问题：一是更新不及时；二是解读形式单一。",
    "无。",
)


@st.composite
def _reports_with_text(draw: st.DrawFn, fmt: str | None = None, single_other: bool = False):
    report = draw(valid_reports(fmt, single_other=single_other))
    texts = {
        key: "\n".join(draw(st.lists(st.sampled_from(_PARAGRAPHS), max_size=3))) or None
        for key in SECTION_KEYS
    }
    return report.model_copy(update={"sections": Sections(**texts)})


@settings(max_examples=25, deadline=None)
@given(report=_reports_with_text())
def test_random_reports_read_back_exactly(report):
    """Both layouts, blank cells now and then, section text with markup characters (which most
    often breaks a SEC-* rule: the HTML page then carries findings, and still reads back)."""
    for form in FORMS:
        _assert_reads_back(report, form, NO_FINDINGS[form])


@settings(max_examples=10, deadline=None)
@given(report=_reports_with_text("2021", single_other=True))
def test_single_other_row_reads_back(report):
    """A 2021 report keeping （六）其他处理 as one row is printed and read back so."""
    for form in FORMS:
        _assert_reads_back(report, form, NO_FINDINGS[form])


# --- the HTML page --------------------------------------------------------------------------------


def _page(report, findings=()):
    text = write_html(printed_report(report, tuple(findings)))
    return text, lxml_html.document_fromstring(text)


def test_page_is_self_contained_and_declares_its_language():
    text, root = _page(clean_report_2021())
    assert text.startswith("<!DOCTYPE html>")
    assert root.get("lang") == "zh-CN"
    assert root.xpath("//meta[@charset]")[0].get("charset").lower() == "utf-8"
    assert "width=device-width" in root.xpath("//meta[@name='viewport']")[0].get("content")
    assert root.findtext(".//title") == "示例市科学技术局2024年度政府信息公开工作年度报告"
    assert not root.xpath("//script|//link|//iframe|//object|//embed|//img|//@src")
    assert all(href.startswith("#") for href in root.xpath("//@href"))
    style = root.findtext(".//style")
    assert "@import" not in style and "url(" not in style and "@font-face" not in style
    assert "FangSong" in style and "SimHei" in style
    assert re.search(r"@media print\s*{\s*@page\s*{\s*size:\s*A4", style)
    assert "display: table-header-group" in style and "break-inside: avoid" in style


def test_page_outline():
    """One h1, then six sections, each named by its h2; the tables inside sections 二 三 四."""
    _, root = _page(clean_report_2021())
    main = root.find(".//main")
    assert [h.text for h in main.iter("h1")] == ["示例市科学技术局2024年度政府信息公开工作年度报告"]
    sections = main.findall("section")
    assert len(sections) == 6
    for section in sections:
        heading = section.find("h2")
        assert section.get("aria-labelledby") == heading.get("id")
    assert [len(s.findall(".//table")) for s in sections] == [0, 1, 1, 1, 0, 0]
    assert sections[0].findall("p")[0].text.startswith("2024年，本局认真贯彻")


def _tables(root):
    return {int(t.get("class")[1]): t for t in root.iter("table")}


@pytest.mark.parametrize("report", [clean_report_2021(), clean_report_2019()], ids=["2021", "2019"])
def test_tables_are_the_printed_grids(report):
    """Each table has its caption; every printed cell is there once, with its spans, as th or td."""
    _, root = _page(report)
    tables = _tables(root)
    for printed in printed_report(report).tables:
        table = tables[printed.number]
        assert table.findtext("caption") == CAPTIONS[printed.number]
        got = [
            (c.text_content(), int(c.get("rowspan", 1)), int(c.get("colspan", 1)))
            for tr in table.iter("tr")
            for c in tr
        ]
        assert got == [(c.text, c.rowspan, c.colspan) for c in printed.cells]
        tags = [c.tag for tr in table.iter("tr") for c in tr]
        assert [t == "td" for t in tags] == [
            c.role is Role.VALUE or c.text.startswith("（本列数据的勾稽关系") for c in printed.cells
        ]
    t3 = tables[3]
    assert len(t3.find("thead").findall("tr")) == 3
    note = t3.find("thead/tr/td")
    assert (note.get("rowspan"), note.get("colspan")) == ("3", "3")
    assert "勾稽关系" in note.text
    assert tables[2].find("thead") is None  # each block of table 二 has its own header row


def test_header_scopes():
    """thead: col, colgroup over several columns; row labels: row, rowgroup down several rows;
    table 二's captions: full-width rowgroup headers."""
    _, root = _page(clean_report_2021())
    tables = _tables(root)
    for table in tables.values():
        for th in table.xpath("thead//th"):
            assert th.get("scope") == ("colgroup" if int(th.get("colspan", 1)) > 1 else "col")
        for th in table.xpath("tbody//th[not(@class='caption')]"):
            if th.getparent().getparent().index(th.getparent()) == 1 and table is tables[2]:
                assert th.get("scope") in ("col", "colgroup")  # a block's header row
            else:
                assert th.get("scope") == ("rowgroup" if int(th.get("rowspan", 1)) > 1 else "row")
    captions = tables[2].xpath(".//th[@class='caption']")
    assert [c.text for c in captions] == [
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
    ]
    assert {(c.get("scope"), c.get("colspan")) for c in captions} == {("rowgroup", "4")}
    results = tables[3].xpath(".//th[.='三、本年度办理结果']")[0]
    assert (results.get("scope"), results.get("rowspan")) == ("rowgroup", "22")
    withheld = tables[3].xpath(".//th[.='（三）不予公开']")[0]
    assert (withheld.get("scope"), withheld.get("rowspan")) == ("rowgroup", "8")
    t4_top = tables[4].xpath("thead/tr[1]/th")
    assert [(th.text, th.get("colspan"), th.get("scope")) for th in t4_top] == [
        ("行政复议", "5", "colgroup"),
        ("行政诉讼", "10", "colgroup"),
    ]


def test_no_rowspan_crosses_a_row_group():
    """A merged label and the rows it heads share a tbody (a browser clips a rowspan there)."""
    for report in (clean_report_2021(), clean_report_2019()):
        _, root = _page(report)
        for group in root.xpath("//main//thead|//main//tbody"):
            rows = group.findall("tr")
            for i, tr in enumerate(rows):
                for cell in tr:
                    assert i + int(cell.get("rowspan", 1)) <= len(rows)


def test_every_value_names_its_headers():
    """headers="…" lists the value's row labels and column headers (WCAG H43), by existing ids."""
    _, root = _page(clean_report_2021())
    ids = {e.get("id"): e for e in root.iter() if e.get("id")}

    def names(key):
        cell = ids[f"c-{key}"]
        assert all(ids[i].tag == "th" for i in cell.get("headers").split())
        return [ids[i].text for i in cell.get("headers").split()]

    assert names("requests.withheld.state_secret.natural") == [
        "三、本年度办理结果",
        "（三）不予公开",
        "1.属于国家秘密",
        "申请人情况",
        "自然人",
    ]
    assert names("requests.new.research") == [
        "一、本年新收政府信息公开申请数量",
        "申请人情况",
        "法人或其他组织",
        "科研机构",
    ]
    assert names("active.fees.amount") == [
        "第二十条第（八）项",
        "行政事业性收费",
        "本年收费金额（单位：万元）",
    ]
    assert names("appeals.suit_after_review.pending") == ["行政诉讼", "复议后起诉", "尚未审结"]
    values = root.xpath("//main//td[not(@class='note')]")
    assert len(values) == len(report_cells(clean_report_2021()))
    assert all(td.get("headers") for td in values)


def test_every_text_is_escaped():
    """Markup in the organ's name or the text stays text, on the page and when read back."""
    agency = "<script>alert('x')</script>A&B市<b>科学技术局</b>"
    report = clean_report_2021().model_copy(
        update={
            "agency": agency,
            "sections": clean_report_2021().sections.model_copy(
                update={"other": "收费 &amp; 退费：<img src=x onerror=alert(1)> 无。"}
            ),
        }
    )
    text, root = _page(report)
    assert not root.xpath("//script|//img|//b|//@onerror")
    assert "<script>" not in text and "&amp;amp;" in text
    assert root.findtext(".//h1") == f"{agency}2024年度政府信息公开工作年度报告"
    assert root.findtext(".//title") == root.findtext(".//h1")
    assert (
        root.xpath("//section[h2[@id='s-other']]/p")[0].text
        == "收费 &amp; 退费：<img src=x onerror=alert(1)> 无。"
    )
    for form in FORMS:
        _assert_reads_back(report, form, NO_FINDINGS[form])


def test_an_empty_section_prints_its_heading_alone():
    report = clean_report_2021().model_copy(update={"sections": None})
    _, root = _page(report)
    sections = root.findall(".//main/section")
    assert [s.findtext("h2")[:2] for s in sections] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert not root.xpath("//main//p")


# --- findings -------------------------------------------------------------------------------------


def _broken():
    report = clean_report_2021(**{"requests.new.natural": 9, "appeals.review.total": 3})
    findings = check_report(report)
    assert has_errors(findings)
    return report, findings


def test_findings_follow_the_report_in_the_footer():
    """Level, rule, the cells in words (linked to the cell, which is marked) and the message."""
    report, findings = _broken()
    _, root = _page(report, findings)
    assert root.find(".//main").getnext().tag == "footer"
    section = root.find(".//footer/section")
    heading = section.find("h2")
    assert section.get("aria-labelledby") == heading.get("id")
    assert heading.text.startswith(f"检查发现（共{len(findings)}条：错误")
    rows = section.xpath(".//tbody/tr")
    assert len(rows) == len(findings)
    layout = layout_for(report.format)
    for row, finding in zip(rows, findings, strict=True):
        level, rule, cells, message = (c.text_content() for c in row[:4])
        assert level == {"error": "错误", "warning": "警告", "info": "提示"}[finding.severity]
        assert rule == finding.rule and message == finding.message
        for key in finding.cells:
            assert cell_name(key, layout) in cells
    ids = {e.get("id"): e for e in root.iter() if e.get("id")}
    assert all(href[1:] in ids for href in root.xpath("//footer//@href"))
    marked = ids["c-requests.new.natural"]
    assert marked.get("class") == "cell-error"
    assert all(i in ids and ids[i].tag == "tr" for i in marked.get("aria-describedby").split())
    assert "cell-error" in ids["c-appeals.review.total"].get("class")


def test_a_page_with_findings_reads_back_as_the_same_report():
    """The footer is not the report: the reader skips it, as it skips a portal's footer."""
    report, findings = _broken()
    _assert_reads_back(report, "html", findings)


def test_markdown_lists_the_findings_and_keeps_the_tables():
    report, findings = _broken()
    text = render(report, "md", findings).decode()
    listing = text[text.index("## 检查发现") :]
    assert listing.startswith(f"## 检查发现（共{len(findings)}条：错误")
    layout = layout_for(report.format)
    for i, finding in enumerate(findings, start=1):
        line = next(x for x in listing.splitlines() if x.startswith(f"{i}. "))
        assert finding.rule in line and finding.message in line
        assert all(cell_name(key, layout) in line for key in finding.cells)
    got = read_bytes(text.encode(), "r.md").report
    assert report_cells(got) == report_cells(report)


def test_no_findings_no_findings_section():
    report = clean_report_2021()
    assert not check_report(report) or not has_errors(check_report(report))
    assert "检查发现" not in render(report, "html", report_to_findings(report)).decode()
    assert "检查发现" not in render(report, "md", report_to_findings(report)).decode()


# --- Markdown ---------------------------------------------------------------------------------------


def test_markdown_shape():
    """Headings, one pipe table per block of table 二, merged text first and blanks after."""
    text = write_markdown(printed_report(clean_report_2021()))
    lines = text.splitlines()
    assert lines[0] == "# 示例市科学技术局2024年度政府信息公开工作年度报告"
    assert [x for x in lines if x.startswith("## ")] == [
        "## 一、总体情况",
        "## 二、主动公开政府信息情况",
        "## 三、收到和处理政府信息公开申请情况",
        "## 四、政府信息公开行政复议、行政诉讼情况",
        "## 五、存在的主要问题及改进情况",
        "## 六、其他需要报告的事项",
    ]
    assert sum(1 for x in lines if x.startswith("| 第二十条第")) == 4
    appeals = text[text.index("| 行政复议") :].splitlines()[:5]
    assert appeals == [
        "| 行政复议 |  |  |  |  | 行政诉讼 |  |  |  |  |  |  |  |  |  |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 |  |  |  |  | 复议后起诉 |  |  |  |  |",
        "|  |  |  |  |  | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |",
        "| 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
    ]
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_a_markdown_file_with_findings_reads_back_as_the_same_report():
    """The findings listed after the report (「## 检查发现（共N条…」) are not read as section 六."""
    report, findings = _broken()
    _assert_reads_back(report, "md", findings)
