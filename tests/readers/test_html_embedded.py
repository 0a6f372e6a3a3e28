"""HTML pages as they really come (issue 3): the report escaped in JSON, a script or entities,
and several reports on one page, each read on its own."""

from __future__ import annotations

import doctest
import html
import json
import time

import pytest
from conftest import clean_report_2019, clean_report_2021, load_json, needs_seeds, seed_pairs
from hypothesis import given, settings
from hypothesis import strategies as st
from support.htmlwriter import write_html
from support.strategies import valid_reports
from support.textwriter import write_tab_text, write_word_text
from typer.testing import CliRunner

from gongkai.cli import app
from gongkai.model.report import report_cells, report_from_json
from gongkai.readers import UnreadableDocument, bytes_to_document, read_all_bytes, read_bytes
from gongkai.readers.html import embedded
from gongkai.readers.html.reader import html_to_document
from gongkai.readers.split import split_document

FEW = settings(max_examples=5, deadline=None)
NAV = "var nav = '<table><tr><td>行政复议</td></tr></table>';"
PAIRS = seed_pairs()


def article(report) -> str:
    """The report's own markup, as write_html puts it inside the portal page."""
    page = write_html(report)
    return page[page.index("<div class='article'>") : page.index("<footer>")]


def shell(body: str, head: str = "") -> str:
    """A portal page around ``body``, with write_html's navigation script in its head."""
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<script>{NAV}</script>{head}</head><body><nav><a href='/'>首页</a></nav>{body}</body></html>"
    )


def js_single(text: str) -> str:
    """``text`` as a single-quoted JS literal, escaped as a portal's template would."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("</", "<\\/")
    return f"'{escaped}'"


def assert_reads(data: bytes | str, report, name: str = "page.html") -> None:
    reading = read_bytes(data.encode() if isinstance(data, str) else data, name)
    assert report_cells(reading.report) == report_cells(report)
    assert (reading.report.agency, reading.report.year, reading.report.format) == (
        report.agency,
        report.year,
        report.format,
    )


# --- the report as data --------------------------------------------------------------------


@pytest.mark.parametrize("ensure_ascii", [True, False], ids=["ascii", "utf8"])
@FEW
@given(report=valid_reports())
def test_json_api_response(ensure_ascii, report):
    """A portal's API response, ``{"data":{"content":"<p>…<\\/p><table>…"}}`` with \\uXXXX, \\", \\/
    and \\n escapes, reads exactly as the page would; also wrapped as JSONP."""
    content = article(report).replace("</p>", "</p>\n").replace("'", '"')
    response = {"code": 200, "data": {"id": 81, "title": "年度报告", "content": content, "views": 3}}
    text = json.dumps(response, ensure_ascii=ensure_ascii).replace("/", "\\/")
    assert ('\\"' in text) and ("\\/" in text) and ("\\n" in text)
    assert ("\\u" in text) is ensure_ascii
    assert_reads(text, report, "api.json")
    assert_reads(f"jQuery1124({text});", report, "api.js")


def test_json_title_beside_the_content():
    """A record's title given beside a content that lacks it names the organ and year."""
    report = clean_report_2019()
    body = article(report)
    body = body.replace(body[body.index("<h1>") : body.index("</h1>") + 5], "")
    title = f"{report.agency}{report.year}年度政府信息公开工作年度报告"
    text = json.dumps({"data": [{"title": title, "content": body}]}, ensure_ascii=False)
    assert_reads(text, report, "api.json")


@pytest.mark.parametrize("form", ["var-double", "write-single", "write-per-row", "template-script"])
@FEW
@given(report=valid_reports())
def test_js_string_in_a_script_with_the_body_empty(form, report):
    """The report in a script (the page's body an empty container): read from the string."""
    markup = article(report)
    if form == "var-double":  # JSON-style escapes: \uXXXX for every Chinese character, and for <
        literal = json.dumps(markup).replace("<", "\\u003c")
        script = f"var content = {literal};\ndocument.getElementById('c').innerHTML = content;"
    elif form == "write-single":
        script = f"document.write({js_single(markup)});"
    elif form == "write-per-row":  # one document.write per row, no literal holds a whole table
        pieces = markup.replace("<tr>", "\n<tr>").split("\n")
        script = "\n".join(f"document.write({js_single(p)});" for p in pieces)
    else:
        page = shell("<div id='c'></div>", f"<script type='text/html' id='tpl'>{markup}</script>")
        assert_reads(page, report)
        return
    assert_reads(shell(f"<div id='c'></div><script>{script}</script>"), report)


@pytest.mark.parametrize("element", ["div", "textarea"])
def test_entity_escaped_markup_in_an_element(element):
    """``&lt;table&gt;`` inside a div or a textarea is read as the markup it stands for."""
    report = clean_report_2021()
    page = shell(f"<{element} id='content'>{html.escape(article(report))}</{element}>")
    assert "&lt;table" in page and "<table border" not in page
    assert_reads(page, report)
    # The whole page saved entity-escaped (a view-source copy) reads too.
    assert_reads(html.escape(write_html(report)), report, "saved.txt")


