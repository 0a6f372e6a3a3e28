"""The console's compare page and export at scale (issue 17 §8), on SQLite and PostgreSQL: an
organ beside its previous year (both bodies read) and beside the organs under the same region (their
stored figures, a page at a time), found by code within the person's scope; the export written from
the stored summaries and findings, for the console's filters."""

from __future__ import annotations

import html
import io
import re

import pytest
from conftest import clean_report_2021
from openpyxl import load_workbook
from sqlalchemy import select
from support.web import client_as, site  # noqa: F401 (the fixture)

from gongkai.casework.review import STATUS_LABELS, ReportStatus
from gongkai.model.layouts import LAYOUT_2021, cell_name
from gongkai.model.report import report_cells, report_to_json
from gongkai.store import report_queries
from gongkai.store.db import transaction
from gongkai.store.records import find_organ
from gongkai.store.report_queries import file_uploaded_report
from gongkai.store.reports import FIGURE_LABELS, findings_of, open_workspace
from gongkai.store.tables import Organ, ReportRecord
from gongkai.web import console
from gongkai.web.console import PEER_FIGURES

# kj's 2024 report, its 2023 one (two cells changed, and what it carried over not what 2024 took
# in), jy's of 2024 beside it under xq, and wj's of 2024 under another region (yq)
KJ_2024 = clean_report_2021(**{"active.licensing.decisions": 42, "requests.new.natural": 9})
KJ_2023 = clean_report_2021(**{"requests.carried_over.total": 3}).model_copy(update={"year": 2023})
JY_2024 = clean_report_2021(**{"requests.granted.natural": 7})
WJ_2024 = clean_report_2021(**{"requests.new.commercial": 4})
FOUND = [
    {"rule": "T3-BALANCE", "severity": "error", "message": "=不平衡", "cells": ["requests.new.natural"]},
    {"rule": "X-NOTE", "severity": "warning", "message": "提示", "cells": []},
]


@pytest.fixture
def filed(site, store):  # noqa: F811
    """The reports above filed as uploads (kj's 2024 one with FOUND as its reading's findings), and
    a draft of jy's 2025 report made on the platform (its findings are its checks')."""
    with transaction(store) as s:
        for code, report, findings in (
            ("kj", KJ_2024, FOUND),
            ("kj", KJ_2023, []),
            ("jy", JY_2024, []),
            ("wj", WJ_2024, []),
        ):
            organ = find_organ(s, code)
            file_uploaded_report(
                s, organ, report.year, report_to_json(report), findings, f"{code}.pdf", actor="t"
            )
        open_workspace(s, find_organ(s, "jy"), 2025, actor="t")
    return site


def _peer_rows(page: str) -> dict[str, list[str]]:
    """The peers table: organ name → its figures as shown."""
    table = page[page.index("的其他机关对比") :]
    rows = re.findall(r'<tr(?: class="self")?><th scope="row">(.*?)</th>(.*?)</tr>', table, re.S)
    return {
        re.sub(r"<[^>]+>", "", name): re.findall(r'<td class="num">([^<]*)</td>', cells)
        for name, cells in rows
    }


def _shown(value) -> str:
    return "" if value is None else str(value)


def test_an_organ_beside_the_organs_of_its_own_region_only(filed, store) -> None:
    """kj beside jy (both under xq), each row the organ's stored figures; wj (under yq) is not
    there, for the region's supervisor nor for an administrator, who sees every region."""
    with transaction(store) as s:
        stored = {
            name: figures
            for name, figures in s.execute(
                select(Organ.name, ReportRecord.figures)
                .join(ReportRecord, ReportRecord.organ_id == Organ.id)
                .where(ReportRecord.year == 2024)
            )
        }
    expected = {name: [_shown(figures.get(k)) for k in PEER_FIGURES] for name, figures in stored.items()}
    for login in ("supervisor", "admin"):
        page = client_as(filed, login).get("/console/organs/kj/2024").text
        assert "与某某区人民政府的其他机关对比" in page and "同类机关之间比较" in page, login
        assert _peer_rows(page) == {
            "某某区科学技术局": expected["某某区科学技术局"],
            "某某区教育局": expected["某某区教育局"],
        }, login
        assert 'href="/console/organs/kj/2024/beside/jy/2024"' in page
    # the stored figures are the report's own: new requests as its table 三 prints them
    assert expected["某某区科学技术局"][0] == str(report_cells(KJ_2024)["requests.new.total"])
    wj = client_as(filed, "admin").get("/console/organs/wj/2024").text
    assert list(_peer_rows(wj)) == ["另一区卫生健康委员会"]


