"""Reader errors found by a trial on published reports (issue 3), each with a fixture of our own
making: the report's HTML in a script file's string, a title only in the page's ``<title>``,
table 四 printed as its 15 numbers without a header, and a text whose table cells are glued."""

from __future__ import annotations

import json
import re

import pytest
from conftest import clean_report_2019, clean_report_2021
from support.htmlwriter import write_html
from support.textwriter import write_markdown, write_tab_text
from typer.testing import CliRunner

from gongkai.checks import check_reading
from gongkai.cli import app
from gongkai.model.report import report_cells
from gongkai.readers import UnreadableDocument, read_bytes, read_text

PREAMBLE = (
    "根据《中华人民共和国政府信息公开条例》规定编制本报告。本报告中所列数据统计期限为2025年1月1日至12月31日。"
)
# What a portal's data file has before the report: menus as JS arrays of objects.
PRELUDE = '//字典项\nlet areas = [{\n\t"id": "1",\n\t"name": "示例市"\n}]\nlet menu = [{"id": "4", "name": \'年报\'}]\n'


def article(report) -> str:
    """The report's own markup (title, sections, tables), double-quoted attributes, no line breaks."""
    page = write_html(report)
    return page[page.index("<div class='article'>") : page.index("<footer>")].replace("'", '"')


def assert_same_report(reading, report) -> None:
    assert report_cells(reading.report) == report_cells(report)
    assert (reading.report.agency, reading.report.year, reading.report.format) == (
        report.agency,
        report.year,
        report.format,
    )


def rules(reading) -> set[str]:
    return {f.rule for f in check_reading(reading)}


# --- R1: the report's HTML in a script file's string literal --------------------------------


def _escaped(markup: str) -> str:
    return markup.replace("\\", "\\\\").replace('"', '\\"').replace("/", "\\/")


SCRIPTS = {
    # A double-quoted literal with \" and \/ escapes, as a portal's data file has it.
    "var-escaped": lambda m: f'var content = "{_escaped(m)}";',
    # The same literal with its double quotes left unescaped (invalid JS, but published so).
    "let-unescaped": lambda m: f'let content = "{m}";\ndocument.getElementById("c").innerHTML = content;',
    "const-json": lambda m: f"const content = {json.dumps(m, ensure_ascii=True)};",
    "window-single": lambda m: f"window.reportHtml = '{m}';",
    # The content split over several literals joined by +, one per line.
    "concat": lambda m: (
        "var content = "
        + " +\n    ".join(f'"{_escaped(piece)}"' for piece in re.split(r"(?=<table)", m))
        + ";"
    ),
}


@pytest.mark.parametrize("form", list(SCRIPTS))
@pytest.mark.parametrize("make", [clean_report_2021, clean_report_2019], ids=["2021", "2019"])
def test_html_report_inside_js_string_literal_issue_3(form, make):
    """A JS file whose string holds the report's HTML (``var content = "<p>…<table …>"``) is read
    as that HTML: cell for cell as the page itself, not refused as a text without tables."""
    report = make(**{"requests.new.natural": 8, "requests.new.total": 10})
    script = PRELUDE + SCRIPTS[form](article(report))
    assert not script.lstrip().startswith("<")
    reading = read_bytes(script.encode(), "content.js")
    assert_same_report(reading, report)
    assert reading.report.requests.new.natural == 8
    # The colspans written as colspan=\"4\" are honoured: the layout's tables are whole.
    assert not {"LAY-T2-SHAPE", "LAY-T3-SHAPE", "LAY-T4-SHAPE"} & rules(reading)


def test_js_string_literal_places_and_non_reports_issue_3():
    """Findings in a one-line literal point at paragraphs and table rows; a script whose strings
    hold no report is still refused with the usual message."""
    report = clean_report_2021(**{"requests.new.natural": 9})
    reading = read_bytes((PRELUDE + SCRIPTS["var-escaped"](article(report))).encode(), "content.js")
    assert "T3-BALANCE" in rules(reading)
    assert any(place.startswith("表格2第") for place in reading.places.values())
    nav = PRELUDE + "var nav = '<table><tr><td>行政复议</td></tr></table>';"
    with pytest.raises(UnreadableDocument, match="没有找到年度报告的统计表"):
        read_bytes(nav.encode(), "nav.js")