@needs_seeds
@pytest.mark.parametrize(("text", "gold"), PAIRS, ids=[p[0].stem[:3] for p in PAIRS])
def test_seed_tables_as_json_and_as_script(text, gold):
    """Each seed's exact tables, delivered as JSON and as a JS string, read back cell-exact."""
    report = report_from_json(load_json(gold))
    markup = article(report)
    assert_reads(json.dumps({"data": {"content": markup}}), report, "api.json")
    assert_reads(shell(f"<script>document.write({js_single(markup)});</script>"), report)


def test_navigation_script_is_still_ignored():
    """write_html's navigation string (a table naming 行政复议) is never read as a table: not
    beside the report in the body, not beside the report in a script, and not on its own."""
    report = clean_report_2021()
    plain = html_to_document(write_html(report))
    scripted = html_to_document(shell(f"<script>var a = {json.dumps(article(report))};</script>"))
    for doc in (plain, scripted):
        assert len(doc.grids) == 3
        assert ["行政复议"] not in [row for g in doc.grids for row in g.texts()]
    assert [g.texts() for g in scripted.grids] == [g.texts() for g in plain.grids]
    with pytest.raises(UnreadableDocument, match="没有找到年度报告的统计表"):
        read_bytes(shell("<p>本页暂无内容</p>").encode(), "empty.html")


@pytest.mark.parametrize(
    "data",
    [
        {"code": 0, "data": {"title": "通知", "content": "<p>关于开展培训的通知</p>"}},
        {"code": 0, "data": {"content": "<table><tr><td>行政复议</td></tr></table>"}},
        [{"id": 1, "name": "某某局"}],
    ],
    ids=["no-table", "navigation-table", "no-markup"],
)
def test_json_without_a_report_is_unreadable(tmp_path, data):
    """A JSON that holds no report gives the usual clear message, from the reader and the CLI."""
    text = json.dumps(data, ensure_ascii=False)
    with pytest.raises(UnreadableDocument, match="没有找到年度报告的统计表"):
        read_bytes(text.encode(), "api.json")
    path = tmp_path / "api.txt"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and str(path) in result.output


