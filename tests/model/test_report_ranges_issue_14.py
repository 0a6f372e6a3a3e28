"""Years and numbers a report cannot have (issue 14 §17): an uploaded canonical JSON of year −2024 or
with 10^18 in a cell was filed and published. The model refuses them wherever a report is built —
the console's upload, ``gongkai check`` and ``parse`` of a JSON file — with one clear line, and
nothing is filed."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pydantic
import pytest
from conftest import clean_report_2021, on_day
from sqlalchemy import func, select
from support.web import client_as, csrf_of, site, upload  # noqa: F401 (the fixture)
from typer.testing import CliRunner

from gongkai.cli import app
from gongkai.model.report import build_report, report_from_json, report_to_json
from gongkai.store.tables import ReportRecord


def _json(**changes) -> dict:
    body = report_to_json(clean_report_2021())
    for path, value in changes.items():
        node = body
        *parents, leaf = path.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = value
    return body


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"year": -2024}, "年度 -2024 不在 2008 年至 2027 年之间"),
        ({"year": 2007}, "年度 2007 不在 2008 年至 2027 年之间"),
        ({"year": 2028}, "年度 2028 不在 2008 年至 2027 年之间"),
        ({"requests.new.natural": 10**18}, "绝对值小于 1,000,000,000,000,000"),
        ({"requests.new.natural": "3"}, "单元格的值应为数字或 null"),
        ({"requests.new.natural": True}, "单元格的值应为数字或 null"),
        ({"requests.new.natural": -(10**18)}, "超出合理范围"),
        ({"active.fees.amount": 1.5e22}, "超出合理范围"),
    ],
)
def test_a_report_json_with_an_impossible_year_or_number_is_refused_issue_14(changes, message) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        report_from_json(_json(**changes))


def test_the_years_follow_the_clock_and_the_edges_are_kept_issue_14() -> None:
    assert report_from_json(_json(year=2008)).year == 2008
    assert report_from_json(_json(year=2027)).year == 2027
    assert report_from_json(_json(**{"requests.new.natural": 999_999_999_999_999})) is not None
    with on_day(date(2027, 1, 4)):
        assert report_from_json(_json(year=2028)).year == 2028


def test_a_reader_that_finds_no_possible_year_leaves_it_unread_issue_14() -> None:
    """A title's typo (「2092年度」) is no reason to fail reading the whole report."""
    assert build_report("2021", {}, year=2092).year is None
    assert build_report("2021", {}, year=2025).year == 2025


def test_check_and_parse_of_such_a_json_say_so_in_one_line_issue_14(tmp_path: Path) -> None:
    path = tmp_path / "报告.json"
    path.write_text(json.dumps(_json(year=-2024), ensure_ascii=False), encoding="utf-8")
    for command in ("check", "parse"):
        result = CliRunner().invoke(app, [command, str(path)])
        assert result.exit_code == 2, result.output
        assert "年度 -2024 不在 2008 年至 2027 年之间" in result.output and "Traceback" not in result.output


def test_the_console_files_no_report_of_an_impossible_year_or_size_issue_14(site) -> None:  # noqa: F811
    supervisor = client_as(site, "supervisor")
    files = [
        ("minus.json", json.dumps(_json(year=-2024)).encode()),
        ("huge.json", json.dumps(_json(**{"requests.new.natural": 10**18})).encode()),
    ]
    response = upload(supervisor, files, organ="kj")
    assert response.status_code == 200
    assert "minus.json" in response.text and "年度 -2024 不在 2008 年至 2027 年之间" in response.text
    assert "huge.json" in response.text and "超出合理范围" in response.text
    assert "requests.new.natural" in response.text and "这里是 1000000000000000000" in response.text
    assert "已归入" not in response.text
    with site.state.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ReportRecord)) == 0


def test_a_clerk_cannot_open_a_workspace_for_an_impossible_year_issue_14(site) -> None:  # noqa: F811
    clerk = client_as(site, "clerk")
    token = csrf_of(clerk.get("/organs/kj/reports").text)
    response = clerk.post("/organs/kj/reports", data={"csrf": token, "year": "2099"}, follow_redirects=False)
    assert response.status_code == 400 and "年度应在 2008 年至 2027 年之间，而不是 2099 年" in response.text
    with site.state.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ReportRecord)) == 0
