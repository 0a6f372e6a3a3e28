"""The supervisor console (issue 6), on SQLite and PostgreSQL: reports uploaded in any form for the
organs of the region, read in a worker with the readers' limits; findings per organ and rule; an
organ beside its previous year and its peers; the XLSX export; access by role."""

from __future__ import annotations

import io
import json

import pytest
from conftest import clean_report_2021
from openpyxl import load_workbook
from sqlalchemy import select
from support.web import client_as, csrf_of, site, upload  # noqa: F401 (the fixture)

from gongkai.checks import check_report, report_to_findings
from gongkai.store.db import transaction
from gongkai.store.records import add_organ, find_organ
from gongkai.store.tables import ReportRecord
from gongkai.writers import render


def test_a_supervisor_uploads_reports_and_sees_their_findings(site) -> None:  # noqa: F811
    supervisor = client_as(site, "supervisor")
    clean = clean_report_2021()
    broken = clean_report_2021(**{"requests.new.natural": 9})  # breaks the balance of its column
    last_year = clean.model_copy(update={"year": 2023})
    files = [
        ("kj-2024.docx", render(clean, "docx", report_to_findings(clean))),
        ("jy-2024.html", render(broken, "html", findings=[])),
        ("kj-2023.md", render(last_year, "md", report_to_findings(last_year))),
        ("garbage.pdf", b"%PDF-1.4 not really a pdf"),
    ]
    response = upload(supervisor, files[:1] + files[2:], organ="kj")
    assert response.status_code == 200
    assert "kj-2024.docx: 已归入 某某区科学技术局 2024 年度" in response.text
    assert "kj-2023.md: 已归入 某某区科学技术局 2023 年度" in response.text
    assert "garbage.pdf:" in response.text and "Traceback" not in response.text
    response = upload(supervisor, files[1:2], organ="jy")
    assert "已归入 某某区教育局 2024 年度" in response.text
    page = supervisor.get("/console?year=2024").text
    assert "某某区科学技术局" in page and "某某区教育局" in page and "T3-BALANCE" in page
    # chart data: the year's new requests by applicant kind, per organ, from the reports themselves
    import re as _re

    charts = json.loads(
        _re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page, _re.S).group(1)
    )
    assert charts["organs"] == ["某某区教育局", "某某区科学技术局"]
    assert charts["byKind"][0] == ["自然人", [9, 5]] and charts["years"] == [2024]  # in the table's order
    assert (
        "/static/vendor/echarts-5.6.0/echarts.min.js" in page
        and supervisor.get("/static/vendor/echarts-5.6.0/echarts.min.js").status_code == 200
    )
    compare = supervisor.get("/console/organs/kj/2024").text
    assert "与上一年度对比" in compare and "没有发现问题" in compare
    export = supervisor.get("/console/export.xlsx?year=2024")
    book = load_workbook(io.BytesIO(export.content))
    organs = sorted(row[0] for row in book["主要数据"].iter_rows(min_row=2, values_only=True))
    assert organs == ["某某区教育局", "某某区科学技术局"]
    assert any(row[3] == "T3-BALANCE" for row in book["检查发现"].iter_rows(min_row=2, values_only=True))


def test_a_report_naming_an_organ_outside_the_region_is_not_filed(site) -> None:  # noqa: F811
    response = upload(
        client_as(site, "supervisor"),
        [("x.md", render(clean_report_2021(), "md", report_to_findings(clean_report_2021())))],
    )
    assert "不在本地区的机关名单中" in response.text  # 示例市科学技术局 is no organ of xq
    assert (
        upload(
            client_as(site, "far-supervisor"),
            [("x.md", render(clean_report_2021(), "md", report_to_findings(clean_report_2021())))],
            organ="kj",
        ).status_code
        == 404
    )


def test_the_console_is_for_supervisors_and_administrators(site) -> None:  # noqa: F811
    for login, status in (("clerk", 403), ("reviewer", 403), ("supervisor", 200), ("admin", 200)):
        assert client_as(site, login).get("/console").status_code == status, login
    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/").text)
    response = clerk.post(
        "/console/upload", data={"csrf": token}, files=[("files", ("a.md", b"x", "text/plain"))]
    )
    assert response.status_code == 403


