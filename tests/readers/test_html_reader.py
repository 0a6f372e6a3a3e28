"""The HTML reader (issue 3): portal pages, merged cells, <br> in labels, &nbsp; cells."""

from __future__ import annotations

from conftest import clean_report_2021
from support.htmlwriter import write_html

from gongkai.model.report import report_cells
from gongkai.readers import looks_like_html, read_bytes
from gongkai.readers.html.reader import html_to_document

CLEAN_2021 = clean_report_2021()


def test_navigation_and_scripts_are_left_out():
    """A table inside a <script> string and the portal's navigation do not become report content."""
    doc = html_to_document(write_html(CLEAN_2021))
    assert len(doc.grids) == 3
    assert not any("首页" in p.text or "网站标识码" in p.text for p in doc.paragraphs)


def test_nbsp_cells_and_a_table_split_in_two():
    """「&nbsp;」 is a blank cell; table 三 cut into two <table>s (a page break) still reads whole."""
    page = write_html(CLEAN_2021).replace("<td>0</td>", "<td>&nbsp;0&nbsp;</td>")
    cut = page.rindex("<tr>", 0, page.index("（四）无法提供"))
    page = page[:cut] + "</table><p>- 2 -</p><table border=1>" + page[cut:]
    reading = read_bytes(page.encode(), "page.html")
    assert report_cells(reading.report) == report_cells(CLEAN_2021)


def test_html_is_recognised_by_content():
    """A page saved as .txt is read as HTML; a text report is not mistaken for one."""
    assert looks_like_html(write_html(CLEAN_2021))
    assert looks_like_html("\ufeff<!DOCTYPE html><html><body></body></html>")
    assert not looks_like_html("示例局2024年度政府信息公开工作年度报告\n一、总体情况")
    reading = read_bytes(write_html(CLEAN_2021).encode("gb18030"), "saved-page.txt")
    assert report_cells(reading.report) == report_cells(CLEAN_2021)


def test_an_unreadable_column_header_names_the_cells_left_empty():
    """A header misprinted past recognition (「自然人」 as 「※※※」, table 四's first 「尚未审结」 as
    「？？？？」): READ-HEADER says which column is missing and names every cell left empty."""
    html = write_html(clean_report_2021())
    html = html.replace(">自然人<", ">※※※<", 1).replace(">尚未<br>审结<", ">？？<br>？？<", 1)
    reading = read_bytes(html.encode(), "r.html")
    header = [n for n in reading.notices if n.rule == "READ-HEADER"]
    t3 = next(n for n in header if n.message.startswith("表三"))
    assert "自然人" in t3.message
    assert "requests.granted.natural" in t3.cells and "requests.carried_over.natural" in t3.cells
    assert all(c.endswith(".natural") for c in t3.cells)
    assert reading.report.requests.granted.natural is None
    t4 = next(n for n in header if n.message.startswith("表四"))
    assert t4.cells == ["appeals.review.pending"]


def test_findings_on_a_one_line_page_name_the_table_row():
    """A page written on one line (minified) cannot point at source lines: findings name the
    table and row instead; a page with a line per row keeps its source lines."""
    from gongkai.checks import check_reading

    html = write_html(clean_report_2021(**{"requests.new.natural": 99}))
    assert html.count("\n") == 0
    found = [f for f in check_reading(read_bytes(html.encode(), "r.html")) if f.rule == "T3-BALANCE"]
    assert found and found[0].place == "表格2第4行"
    spread = html.replace("<p>", "\n<p>").replace("<tr>", "\n<tr>")
    found = [f for f in check_reading(read_bytes(spread.encode(), "r.html")) if f.rule == "T3-BALANCE"]
    assert found and found[0].place is None
    assert "一、本年新收" in spread.splitlines()[found[0].line - 1]
