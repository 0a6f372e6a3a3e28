"""Each rule, on a clean report with exactly the cells it guards broken.

The cases read as sentences a legal reviewer can follow: the situation, the cells changed,
the rule that must fire and the cells it must name. A clean report gives no finding at all.
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import clean_report_2019, clean_report_2021

from gongkai.checks import RULES, check_report, has_errors
from gongkai.model.report import Severity

CASES = [
    # (id, situation, format, changed cells, changed sections/fields, rule, cells named, severity)
    (
        "row-sum",
        "上年结转一行的总计比各类申请人之和多1，结转下年度同样多1（勾稽关系仍成立）",
        "2021",
        {"requests.carried_in.total": 3, "requests.carried_over.total": 3},
        {},
        "T3-ROW-SUM",
        {"requests.carried_in.total", "requests.carried_over.total"},
        "error",
    ),
    (
        "balance",
        "上年结转：自然人多1、商业企业少1（行内合计不变）",
        "2021",
        {"requests.carried_in.natural": 2, "requests.carried_in.commercial": 0},
        {},
        "T3-BALANCE",
        {"requests.carried_in.natural", "requests.carried_in.commercial"},
        "error",
    ),
    (
        "outcome-sum",
        "予以公开一行自然人多计1件（行内总计也跟着多1），（七）总计未变",
        "2021",
        {"requests.granted.natural": 4, "requests.granted.total": 4},
        {},
        "T3-OUTCOME-SUM",
        {"requests.total.natural", "requests.granted.natural", "requests.total.total"},
        "error",
    ),
    (
        "outcome-sum-2019",
        "2019年格式：（六）其他处理商业企业多计1件",
        "2019",
        {"requests.other.commercial": 2, "requests.other.total": 2},
        {},
        "T3-OUTCOME-SUM",
        {"requests.other.commercial", "requests.total.commercial"},
        "error",
    ),
    (
        "t3-values",
        "自然人予以公开填了小数",
        "2021",
        {"requests.granted.natural": 2.5},
        {},
        "T3-VALUES",
        {"requests.granted.natural"},
        "error",
    ),
    (
        "t4-sum",
        "行政复议结果纠正1件未计入总计",
        "2021",
        {"appeals.review.corrected": 1},
        {},
        "T4-GROUP-SUM",
        {"appeals.review.total", "appeals.review.corrected"},
        "error",
    ),
    (
        "t4-values",
        "复议后起诉尚未审结为负数",
        "2021",
        {"appeals.suit_after_review.pending": -1, "appeals.suit_after_review.other": 1},
        {},
        "T4-VALUES",
        {"appeals.suit_after_review.pending"},
        "error",
    ),
    (
        "t2-values",
        "行政许可处理决定数量为负数",
        "2021",
        {"active.licensing.decisions": -3},
        {},
        "T2-VALUES",
        {"active.licensing.decisions"},
        "error",
    ),
    (
        "t2-money",
        "收费金额为负数",
        "2021",
        {"active.fees.amount": -0.5},
        {},
        "T2-VALUES",
        {"active.fees.amount"},
        "error",
    ),
    (
        "t2-2019-pub",
        "2019年格式：规范性文件新公开多于对外公开总数",
        "2019",
        {"active.normative.published": 50},
        {},
        "T2-2019-PUB",
        {"active.normative.published", "active.normative.total"},
        "warning",
    ),
    (
        "format-year",
        "2020年度的报告用了2021年格式",
        "2021",
        {},
        {"year": 2020},
        "LAY-FORMAT-YEAR",
        set(),
        "error",
    ),
    ("six", "缺少第五部分", "2021", {}, {"problems": None}, "SEC-SIX", set(), "error"),
    ("five-empty", "第五部分只有「无」", "2021", {}, {"problems": "无。"}, "SEC-5-BODY", set(), "error"),
    (
        "five-measures",
        "第五部分只列问题，没有改进措施",
        "2021",
        {},
        {"problems": "存在信息公开不够及时、栏目内容较少等问题。"},
        "SEC-5-BODY",
        set(),
        "warning",
    ),
    ("six-absent", "缺少第六部分", "2019", {}, {"other": None}, "SEC-6-PRESENT", set(), "error"),
    (
        "six-fee",
        "2021年格式：第六部分没有说明信息处理费",
        "2021",
        {},
        {"other": "无其他需要报告的事项。"},
        "SEC-6-FEE",
        set(),
        "error",
    ),
    (
        "aspects",
        "总体情况没有写平台建设",
        "2021",
        {},
        {"overview": "本年主动公开信息100条，依申请公开答复及时，政府信息管理规范，监督保障有力。"},
        "SEC-1-ASPECTS",
        set(),
        "warning",
    ),
    (
        "gov",
        "人民政府的报告没有写社会评议和责任追究",
        "2021",
        {},
        {
            "agency": "示例市人民政府",
            "overview": "本年主动公开、依申请公开、政府信息管理、平台建设、监督保障均有进展，"
            "本年共收到政府信息公开申请7件。工作考核结果良好。",
        },
        "SEC-1-GOV",
        set(),
        "warning",
    ),
    (
        "period",
        "统计期限写成了11月30日",
        "2021",
        {},
        {
            "overview": "本报告所列数据的统计期限为2024年1月1日至2024年11月30日。" + "主动公开 依申请公开 "
            "政府信息管理 平台建设 监督保障 本年共收到政府信息公开申请7件。"
        },
        "SEC-PERIOD",
        set(),
        "warning",
    ),
    (
        "fee-row",
        "表三有1件逾期未缴费，第六部分却说未发出收费通知",
        "2021",
        {
            "requests.other.no_correction.commercial": 0,
            "requests.other.no_correction.total": 0,
            "requests.other.no_fee.commercial": 1,
            "requests.other.no_fee.total": 1,
        },
        {},
        "X-FEE-ROW",
        {"requests.other.no_fee.total"},
        "warning",
    ),
    (
        "fee-amount",
        "实际收取多于收费通知金额",
        "2021",
        {},
        {"other": "本年度发出收费通知1件，金额200元，实际收取300元。"},
        "X-FEE-AMOUNT",
        set(),
        "warning",
    ),
    (
        "text-t3",
        "正文说收到9件申请，表三是7件",
        "2021",
        {},
        {"overview": "主动公开 依申请公开：本年共收到政府信息公开申请9件。政府信息管理 平台建设 监督保障"},
        "X-TEXT-T3",
        {"requests.new.total"},
        "warning",
    ),
    (
        "text-t3-none",
        "正文说没有收到申请，表三是7件",
        "2021",
        {},
        {"overview": "主动公开 依申请公开：本年度未收到政府信息公开申请。政府信息管理 平台建设 监督保障"},
        "X-TEXT-T3",
        {"requests.new.total"},
        "warning",
    ),
    (
        "text-t4",
        "正文说没有复议诉讼，表四有1件复议",
        "2021",
        {},
        {"appeals": "本年度未发生政府信息公开行政复议、行政诉讼情况。"},
        "X-TEXT-T4",
        {"appeals.review.total"},
        "warning",
    ),
]


def _report(fmt: str, cells: dict, fields: dict):
    report = (clean_report_2021 if fmt == "2021" else clean_report_2019)(**cells)
    top = {k: fields[k] for k in ("agency", "year") if k in fields}
    section_changes = {k: v for k, v in fields.items() if k not in top}
    sections = report.sections.model_copy(update=section_changes)
    return report.model_copy(update={**top, "sections": sections})


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_clean_report_has_no_finding(fmt):
    """The reference reports are clean: any finding here is a false alarm."""
    report = clean_report_2021() if fmt == "2021" else clean_report_2019()
    assert check_report(report) == []


@pytest.mark.parametrize(
    ("case", "situation", "fmt", "cells", "fields", "rule", "named", "severity"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_rule_fires_on_exactly_its_cells(case, situation, fmt, cells, fields, rule, named, severity):
    """A report broken in one way gets that rule's finding, naming the broken cells."""
    findings = check_report(_report(fmt, cells, fields))
    mine = [f for f in findings if f.rule == rule]
    assert mine, f"{situation}: expected {rule}, got {[f.rule for f in findings]}"
    assert {f.severity.value for f in mine} == {severity}
    assert named <= {c for f in mine for c in f.cells}, situation
    assert all(f.message and f.clause for f in mine)
    # Only value rules may bring identity findings along (a bad value also breaks sums).
    others = {f.rule for f in findings} - {rule}
    if rule not in ("T3-VALUES", "T4-VALUES"):
        assert not others, f"{situation}: unexpected {others}"


