"""Across years (issue 17 §3): one organ's report against its report of the year before."""

from __future__ import annotations

import pytest
from conftest import clean_report_2019, clean_report_2021

from gongkai.checks import check_years, report_context, year_pairs
from gongkai.checks.years import YearPair
from gongkai.model.report import Severity

AGENCY = "示例市科学技术局"


def _year(report, year: int, agency: str = AGENCY, **sections):
    update = {"year": year, "agency": agency}
    if sections:
        update["sections"] = report.sections.model_copy(update=sections)
    return report.model_copy(update=update)


def _findings(previous, current, rule: str | None = None):
    found = check_years(YearPair(report_context(previous), report_context(current)))
    return [f for f in found if rule is None or f.rule == rule]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (clean_report_2021, clean_report_2021),
        (clean_report_2019, clean_report_2019),
        (clean_report_2019, clean_report_2021),  # across the change of layout: table 三 kept its rows
    ],
    ids=["2021", "2019", "2019-to-2021"],
)
def test_carried_in_must_equal_last_years_carried_over(before, after):
    """Protects XY-T3-CARRY on both layouts and across the change: 二 of year Y = 四 of year Y−1 in
    every column; a difference names the cell of the later report and last year's figure."""
    previous, current = _year(before(), 2020), _year(after(), 2021)
    assert _findings(previous, current, "XY-T3-CARRY") == []
    current = _year(after(**{"requests.carried_in.natural": 3, "requests.new.natural": 3}), 2021)
    found = _findings(previous, current, "XY-T3-CARRY")
    assert [(f.cells, f.expected, f.found, f.severity) for f in found] == [
        (["requests.carried_in.natural"], 1, 3, Severity.WARNING)
    ]
    assert "2020年报告的“结转下年度继续办理”为1" in found[0].message


def test_in_force_follows_last_year_in_the_2021_layout_only():
    """Protects XY-T2-INFORCE: 现行有效件数 = last year's + 本年制发 − 本年废止 (2021 layout, both
    years); across the change of layout table 二 is not compared, and XY-FORMAT says so."""
    previous = _year(clean_report_2021(**{"active.normative.in_force": 9}), 2022)
    assert _findings(previous, _year(clean_report_2021(), 2023), "XY-T2-INFORCE") == []  # 9 + 2 − 1 = 10
    found = _findings(
        previous, _year(clean_report_2021(**{"active.normative.in_force": 12}), 2023), "XY-T2-INFORCE"
    )
    assert [(f.rule, f.cells, f.expected, f.found) for f in found] == [
        ("XY-T2-INFORCE", ["active.normative.in_force"], 10, 12)
    ]
    across = _findings(_year(clean_report_2019(), 2020), _year(clean_report_2021(), 2021))
    assert [(f.rule, f.severity) for f in across if f.rule.startswith("XY-T2") or f.rule == "XY-FORMAT"] == [
        ("XY-FORMAT", Severity.INFO)
    ]
    backwards = _findings(_year(clean_report_2021(), 2021), _year(clean_report_2019(), 2022), "XY-FORMAT")
    assert [f.severity for f in backwards] == [Severity.WARNING]
    assert "退回了旧格式" in backwards[0].message


def test_previous_projects_follow_last_year_in_the_2019_layout():
    """Protects XY-T2-PROJECTS: 上一年项目数量(Y) = 上一年项目数量(Y−1) + 本年增/减(Y−1)."""
    previous = _year(clean_report_2019(), 2019)  # licensing: previous 12, change −2
    now = _year(clean_report_2019(**{"active.licensing.previous": 10}), 2020)
    assert _findings(previous, now, "XY-T2-PROJECTS") == []
    found = _findings(previous, _year(clean_report_2019(), 2020), "XY-T2-PROJECTS")  # still 12
    assert [(f.rule, f.cells, f.expected, f.found) for f in found] == [
        ("XY-T2-PROJECTS", ["active.licensing.previous"], 10, 12)
    ]