def test_markdown_report_mentioning_table_markup_stays_text_issue_3():
    """A text report that also holds a stray ``<table>`` string is still read as text."""
    report = clean_report_2021()
    text = write_markdown(report) + "\n附：网页代码 var nav = '<table><tr><td>1</td></tr></table>';\n"
    assert_same_report(read_bytes(text.encode(), "report.md"), report)


# --- R2: the title only in the page's <title> --------------------------------------------------


def _untitled_page(report, title: str) -> str:
    body = article(report)
    body = body.replace(body[body.index("<h1>") : body.index("</h1>") + 5], f"<p>{PREAMBLE}</p>")
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


@pytest.mark.parametrize(
    "shape",
    ["{t}_政府信息公开年报_某某网", "{t} - 某某网", "某某网 | {t}", "{t}－政务公开－某某网", "{t}"],
)
def test_title_from_page_title_when_body_opens_with_preamble_issue_3(shape):
    """A body opening with 「根据《条例》…编制本报告。」 has no title: the organ and year come from
    ``<title>``, the portal's parts after 「_」「-」「|」 left out; no SEC-TITLE warning."""
    report = clean_report_2021()
    title = f"{report.agency}{report.year}年政府信息公开工作年度报告"
    reading = read_bytes(_untitled_page(report, shape.format(t=title)).encode(), "page.html")
    assert_same_report(reading, report)
    assert reading.sections.title == title
    assert "SEC-TITLE" not in rules(reading)


def test_preamble_is_never_the_title_issue_3():
    """Without any title the preamble is not read as one (no organ 「根据《…》…统计期限为」)."""
    report = clean_report_2021()
    reading = read_bytes(_untitled_page(report, "某某网").encode(), "page.html")
    assert reading.report.agency is None and reading.sections.title is None
    assert report_cells(reading.report) == report_cells(report)
    text = write_markdown(report)
    text = PREAMBLE + "\n\n" + text[text.index("## 一、") :]
    assert read_text(text).report.agency is None


def test_body_title_is_kept_before_page_title_issue_3():
    """A title in the body wins over ``<title>``, also when a preamble follows it."""
    report = clean_report_2021()
    page = write_html(report).replace(
        "<title>政府信息公开</title>", "<title>其他局2020年政府信息公开工作年度报告</title>"
    )
    page = page.replace("</h1>", f"</h1><p>{PREAMBLE}</p>")
    assert_same_report(read_bytes(page.encode(), "page.html"), report)


# --- R3: table 四 as 15 numbers without a header -----------------------------------------------

APPEALS = {
    "appeals.review.upheld": 11,
    "appeals.review.corrected": 2,
    "appeals.review.other": 9,
    "appeals.review.pending": 3,
    "appeals.review.total": 25,
    "appeals.suit_direct.upheld": 4,
    "appeals.suit_direct.corrected": 0,
    "appeals.suit_direct.other": 1,
    "appeals.suit_direct.pending": 2,
    "appeals.suit_direct.total": 7,
    "appeals.suit_after_review.upheld": 5,
    "appeals.suit_after_review.corrected": 1,
    "appeals.suit_after_review.other": 0,
    "appeals.suit_after_review.pending": 0,
    "appeals.suit_after_review.total": 6,
}
HEADING_4 = "## 四、政府信息公开行政复议、行政诉讼情况"


def _headless(report, row: str, between: str = "行政复议行政诉讼\n") -> str:
    text = write_markdown(report)
    start = text.index(HEADING_4)
    return text[:start] + f"{HEADING_4}\n\n{between}{row}\n\n" + text[text.index("## 五、") :]


def _pipe(values) -> str:
    return "| " + " | ".join(str(v) for v in values) + " |"