def test_blank_total_is_not_stated_not_zero():
    """A blank 总计 beside filled parts is "not stated": T3-ROW-SUM warns, no identity counts it as 0."""
    findings = check_report(_report("2021", {"requests.granted.total": None}, {}))
    row = [f for f in findings if f.rule == "T3-ROW-SUM"]
    assert [(f.severity.value, f.cells[0], f.expected, f.found) for f in row] == [
        ("warning", "requests.granted.total", 3, None)
    ]
    assert {f.rule for f in findings} == {"T3-ROW-SUM"}
    # The same for （七）总计 itself: the balance and outcome identities use the row's sum.
    findings = check_report(_report("2021", {"requests.total.total": None}, {}))
    assert [(f.rule, f.severity.value) for f in findings] == [("T3-ROW-SUM", "warning")]


def test_deadline_needs_the_publication_date():
    """SEC-DEADLINE: a department publishing on 10 February is late; on 20 January it is not."""
    report = clean_report_2021()
    assert [f.rule for f in check_report(report, published=date(2025, 1, 20))] == []
    late = check_report(report, published=date(2025, 2, 10))
    assert [(f.rule, f.expected, f.found) for f in late] == [("SEC-DEADLINE", "2025-01-31", "2025-02-10")]
    government = report.model_copy(update={"agency": "示例市人民政府"})
    assert "SEC-DEADLINE" not in {f.rule for f in check_report(government, published=date(2025, 3, 1))}