@pytest.mark.parametrize("make", [clean_report_2021, clean_report_2019], ids=["2021", "2019"])
def test_pending_appeals_must_reappear(make):
    """Protects XY-APPEALS: cases 尚未审结 last year, and nothing at all in that group this year."""
    previous = _year(
        make(**{"appeals.review.pending": 2, "appeals.review.upheld": 0, "appeals.review.total": 2}), 2020
    )
    now = _year(make(**{"appeals.review.upheld": 0, "appeals.review.total": 0}), 2021)
    found = _findings(previous, now, "XY-APPEALS")
    assert [(f.rule, f.cells) for f in found] == [("XY-APPEALS", ["appeals.review.total"])]
    assert _findings(previous, _year(make(), 2021), "XY-APPEALS") == []  # a case this year: they reappear


def test_problems_copied_from_last_year_are_a_warning_and_the_overview_a_note():
    """Protects XY-REPEAT: section 五 whose sentences are last year's word for word is a warning,
    section 一 so is a note; a section rewritten, or a different organ's, is not compared."""
    problems = "一是主动公开的深度和广度还不够。二是政策解读形式较为单一。三是平台栏目更新不够及时。"
    rewritten = "一是信息发布的时效性仍需提高。二是基层公开标准目录尚待完善。三是解读回应的针对性不强。"
    overview = "2023年，本局认真贯彻落实条例，坚持以公开为常态。全年主动公开政府信息120条，办理申请5件。"
    new_overview = "2024年，本局深入推进决策公开，完善公开目录。全年主动公开政府信息150条，办理申请8件。"
    previous = _year(clean_report_2021(), 2023, problems=problems, overview=overview)
    same = _findings(
        previous, _year(clean_report_2021(), 2024, problems=problems, overview=new_overview), "XY-REPEAT"
    )
    assert [(f.severity, f.cells) for f in same] == [(Severity.WARNING, ["sections.problems"])]
    assert "3句中有3句与2023年报告一字不差" in same[0].message
    copied = _findings(
        previous, _year(clean_report_2021(), 2024, problems=rewritten, overview=overview), "XY-REPEAT"
    )
    assert [(f.severity, f.cells) for f in copied] == [(Severity.INFO, ["sections.overview"])]
    fresh = _year(clean_report_2021(), 2024, problems=rewritten, overview=new_overview)
    assert _findings(previous, fresh, "XY-REPEAT") == []


def test_a_figure_far_outside_last_years_is_noted():
    """Protects XY-JUMP: a factor of five and fifty or more is noted; small counts moving by a large
    factor (3 → 12) are not."""
    base = {"requests.new.natural": 3, "requests.new.total": 3}
    previous = _year(clean_report_2021(**base), 2023)
    small = _findings(previous, _year(clean_report_2021(**{"requests.new.total": 12}), 2024), "XY-JUMP")
    assert small == []
    big = _findings(previous, _year(clean_report_2021(**{"requests.new.total": 300}), 2024), "XY-JUMP")
    assert [(f.cells, f.severity) for f in big] == [(["requests.new.total"], Severity.INFO)]


def test_pairs_are_one_organs_consecutive_years():
    """Reports are paired by organ (its name without spaces) and consecutive years; a gap in the
    years or another organ makes no pair, and a second copy of one year is left out."""
    reports = [
        _year(clean_report_2021(), 2022),
        _year(clean_report_2021(), 2021, agency="示例市 科学技术局"),
        _year(clean_report_2021(), 2024),
        _year(clean_report_2021(), 2023, agency="示例市教育局"),
        _year(clean_report_2021(), 2022),
    ]
    pairs = year_pairs(report_context(r) for r in reports)
    assert [(p.previous.report.year, p.current.report.year) for p in pairs] == [(2021, 2022)]
    assert pairs[0].current.report is reports[0]