def test_the_changes_from_the_previous_year_are_the_cells_that_differ(filed) -> None:
    page = html.unescape(client_as(filed, "supervisor").get("/console/organs/kj/2024").text)
    now, before = report_cells(KJ_2024), report_cells(KJ_2023)
    differing = sorted(k for k in now if k in before and now[k] != before[k])
    assert "active.licensing.decisions" in differing and "requests.new.natural" in differing
    shown = re.findall(
        r'<tr><th scope="row">([^<]*)</th><td class="num">([^<]*)</td><td class="num">([^<]*)</td></tr>',
        page[page.index("与上一年度对比") : page.index("的其他机关对比")],
    )
    assert sorted(shown) == sorted(
        (cell_name(k, LAYOUT_2021), _shown(before[k]), _shown(now[k])) for k in differing
    )
    assert "上一年度“结转下年度”为 3，本年度“上年结转”为" in page
    assert "T3-BALANCE" in page  # its findings, as its reading gave them
    assert "没有上一年度的报告" in client_as(filed, "supervisor").get("/console/organs/jy/2024").text


def test_an_organ_outside_the_scope_is_not_found(filed) -> None:
    supervisor, far = client_as(filed, "supervisor"), client_as(filed, "far-supervisor")
    assert supervisor.get("/console/organs/wj/2024").status_code == 404  # another region's organ
    assert far.get("/console/organs/kj/2024").status_code == 404
    assert supervisor.get("/console/organs/xq/2024").status_code == 404  # a region: no organ
    assert supervisor.get("/console/organs/某某区科学技术局/2024").status_code == 404  # by code only
    assert supervisor.get("/console/organs/kj/2022").status_code == 404  # no report of the year


def test_the_peers_come_a_page_at_a_time(filed, monkeypatch) -> None:
    monkeypatch.setattr(report_queries, "PEERS_PAGE", 1)
    monkeypatch.setattr(console, "PEERS_PAGE", 1)
    supervisor = client_as(filed, "supervisor")
    first = supervisor.get("/console/organs/kj/2024").text
    assert list(_peer_rows(first)) == ["某某区教育局"] and "有 2024 年度报告的机关 2 个，第 1/2 页" in first
    assert 'href="/console/organs/kj/2024?page=2" rel="next"' in first
    second = supervisor.get("/console/organs/kj/2024?page=2").text
    assert list(_peer_rows(second)) == ["某某区科学技术局"] and 'class="self"' in second
    assert _peer_rows(supervisor.get("/console/organs/kj/2024?page=9").text) == _peer_rows(second)


def _sheet(book, name: str) -> list[tuple]:
    return list(book[name].iter_rows(min_row=2, values_only=True))


def test_the_export_writes_the_stored_figures_and_findings_of_the_filter(filed, store) -> None:
    """Each row of 主要数据 is a report's stored figures and counts, of exactly the reports the
    filter gives; 检查发现 holds their stored findings (a draft's from its checks), text as text."""
    supervisor = client_as(filed, "supervisor")
    with transaction(store) as s:
        records = {
            (name, r.year): r
            for name, r in s.execute(
                select(Organ.name, ReportRecord).join(Organ, Organ.id == ReportRecord.organ_id)
            )
        }
        expected_rows = {
            key: (
                *key[:1],
                r.year,
                STATUS_LABELS[ReportStatus(r.status)],
                *(r.figures.get(k) for k in FIGURE_LABELS),
                r.errors,
                r.warnings,
            )
            for key, r in records.items()
        }
        draft_findings = findings_of(records[("某某区教育局", 2025)])  # its checks'
        assert draft_findings

    def export(query: str):
        response = supervisor.get(f"/console/export.xlsx?{query}")
        assert response.status_code == 200, query
        return load_workbook(io.BytesIO(response.content))

    book = export("year=2024")
    assert next(book["主要数据"].iter_rows(max_row=1, values_only=True))[3:5] == (
        "新收申请",
        "新收申请·自然人",
    )
    assert _sheet(book, "主要数据") == [  # by organ code: jy, kj; never wj of another region
        expected_rows[("某某区教育局", 2024)],
        expected_rows[("某某区科学技术局", 2024)],
    ]
    name = cell_name("requests.new.natural", LAYOUT_2021)
    assert _sheet(book, "检查发现") == [
        ("某某区科学技术局", 2024, "error", "T3-BALANCE", name, "=不平衡"),
        ("某某区科学技术局", 2024, "warning", "X-NOTE", None, "提示"),
    ]
    formula = [c for row in book["检查发现"].iter_rows() for c in row if c.value == "=不平衡"]
    assert [(c.data_type, c.quotePrefix) for c in formula] == [("s", True)]

    kj = _sheet(export("organ=kj"), "主要数据")
    assert kj == [expected_rows[("某某区科学技术局", 2024)], expected_rows[("某某区科学技术局", 2023)]]
    drafts = export("status=draft")
    assert _sheet(drafts, "主要数据") == [expected_rows[("某某区教育局", 2025)]]
    assert _sheet(drafts, "检查发现") == [
        (
            "某某区教育局",
            2025,
            f.severity.value,
            f.rule,
            "、".join(cell_name(c, LAYOUT_2021) for c in f.cells[:3]) or None,
            f.message,
        )
        for f in draft_findings
    ]
    assert supervisor.get("/console/export.xlsx?organ=wj").status_code == 404
    page = supervisor.get("/console?year=2024&status=published").text
    assert 'href="/console/export.xlsx?year=2024&amp;status=published"' in page