def test_two_reports_side_by_side_cell_by_cell(site) -> None:  # noqa: F811
    """Each value cell of tables 二, 三, 四 holds both numbers; exactly the cells that differ are
    marked, with their difference; the workbook says the same."""
    import re

    from conftest import clean_report_2019

    from gongkai.model.layouts import LAYOUT_2021
    from gongkai.model.report import report_cells

    supervisor = client_as(site, "supervisor")
    this_year = clean_report_2021(**{"active.licensing.decisions": 42, "active.fees.amount": 0.75})
    last_year = clean_report_2021().model_copy(update={"year": 2023})
    old_format = clean_report_2019().model_copy(update={"year": 2019})
    upload(
        supervisor,
        [
            ("kj-2024.md", render(this_year, "md", report_to_findings(this_year))),
            ("kj-2023.md", render(last_year, "md", report_to_findings(last_year))),
        ],
        "kj",
    )
    upload(supervisor, [("kj-2019.md", render(old_format, "md", report_to_findings(old_format)))], "kj")
    other = clean_report_2021(**{"requests.new.natural": 9})
    upload(supervisor, [("jy-2024.md", render(other, "md", report_to_findings(other)))], "jy")

    a, b = report_cells(this_year), report_cells(last_year)
    expected = sorted(k for k in LAYOUT_2021.cell_keys if a.get(k) != b.get(k))
    assert expected == ["active.fees.amount", "active.licensing.decisions"]
    page = supervisor.get("/console/organs/kj/2024/beside/kj/2023").text
    assert "共有 <strong>2</strong> 格不同" in page
    marked = re.findall(
        r'<td class="num differs"[^>]*>\s*<span class="a">([^<]*)</span><span class="b">([^<]*)</span>'
        r'<span class="delta">([^<]*)</span>',
        page,
    )
    assert sorted(marked) == [("0.75", "0.5", "-0.25"), ("42", "30", "-12")]
    assert page.count('<td class="num') == len(LAYOUT_2021.cell_keys)  # every cell, once
    assert "与 2023 年度逐表对照" in supervisor.get("/console/organs/kj/2024").text

    # beside another organ, and beside a report of the 2019 layout (its missing cells marked)
    page = supervisor.get("/console/organs/kj/2024/beside/jy/2024").text
    assert "某某区教育局 2024 年度" in page and "共有 <strong>" in page
    page = supervisor.get("/console/organs/kj/2024/beside/kj/2019").text
    assert "两份报告格式不同" in page and '<span class="b">—</span>' in page
    assert "在上面表样中没有位置的格子" in page and "表三“（六）其他处理”行“自然人”列" in page

    # the form's choice goes to the comparison's address
    response = supervisor.get("/console/organs/kj/2024/beside?with=jy/2024", follow_redirects=False)
    assert (
        response.status_code == 303
        and response.headers["location"] == "/console/organs/kj/2024/beside/jy/2024"
    )
    assert supervisor.get("/console/organs/kj/2024/beside?with=nowhere/x").status_code == 404
    assert client_as(site, "far-supervisor").get("/console/organs/kj/2024/beside/kj/2023").status_code == 404

    book = load_workbook(
        io.BytesIO(supervisor.get("/console/organs/kj/2024/beside/kj/2023/export.xlsx").content)
    )
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(LAYOUT_2021.cell_keys)
    differing = [row for row in rows if row[2] != row[3]]
    assert sorted((row[2], row[3], row[4]) for row in differing) == [(0.75, 0.5, -0.25), (42, 30, -12)]
    filled = [cell.row for cell in book.active["A"] if cell.fill.fgColor.rgb not in (None, "00000000")]
    assert len(filled) == 2


def test_money_beside_money_differs_as_people_write_it_issue_13(site) -> None:  # noqa: F811
    """4166.241619 万元 beside 4165.841619 differ by 0.4, not 0.4000000000005457 (float noise)."""
    import re

    supervisor = client_as(site, "supervisor")
    this_year = clean_report_2021(**{"active.fees.amount": 4165.841619})
    last_year = clean_report_2021(**{"active.fees.amount": 4166.241619}).model_copy(update={"year": 2023})
    upload(
        supervisor,
        [
            ("kj-2024.md", render(this_year, "md", report_to_findings(this_year))),
            ("kj-2023.md", render(last_year, "md", report_to_findings(last_year))),
        ],
        "kj",
    )
    page = supervisor.get("/console/organs/kj/2024/beside/kj/2023").text
    marked = re.findall(
        r'<td class="num differs"[^>]*>\s*<span class="a">([^<]*)</span><span class="b">([^<]*)</span>'
        r'<span class="delta">([^<]*)</span>',
        page,
    )
    assert marked == [("4165.841619", "4166.241619", "+0.4")]
    book = load_workbook(
        io.BytesIO(supervisor.get("/console/organs/kj/2024/beside/kj/2023/export.xlsx").content)
    )
    differing = [row[2:] for row in book.active.iter_rows(min_row=2, values_only=True) if row[2] != row[3]]
    assert differing == [(4165.841619, 4166.241619, 0.4)]