@pytest.mark.parametrize("between", ["行政复议行政诉讼\n", "", "单位：件\n\n行政复议行政诉讼\n"])
@pytest.mark.parametrize("sep", ["pipe", "tab"])
def test_headless_table_four_placed_by_position_issue_3(between, sep):
    """「| 11 | 2 | … | 6 |」 right under the 表四 heading: the 15 values go in the official order,
    with a READ-HEADER info saying so and that each group's 总计 is the sum of the other four."""
    report = clean_report_2021(**APPEALS)
    values = list(APPEALS.values())
    row = _pipe(values) if sep == "pipe" else "\t".join(str(v) for v in values)
    reading = read_text(_headless(report, row, between))
    assert_same_report(reading, report)
    [notice] = [n for n in reading.notices if n.rule == "READ-HEADER" and "表四" in n.message]
    assert notice.severity.value == "info" and "按位置" in notice.message
    assert "三组的总计都等于前四项之和" in notice.message
    assert len(notice.cells) == 15
    assert not {"LAY-T4-SHAPE", "T4-SUM"} & rules(reading)


def test_headless_table_four_whose_sums_disagree_is_a_warning_issue_3():
    """When a group's 总计 is not its sum the values are still placed, and the notice warns."""
    values = list(APPEALS.values())
    values[9] = 8  # 未经复议直接起诉·总计
    report = clean_report_2021(**dict(zip(APPEALS, values, strict=True)))
    reading = read_text(_headless(report, _pipe(values)))
    assert report_cells(reading.report) == report_cells(report)
    [notice] = [n for n in reading.notices if n.rule == "READ-HEADER" and "表四" in n.message]
    assert notice.severity.value == "warning" and "未经复议直接起诉的总计不等于前四项之和" in notice.message


@pytest.mark.parametrize(
    ("row", "between"),
    [
        (_pipe(list(APPEALS.values())[:14]), "行政复议行政诉讼\n"),  # 14 numbers
        (_pipe([*list(APPEALS.values())[:14], "—"]), "行政复议行政诉讼\n"),  # a dash among them
        (_pipe(list(APPEALS.values())), "本年度被申请行政复议25件，具体情况如下。\n\n"),  # running text
    ],
    ids=["fourteen", "dash", "after-a-sentence"],
)
def test_numbers_that_are_not_a_headless_table_four_issue_3(row, between):
    """Only exactly 15 numbers right under the heading are taken; otherwise 表四 stays missing."""
    reading = read_text(_headless(clean_report_2021(**APPEALS), row, between))
    assert all(v is None for v in reading.report.appeals.model_dump(mode="json")["review"].values())
    assert "LAY-T4-SHAPE" in rules(reading)


# --- R4: table cells glued together in a crawler's text ------------------------------------------


def _glued(report) -> str:
    """The report as a crawler's text of its page: every line and cell run together."""
    return "".join(write_tab_text(report).replace("\t", "").split("\n"))


def test_glued_table_cells_are_named_in_the_message_issue_3(tmp_path):
    """Row labels with their numbers run together (「…申请数量7520000…」): the message says the
    cells have no separators and asks for the HTML/DOCX/PDF original; the exit status stays 2."""
    text = _glued(clean_report_2021(**{"requests.new.natural": 15, "requests.new.total": 17}))
    assert "本年新收政府信息公开申请数量" in text
    with pytest.raises(UnreadableDocument) as raised:
        read_text(text)
    message = str(raised.value)
    assert "行名" in message and "没有分隔" in message and "HTML、DOCX 或 PDF" in message
    assert "不像是" not in message
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    for command in ("check", "parse"):
        result = CliRunner().invoke(app, [command, str(path)])
        assert result.exit_code == 2 and "没有分隔" in result.output


def test_text_without_tables_keeps_its_message_issue_3():
    """A text that names no table rows is still 「不像是政府信息公开工作年度报告」."""
    with pytest.raises(UnreadableDocument, match="不像是政府信息公开工作年度报告"):
        read_text("关于开展2025年政务公开培训的通知。本年新收文件12件。")