def _beside_choices(page: str) -> list[tuple[str, str]]:
    """The side-by-side page's choices of another report: (value, label)."""
    listed = page[page.index('<datalist id="beside-choices">') : page.index("</datalist>")]
    return re.findall(r'<option value="([^"]+)">([^<]*)</option>', listed)


def test_the_other_report_is_chosen_among_the_organs_of_its_own_region(filed, monkeypatch) -> None:
    """The choice offers the reports of the organs under kj's region (kj's, jy's, a draft too),
    never wj's under yq, for the region's supervisor nor for an administrator; any other organ
    the person sees is typed, by code or full name."""
    for login in ("supervisor", "admin"):
        page = client_as(filed, login).get("/console/organs/kj/2024/beside/jy/2024").text
        assert _beside_choices(page) == [
            ("jy/2025", "某某区教育局 2025 年度"),
            ("jy/2024", "某某区教育局 2024 年度"),
            ("kj/2024", "某某区科学技术局 2024 年度"),
            ("kj/2023", "某某区科学技术局 2023 年度"),
        ], login
        assert 'name="with" list="beside-choices" value="jy/2024"' in page and "共 4 份" not in page
    admin = client_as(filed, "admin")
    typed = admin.get("/console/organs/kj/2024/beside?with=另一区卫生健康委员会/2024", follow_redirects=False)
    assert typed.status_code == 303 and typed.headers["location"] == "/console/organs/kj/2024/beside/wj/2024"
    assert "另一区卫生健康委员会 2024 年度" in admin.get(typed.headers["location"]).text
    monkeypatch.setattr(report_queries, "LISTED_ORGANS", 2)
    page = admin.get("/console/organs/kj/2024/beside/kj/2023").text
    assert [value for value, _ in _beside_choices(page)] == ["jy/2025", "jy/2024"]
    assert "共 4 份，列出前 2 份" in page


def test_a_report_of_another_region_is_not_put_beside(filed) -> None:
    """Either report of an organ outside the person's scope, or no report of the year: 404, on
    the page, its workbook and the choice; the region's supervisor sees its own pair."""
    supervisor, far = client_as(filed, "supervisor"), client_as(filed, "far-supervisor")
    for address in (
        "/console/organs/kj/2024/beside/wj/2024",  # wj is under yq
        "/console/organs/wj/2024/beside/kj/2024",
        "/console/organs/kj/2024/beside/wj/2024/export.xlsx",
        "/console/organs/kj/2024/beside?with=wj/2024",
        "/console/organs/kj/2024/beside?with=另一区卫生健康委员会/2024",
        "/console/organs/kj/2024/beside?with=xq/2024",  # a region, not an organ
        "/console/organs/kj/2024/beside?with=jy/2022",  # no report of the year
        "/console/organs/kj/2022/beside?with=jy/2024",
        "/console/organs/kj/2024/beside",  # nothing chosen
    ):
        response = supervisor.get(address, follow_redirects=False)
        assert response.status_code == 404 and "没有这份报告" in response.text, address
    assert far.get("/console/organs/kj/2024/beside/jy/2024").status_code == 404
    assert far.get("/console/organs/wj/2024/beside/wj/2024").status_code == 200
    assert supervisor.get("/console/organs/kj/2024/beside/jy/2024/export.xlsx").status_code == 200