def test_exports_write_names_like_formulas_as_text_and_drop_control_characters_issue_14(
    site,  # noqa: F811
    store,
) -> None:
    """An organ named like a formula, with Word's line break and a \\x1f in it (as an old import
    could leave it; PostgreSQL refuses NUL): both console workbooks download, the name a plain
    string, never a formula."""
    from sqlalchemy import update

    from gongkai.store.db import transaction
    from gongkai.store.tables import Organ

    supervisor = client_as(site, "supervisor")
    this_year = clean_report_2021()
    last_year = this_year.model_copy(update={"year": 2023})
    upload(
        supervisor,
        [
            ("kj-2024.md", render(this_year, "md", report_to_findings(this_year))),
            ("kj-2023.md", render(last_year, "md", report_to_findings(last_year))),
        ],
        "kj",
    )
    with transaction(store) as s:
        s.execute(
            update(Organ).where(Organ.code == "kj").values(name='=HYPERLINK("http://x","科技局")\x0b二\x1f')
        )
    for address in ("/console/export.xlsx?year=2024", "/console/organs/kj/2024/beside/kj/2023/export.xlsx"):
        response = supervisor.get(address)
        assert response.status_code == 200, address
        book = load_workbook(io.BytesIO(response.content))
        named = [c for ws in book for row in ws.iter_rows() for c in row if "HYPERLINK" in str(c.value)]
        assert named, address
        for cell in named:
            assert (cell.data_type, cell.quotePrefix) == ("s", True) and "\x1f" not in cell.value
            # the store takes control characters out as text enters (\x0b too, as from a form); the
            # export's own cleaning is tested on writers.sheets.put
            assert cell.value.startswith('=HYPERLINK("http://x","科技局")') and "\x0b" not in cell.value
        assert not [c for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]


@pytest.mark.ocr
# On SQLite only: the subject is the reading the console keeps, and OCR costs a quarter of a minute;
# the findings' column is stored and shown on both databases by the other upload tests.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_console_shows_what_check_says_of_the_same_scan(site, scanned_report, tmp_path) -> None:  # noqa: F811
    """A scan uploaded in the console keeps the findings of its reading — the READ-OCR warnings and
    the layout rules that need the source — exactly as ``gongkai check`` gives them for the file
    (before, the console re-checked the JSON and lost them)."""
    from gongkai.batch import CheckOptions, check_file

    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_report)
    checked = check_file(str(path), CheckOptions(seconds=300))  # OCR on a busy machine takes its time
    assert "findings" in checked, checked
    expected = sorted((f["rule"], tuple(f.get("cells", ()))) for f in checked["findings"])
    assert any(rule.startswith("READ-") for rule, _ in expected)  # what re-checking the JSON loses
    supervisor = client_as(site, "supervisor")
    response = upload(supervisor, [("scan.pdf", scanned_report)], organ="kj")
    assert "scan.pdf: 已归入 某某区科学技术局 2024 年度" in response.text
    api = supervisor.get("/api/organs/kj/reports/2024").json()
    assert sorted((f["rule"], tuple(f.get("cells", ()))) for f in api["findings"]) == expected
    book = load_workbook(io.BytesIO(supervisor.get("/console/export.xlsx?year=2024").content))
    exported = [row[3] for row in book["检查发现"].iter_rows(min_row=2, values_only=True)]
    assert sorted(exported) == sorted(rule for rule, _ in expected)