def test_balance_message_names_the_numbers():
    """The message says, in Chinese, the column, both sides and the difference (style.md §5)."""
    report = _report("2021", {"requests.carried_over.natural": 2, "requests.carried_over.total": 3}, {})
    [finding, _] = [f for f in check_report(report) if f.rule == "T3-BALANCE"]
    assert "自然人" in finding.message and "相差1" in finding.message
    assert (finding.expected, finding.found) == (6, 7)


def test_checks_never_stop_at_the_first_finding():
    """Several defects at once: every one is reported."""
    report = _report(
        "2021",
        {"requests.new.total": 8, "appeals.review.corrected": 1, "active.licensing.decisions": -1},
        {"other": "无。"},
    )
    rules = {f.rule for f in check_report(report)}
    assert {"T3-ROW-SUM", "T3-BALANCE", "T4-GROUP-SUM", "T2-VALUES", "SEC-6-FEE"} <= rules
    assert has_errors(check_report(report))


def test_every_rule_has_metadata_and_a_known_severity():
    """The catalogue is generated from rule metadata: every field must be filled."""
    spec_ids = {  # format-and-law.md §12, every check a single report allows
        "SEC-SIX",
        "SEC-TITLE",
        "SEC-1-ASPECTS",
        "SEC-1-GOV",
        "SEC-5-BODY",
        "SEC-6-PRESENT",
        "SEC-6-FEE",
        "SEC-PERIOD",
        "SEC-DEADLINE",
        "LAY-FORMAT-YEAR",
        "LAY-FORMAT-CONSISTENT",
        "LAY-T2-SHAPE",
        "LAY-T3-SHAPE",
        "LAY-T4-SHAPE",
        "LAY-T3-NOTE",
        "LAY-T2-FEE-UNIT",
        "LAY-T2-PROC-UNIT",
        "T2-VALUES",
        "T2-2019-PUB",
        "T3-VALUES",
        "T3-ROW-SUM",
        "T3-BALANCE",
        "T3-OUTCOME-SUM",
        "T4-VALUES",
        "T4-GROUP-SUM",
        "X-FEE-ROW",
        "X-FEE-AMOUNT",
        "X-TEXT-T3",
        "X-TEXT-T4",
    }
    # across years: format-and-law.md §12's four, and issue 17's three (checks/years.py)
    spec_ids |= {"XY-T3-CARRY", "XY-T2-INFORCE", "XY-T2-PROJECTS", "XY-FORMAT"}
    spec_ids |= {"XY-APPEALS", "XY-REPEAT", "XY-JUMP"}
    assert set(RULES) == spec_ids
    for rule in RULES.values():
        assert rule.id.isupper() and rule.title and rule.clause and rule.cells
        # XY-JUMP is a note for supervisors and researchers, not a fault of the report
        assert rule.severity in (Severity.ERROR, Severity.WARNING) or rule.id == "XY-JUMP"
        assert rule.across_years == rule.id.startswith("XY-")
        assert rule.function.__doc__, rule.id


def test_select_and_ignore():
    """Findings can be narrowed to some rules or some rules left out."""
    report = _report("2021", {"requests.new.total": 8}, {"other": "无。"})
    assert {f.rule for f in check_report(report, select=["SEC-6-FEE"])} == {"SEC-6-FEE"}
    assert "SEC-6-FEE" not in {f.rule for f in check_report(report, ignore=["SEC-6-FEE"])}