def test_cli_reads_a_json_api_response(tmp_path):
    """``gongkai check`` reads an API response saved as .json (not a canonical report JSON)."""
    report = clean_report_2021(**{"requests.new.natural": 9})
    path = tmp_path / "api.json"
    path.write_text(json.dumps({"data": {"content": article(report)}}), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--json", str(path)])
    [line] = result.stdout.splitlines()
    found = json.loads(line)
    assert result.exit_code == 1 and found["agency"] == report.agency
    assert "T3-BALANCE" in {f["rule"] for f in found["findings"]}


def test_hostile_pages_are_refused_quickly():
    """Thousands of table strings, in scripts, entity-escaped divs or a JSON list, are looked at
    only up to a bound: the page is refused in about a second, not minutes."""
    literal = "var a = '<table><tr><td>行政复议</td></tr></table>';"
    div = "<div>&lt;table&gt;&lt;tr&gt;&lt;td&gt;1&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</div>"
    hostile = [
        shell(f"<script>{literal * 50_000}</script>"),
        shell(div * 20_000),
        json.dumps({"d": ["<table><tr><td>1</td></tr></table>"] * 20_000}),
    ]
    for page in hostile:
        started = time.perf_counter()
        with pytest.raises(UnreadableDocument, match="没有找到年度报告的统计表"):
            read_bytes(page.encode(), "hostile.html")
        assert time.perf_counter() - started < 5


def test_doctests_of_the_decoders():
    """The examples in the docstrings hold."""
    from gongkai.readers import split

    for module in (embedded, split):
        assert doctest.testmod(module).failed == 0


# --- several reports on one page ------------------------------------------------------------


def several(reports) -> str:
    """A district's page with each report one after another, each on its own source line."""
    return shell("\n" + "\n".join(article(r) for r in reports) + "\n")


def assert_each_read(readings, reports, name: str = "page.html") -> None:
    assert [r.source for r in readings] == [f"{name}#{i}" for i in range(1, len(reports) + 1)]
    previous = 0
    for reading, report in zip(readings, reports, strict=True):
        assert report_cells(reading.report) == report_cells(report)
        assert (reading.report.agency, reading.report.year) == (report.agency, report.year)
        # Every cell came from the report's own part of the page, none from another report's
        # (the page puts a report on a line, so blocks are numbered in order: see html_to_document).
        lines = set(reading.origins.values())
        assert previous < min(lines)
        previous = max(lines)


distinct_reports = st.lists(valid_reports(), min_size=2, max_size=3, unique_by=lambda r: (r.agency, r.year))


@FEW
@given(reports=distinct_reports)
def test_several_reports_on_one_page(reports):
    """Two or three reports on one page: each read on its own, exactly; read_bytes gives the
    first and says how many there are."""
    page = several(reports).encode()
    assert_each_read(read_all_bytes(page, "page.html"), reports)
    first = read_bytes(page, "page.html")
    assert report_cells(first.report) == report_cells(reports[0])
    [notice] = [n for n in first.notices if n.rule == "READ-MULTIPLE"]
    assert f"{len(reports)}份年度报告" in notice.message and notice.severity.value == "warning"
    assert reports[1].agency in notice.message


@needs_seeds
def test_three_seed_reports_on_one_page():
    """Three real reports (both layouts among the seeds) on one page, each cell-exact."""
    reports = [report_from_json(load_json(gold)) for _, gold in PAIRS[:3]]
    assert_each_read(read_all_bytes(several(reports).encode(), "page.html"), reports)


def test_second_report_without_its_title_starts_at_its_headings():
    """A second report without a title still starts where 「一、总体情况」 comes again."""
    reports = [clean_report_2021(), clean_report_2019()]
    second = article(reports[1])
    second = second.replace(second[second.index("<h1>") : second.index("</h1>") + 5], "")
    page = shell(f"\n{article(reports[0])}\n{second}\n").encode()
    readings = read_all_bytes(page, "page.html")
    assert [report_cells(r.report) for r in readings] == [report_cells(r) for r in reports]
    assert readings[1].report.agency is None


def test_second_report_in_text_form():
    """The split works on the intermediate form: two text reports in one file, each read."""
    reports = [clean_report_2019(), clean_report_2021()]
    for write in (write_word_text, write_tab_text):
        text = "\n\n".join(write(r) for r in reports)
        readings = read_all_bytes(text.encode("gb18030"), "two.txt")
        assert [report_cells(r.report) for r in readings] == [report_cells(r) for r in reports]
        assert [r.report.agency for r in readings] == [r.agency for r in reports]
    # What the reader says of the whole file (places of lines in PDF, DOCX …) goes with each part.
    doc = bytes_to_document(text.encode(), "two.txt")
    doc.places = {1: "第1页表格1第1行"}
    parts = split_document(doc)
    assert len(parts) == 2 and all(p.places == doc.places for p in parts)


def test_one_report_is_read_as_before():
    """One report: one reading under the file's own name, no READ-MULTIPLE; a title repeated as
    a running header, or a link to another year's report after the tables, starts nothing."""
    report = clean_report_2021()
    page = write_html(report)
    [reading] = read_all_bytes(page.encode(), "page.html")
    assert reading.source == "page.html"
    assert not [n for n in reading.notices if n.rule == "READ-MULTIPLE"]
    title = f"<p>{report.agency}{report.year}年度政府信息公开工作年度报告</p>"
    cut = page.index("<p><strong>四、")
    repeated = page[:cut] + title + page[cut:]
    linked = page.replace(
        "</div><footer>", f"<p>{report.agency}2023年度政府信息公开工作年度报告</p></div><footer>"
    )
    for variant in (repeated, linked):
        doc = html_to_document(variant)
        assert split_document(doc) == [doc]
        [again] = read_all_bytes(variant.encode(), "page.html")
        assert report_cells(again.report) == report_cells(report)


def test_loose_text_after_a_comment_is_kept():
    """Text that follows a comment or a script in a container (the title here) is read."""
    report = clean_report_2021()
    body = article(report)
    h1 = body[body.index("<h1>") : body.index("</h1>") + 5]
    body = body.replace(h1, "<!-- 标题 -->" + h1[4:-5] + "<script>var x = 1;</script>")
    assert_reads(shell(body), report)


def test_cli_checks_each_report_of_a_page(tmp_path):
    """``check``: one entry per report (``page.html#2``), errors found in the right one, the
    summary counting reports; ``parse page.html#2`` reads the second, ``parse --json`` all."""
    reports = [
        clean_report_2021(),
        clean_report_2019(**{"requests.new.natural": 9}),  # breaks T3-BALANCE in the second only
        clean_report_2021(**{"appeals.review.upheld": 2}),
    ]
    reports[2] = reports[2].model_copy(update={"agency": "某某县民政局"})
    page = tmp_path / "page.html"
    page.write_text(several(reports), encoding="utf-8")
    single = tmp_path / "single.html"
    single.write_text(write_html(reports[0]), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["check", "--json", str(page)])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1
    assert [(r["file"], r["agency"], r["year"]) for r in lines] == [
        (f"{page}#{i}", r.agency, r.year) for i, r in enumerate(reports, start=1)
    ]
    rules = [{f["rule"] for f in r["findings"]} for r in lines]
    assert ["T3-BALANCE" in r for r in rules] == [False, True, False]
    assert ["T4-GROUP-SUM" in r for r in rules] == [False, False, True]
    assert not any("READ-MULTIPLE" in r for r in rules)
    result = runner.invoke(app, ["check", str(page), str(single)])
    assert "共2个文件：读取4份报告，其中2份有错误；无法读取0个文件。" in result.output
    result = runner.invoke(app, ["parse", "--json", f"{page}#2"])
    assert json.loads(result.stdout)["agency"] == reports[1].agency
    result = runner.invoke(app, ["parse", "--json", str(page)])
    assert [r["agency"] for r in json.loads(result.stdout)] == [r.agency for r in reports]
    result = runner.invoke(app, ["parse", f"{page}#4"])
    assert result.exit_code == 2 and "只有3份报告" in result.output