def test_the_console_lists_reports_a_page_at_a_time_issue_17(site, store) -> None:  # noqa: F811
    """61 organs' reports of a year: two pages (50 and 11), each report on exactly one, the filter
    kept from page to page; charts for the organs of the page shown once they are over 60; the
    organ to file an upload under chosen by code or by full name; filters by organ and status."""
    import re

    from gongkai.model.report import report_to_json
    from gongkai.store.db import transaction
    from gongkai.store.records import add_organ
    from gongkai.store.report_queries import file_uploaded_report

    body = report_to_json(clean_report_2021())
    found = [{"rule": "T3-BALANCE", "severity": "error", "message": "x", "cells": []}]
    with transaction(store) as s:
        for n in range(61):
            organ = add_organ(s, f"o{n:02d}", f"某某区第{n:02d}局", parent="xq", actor="t")
            file_uploaded_report(s, organ, 2024, body, found if n % 2 else [], f"{n}.pdf", actor="t")
    supervisor = client_as(site, "supervisor")

    def listed(page: str) -> list[str]:
        return re.findall(r'href="/console/organs/([^/"]+)/2024"', page)

    first = supervisor.get("/console?year=2024").text
    assert "共 61 份，第 1/2 页" in first and 'href="/console?year=2024&amp;page=2"' in first
    second = supervisor.get("/console?year=2024&page=2").text
    assert "第 2/2 页" in second
    both = listed(first) + listed(second)
    assert (len(listed(first)), len(listed(second))) == (50, 11)
    assert sorted(both) == [f"o{n:02d}" for n in range(61)]  # each exactly once
    assert listed(supervisor.get("/console?year=2024&page=9").text) == listed(second)  # past the end
    # the count by rule is of all 61 reports, not of the page: 30 with one finding each
    assert re.search(r'<th scope="row">T3-BALANCE</th><td class="num">30</td>', first)
    charts = json.loads(re.search(r'id="chart-data">(.*?)</script>', first, re.S).group(1))
    assert len(charts["organs"]) == 50 and "图表只画本页报告的机关" in first
    assert '<option value="kj">某某区科学技术局</option>' in first  # a district's organs offered

    narrowed = supervisor.get("/console?organ=o07").text
    assert listed(narrowed) == ["o07"] and "共 1 份" in narrowed
    assert "共 61 份" in supervisor.get("/console?organ=xq&year=2024").text  # a region: its organs
    assert "没有符合条件的报告" in supervisor.get("/console?status=draft").text
    assert supervisor.get("/console?organ=wj").status_code == 404  # another region's organ
    assert client_as(site, "far-supervisor").get("/console?organ=o07").status_code == 404

    report = clean_report_2021()
    response = upload(
        supervisor, [("x.md", render(report, "md", report_to_findings(report)))], organ="某某区教育局"
    )
    assert "x.md: 已归入 某某区教育局 2024 年度" in response.text


def test_a_name_two_organs_bear_is_never_taken_for_one_of_them(site, store) -> None:  # noqa: F811
    """Two organs of xq printed alike (a department split, 机构改革 half done): a report naming it is
    filed only under the organ the person chooses, and a filter by that name asks for the code."""
    with transaction(store) as s:
        add_organ(s, "kj2", "某某区科学技术局", parent="xq", actor="t")
    supervisor = client_as(site, "supervisor")
    report = clean_report_2021().model_copy(update={"agency": "某某区科学技术局", "year": 2024})
    document = render(report, "md", report_to_findings(report))
    said = upload(supervisor, [("kj.md", document)]).text
    assert "有不止一个机关名为「某某区科学技术局」" in said and "kj、kj2" in said
    with transaction(store) as s:
        assert s.scalars(select(ReportRecord)).all() == []
    assert "已归入 某某区科学技术局 2024 年度" in upload(supervisor, [("kj.md", document)], organ="kj2").text
    with transaction(store) as s:
        [filed] = s.scalars(select(ReportRecord)).all()
        assert filed.organ_id == find_organ(s, "kj2").id
    refused = supervisor.get("/console", params={"organ": "某某区科学技术局"})
    assert refused.status_code == 400 and "请填机关代码" in refused.text
    assert supervisor.get("/console", params={"organ": "kj2"}).status_code == 200


def test_the_export_works_out_a_drafts_findings_from_its_body(site) -> None:  # noqa: F811
    """A workspace's draft keeps no findings: the export checks its body, read in the same query."""
    from gongkai.model.report import report_to_json
    from gongkai.store.reports import open_workspace, summarise

    broken = clean_report_2021(**{"requests.new.natural": 9})
    with site.state.sessions() as s, s.begin():
        draft = open_workspace(s, find_organ(s, "kj"), 2024, actor="t")
        draft.body = report_to_json(broken)
        summarise(s, draft)
        assert draft.findings is None
    book = load_workbook(
        io.BytesIO(client_as(site, "supervisor").get("/console/export.xlsx?year=2024").content)
    )
    rows = list(book["检查发现"].iter_rows(min_row=2, values_only=True))
    expected = [(f.severity.value, f.rule, f.message) for f in check_report(broken)]
    assert "T3-BALANCE" in [rule for _, rule, _ in expected]
    assert [(r[2], r[3], r[5]) for r in rows if r[0] == "某某区科学技术局" and r[1] == 2024] == expected
