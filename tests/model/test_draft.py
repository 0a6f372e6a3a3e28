"""A new year's draft (issue 4): what carries over from last year's report, the rest empty."""

from __future__ import annotations

import json

from conftest import clean_report_2019, clean_report_2021
from hypothesis import given, settings
from support.strategies import valid_reports
from typer.testing import CliRunner

from gongkai.cli import app
from gongkai.model.draft import draft_report
from gongkai.model.report import report_cells, report_from_json, report_to_json

runner = CliRunner()


@settings(max_examples=30, deadline=None)
@given(last=valid_reports("2021"))
def test_carried_in_is_last_years_carried_over_and_nothing_else_is_filled(last):
    """表三 「上年结转」 = last year's 「结转下年度」 column by column; in-force counts start from
    last year's; every other cell is empty, for the year's work to fill."""
    last = last.model_copy(update={"year": 2024})
    draft, carried = draft_report(last, 2025)
    before, after = report_cells(last), report_cells(draft)
    assert (draft.format, draft.year, draft.agency) == ("2021", 2025, last.agency)
    for key, value in after.items():
        if key.startswith("requests.carried_in."):
            assert value == before[key.replace("carried_in", "carried_over")]
        elif key.endswith(".in_force"):
            assert value == before[key]
        else:
            assert value is None, key
    assert {c.key for c in carried} == {k for k, v in after.items() if v is not None}
    assert all(c.adjust for c in carried if c.key.endswith(".in_force"))


def test_a_2020_draft_from_2019_carries_the_2019_counts_forward():
    """2019 layout: 「上一年项目数量」 = last year's 上一年项目数量 + 本年增/减."""
    last = clean_report_2019().model_copy(update={"year": 2019})
    draft, _ = draft_report(last, 2020)
    before, after = report_cells(last), report_cells(draft)
    assert draft.format == "2019"
    for row in ("licensing", "penalty", "coercion", "fees"):
        previous, change = before[f"active.{row}.previous"], before[f"active.{row}.change"]
        if previous is not None and change is not None:
            assert after[f"active.{row}.previous"] == previous + change
    assert after["active.rules.total"] == before["active.rules.total"]
    assert after["active.licensing.decisions"] is None


def test_across_the_change_of_layout_only_table_three_carries():
    """A 2021 draft from a 2020 (2019-layout) report: 表二's counts measure other things."""
    last = clean_report_2019()
    assert last.year == 2020
    draft, carried = draft_report(last, 2021)
    assert draft.format == "2021"
    assert {c.key.split(".")[0] for c in carried} == {"requests"}


def test_draft_command_writes_json_and_says_what_it_filled(tmp_path):
    last = tmp_path / "2024.json"
    last.write_text(json.dumps(report_to_json(clean_report_2021()), ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "2025.json"
    result = runner.invoke(app, ["draft", "--from", str(last), "--year", "2025", "-o", str(out)])
    assert result.exit_code == 0, result.output
    draft = report_from_json(json.loads(out.read_text(encoding="utf-8")))
    assert (
        draft.year == 2025
        and draft.requests.carried_in.total == clean_report_2021().requests.carried_over.total
    )
    assert "上年结转" in result.output and "现行有效件数" in result.output


def test_draft_from_the_wrong_year_is_one_message(tmp_path):
    last = tmp_path / "2024.json"
    last.write_text(json.dumps(report_to_json(clean_report_2021()), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["draft", "--from", str(last), "--year", "2027"])
    assert result.exit_code == 2
    assert "2025年的草稿" in result.output and "Traceback" not in result.output
