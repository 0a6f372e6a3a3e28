"""Regression tests for the narrative checks (SEC-*, X-*) and the section headings: false and
missed findings a review found."""

from __future__ import annotations

from datetime import date

from conftest import SECTION_ORDER, clean_report_2019, clean_report_2021
from support.textwriter import SECTION_TITLES, write_word_text

from gongkai.checks import check_report
from gongkai.readers import read_text
from gongkai.readers.sections import match_heading


def _with(report, **sections):
    """``report`` with some section texts replaced."""
    return report.model_copy(update={"sections": report.sections.model_copy(update=sections)})


def _rules(report, rule, **kwargs):
    return [f for f in check_report(report, **kwargs) if f.rule == rule]


# --- X-TEXT-T4 ---------------------------------------------------------------------------------


def test_t4_clause_with_a_count_is_not_a_none_claim():
    """「未发生…行政复议案件，发生行政诉讼案件1件」 states a lawsuit: not a claim that there was none."""
    report = clean_report_2021(
        **{
            "appeals.review.upheld": 0,
            "appeals.review.total": 0,
            "appeals.suit_direct.upheld": 1,
            "appeals.suit_direct.total": 1,
        }
    )
    report = _with(report, appeals="本年度未发生政府信息公开行政复议案件，发生行政诉讼案件1件。")
    assert _rules(report, "X-TEXT-T4") == []


def test_t4_weijing_is_not_a_negation():
    """「未经复议直接提起行政诉讼」 describes a lawsuit, it does not deny one."""
    report = clean_report_2021(**{"appeals.suit_direct.upheld": 1, "appeals.suit_direct.total": 1})
    report = _with(
        report,
        appeals="本年度被申请行政复议1件，结果维持。另有申请人未经复议直接提起行政诉讼，法院判决维持。",
    )
    assert _rules(report, "X-TEXT-T4") == []


def test_t4_no_pending_cases_is_not_a_none_claim():
    """「无尚未审结的复议和诉讼案件」 is about the pending cases only; a real "none" still fires."""
    report = _with(
        clean_report_2021(), appeals="本年度被申请行政复议1件，结果维持。无尚未审结的复议和诉讼案件。"
    )
    assert _rules(report, "X-TEXT-T4") == []
    # the true positive: 「未发生…行政复议、行政诉讼情况」 while table 四 has a case
    report = _with(clean_report_2021(), appeals="本年度未发生政府信息公开行政复议、行政诉讼情况。")
    found = _rules(report, "X-TEXT-T4")
    assert len(found) == 1
    assert "appeals.review.total" in found[0].cells


def test_t4_cases_stated_while_table_is_all_zero():
    """The other direction of ⇔: 「被申请行政复议2件」 while every cell of table 四 is 0."""
    report = clean_report_2021(**{"appeals.review.upheld": 0, "appeals.review.total": 0})
    report = _with(report, appeals="本年度被申请行政复议2件，结果均为维持。")
    found = _rules(report, "X-TEXT-T4")
    assert len(found) == 1
    assert (found[0].expected, found[0].found) == (0, 2)
    # and a zero table with a matching "none" text is clean
    clean = _with(report, appeals="本年度未发生政府信息公开行政复议、行政诉讼情况。")
    assert _rules(clean, "X-TEXT-T4") == []


# --- X-TEXT-T3 ---------------------------------------------------------------------------------


def _overview(sentence: str) -> str:
    return f"2024年，本局认真贯彻《条例》。主动公开、依申请公开、信息管理、平台建设、监督保障均有进展。{sentence}"


def test_t3_working_days_are_not_a_request_count():
    """「收到申请后3个工作日内答复」 is a period, not 3 requests."""
    report = _with(clean_report_2021(), overview=_overview("对收到申请后3个工作日内答复的，当场登记。"))
    assert _rules(report, "X-TEXT-T3") == []


def test_t3_reconsideration_requests_are_not_disclosure_requests():
    """申请 qualified by 行政复议 is not a disclosure request, counted or denied."""
    counted = _with(clean_report_2021(), overview=_overview("全年收到行政复议申请1件。"))
    assert _rules(counted, "X-TEXT-T3") == []
    denied = _with(clean_report_2021(), overview=_overview("本年度未收到行政复议申请。"))
    assert _rules(denied, "X-TEXT-T3") == []
    # the true positive: no disclosure request said, 7 in the table
    denied = _with(clean_report_2021(), overview=_overview("本年度未收到政府信息公开申请。"))
    assert [(f.expected, f.found) for f in _rules(denied, "X-TEXT-T3")] == [(0, 7)]


def test_t3_every_quoted_figure_is_read():
    """A first figure of some other kind does not hide a later one that agrees (new total 7)."""
    report = _with(
        clean_report_2021(),
        overview=_overview("本年受理当场答复的申请2件。本年共收到政府信息公开申请7件。"),
    )
    assert _rules(report, "X-TEXT-T3") == []


def test_t3_figure_including_carried_in_requests():
    """「共受理…申请9件（含上年结转2件）」: 9 = new 7 + carried-in 2; without 「含上年结转」 9 ≠ 7."""
    report = _with(clean_report_2021(), overview=_overview("共受理政府信息公开申请9件（含上年结转2件）。"))
    assert _rules(report, "X-TEXT-T3") == []
    wrong = _with(clean_report_2021(), overview=_overview("本年共收到政府信息公开申请9件。"))
    assert [(f.expected, f.found) for f in _rules(wrong, "X-TEXT-T3")] == [(7, 9)]


# --- 信息处理费 ---------------------------------------------------------------------------------


def test_fee_amount_sums_every_notice_amount():
    """「金额分别为100元和200元，实际收取300元」: 300 collected of 300 notified."""
    report = clean_report_2021(**{"requests.other.no_fee.total": 0})
    ok = _with(report, other="本年度发出收费通知2件，金额分别为100元和200元，实际收取300元。")
    assert _rules(ok, "X-FEE-AMOUNT") == []
    too_much = _with(report, other="本年度发出收费通知1件，金额200元，实际收取300元。")
    assert [(f.expected, f.found) for f in _rules(too_much, "X-FEE-AMOUNT")] == [("≤200元", "300元")]


def test_fee_row_negated_notice_is_no_notice():
    """「未向申请人发出收费通知」 reports no notice, so a non-zero 三（六）2 is flagged."""
    report = clean_report_2021(
        **{
            "requests.other.no_correction.commercial": 0,
            "requests.other.no_correction.total": 0,
            "requests.other.no_fee.commercial": 1,
            "requests.other.no_fee.total": 1,
        }
    )
    report = _with(report, other="本年度未向申请人发出收费通知，未收取信息处理费。")
    assert len(_rules(report, "X-FEE-ROW")) == 1
    issued = _with(report, other="本年度向申请人发出收费通知1件，金额60元，申请人逾期未缴纳。")
    assert _rules(issued, "X-FEE-ROW") == []


def test_sec6_fee_bare_shoufei_is_not_enough():
    """「无行政事业性收费项目」 says nothing of the 信息处理费; the usual wordings do."""
    bare = _with(clean_report_2021(), other="本机关无行政事业性收费项目。")
    assert len(_rules(bare, "SEC-6-FEE")) == 1
    for text in ("本年度未收取信息处理费。", "本年度未产生信息公开处理费。", "本年度未发出收费通知。"):
        assert _rules(_with(clean_report_2021(), other=text), "SEC-6-FEE") == [], text


# --- SEC-DEADLINE ------------------------------------------------------------------------------


def test_deadline_only_township_organs_are_skipped():
    """乡/镇/街道 inside a name does not make an organ township-level; 镇江市人民政府 is due 31 March."""

    def late(agency: str, published: date) -> list:
        report = clean_report_2021().model_copy(update={"agency": agency})
        return _rules(report, "SEC-DEADLINE", published=published)

    assert [f.expected for f in late("杭州市住房和城乡建设局", date(2025, 2, 15))] == ["2025-01-31"]
    assert [f.expected for f in late("镇江市人民政府", date(2025, 4, 15))] == ["2025-03-31"]
    assert [f.expected for f in late("乡宁县人民政府", date(2025, 4, 15))] == ["2025-03-31"]
    assert late("镇江市人民政府", date(2025, 3, 1)) == []
    for township in ("某某镇人民政府", "某某乡人民政府", "某某街道办事处", "某某镇政府"):
        assert late(township, date(2025, 6, 1)) == [], township


# --- headings ----------------------------------------------------------------------------------


def test_heading_arabic_with_dot_is_a_sub_item():
    """「3.依申请公开情况」 numbers an item inside 一; 「1、」「5、」 (Word auto-numbering) are headings."""
    assert match_heading("3.依申请公开情况") is None
    assert match_heading("2.主动公开情况") is None
    assert match_heading("4.行政复议和行政诉讼") is None
    assert match_heading("1、 总体情况") == ("overview", 1, True)
    assert match_heading("5、 存在的主要问题及改进情况") == ("problems", 5, True)
    text = write_word_text(clean_report_2021()).replace(
        "（一）主动公开\n", "2.主动公开情况\n\n3.依申请公开情况\n\n4.行政复议和行政诉讼\n\n", 1
    )
    reading = read_text(text)
    assert [h.text for h in reading.sections.headings] == list(SECTION_TITLES)
    assert "3.依申请公开情况" in reading.report.sections.overview


def test_heading_unnumbered_only_when_it_is_the_heading():
    """An unnumbered line is a heading only when it is the official heading or a known variant."""
    assert match_heading("本机关无其他需要报告的事项") is None
    assert match_heading("因政府信息公开工作被申请行政复议和提起行政诉讼情况") == ("appeals", 4, False)
    assert match_heading("政府信息公开工作存在的主要问题及改进情况") == ("problems", 5, False)
    text = write_word_text(clean_report_2021())
    text = text.replace(
        "四、政府信息公开行政复议、行政诉讼情况", "因政府信息公开工作被申请行政复议和提起行政诉讼情况"
    )
    reading = read_text(text)
    assert [h.key for h in reading.sections.headings] == SECTION_ORDER
    # 「本机关无其他需要报告的事项」 at the end of 五 does not swallow the real 六 heading
    text = write_word_text(clean_report_2019()).replace(
        "五、存在的主要问题及改进情况\n", "存在的主要问题及改进情况\n\n本机关无其他需要报告的事项\n", 1
    )
    reading = read_text(text)
    assert reading.sections.headings[-1].text == "六、其他需要报告的事项"
    assert "本机关无其他需要报告的事项" in reading.report.sections.problems


def test_fee_amounts_add_up_as_written_issue_13():
    """100.1元 and 200.2元 notified are 300.3元, not 300.29999999999995; 1.2万元 is 12000元, not 1.2e+04."""
    report = clean_report_2021(**{"requests.other.no_fee.total": 0})
    exact = _with(report, other="本年度发出收费通知2件，金额分别为100.1元和200.2元，实际收取300.3元。")
    assert _rules(exact, "X-FEE-AMOUNT") == []
    over = _with(report, other="本年度发出收费通知2件，金额分别为100.1元和200.2元，实际收取300.4元。")
    assert [(f.expected, f.found) for f in _rules(over, "X-FEE-AMOUNT")] == [("≤300.3元", "300.4元")]
    large = _with(report, other="本年度发出收费通知1件，金额1234567.5元，实际收取1.3万元。")
    assert _rules(large, "X-FEE-AMOUNT") == []
    ten_thousands = _with(report, other="本年度发出收费通知1件，金额1.2万元，实际收取1234567.5元。")
    assert [(f.expected, f.found) for f in _rules(ten_thousands, "X-FEE-AMOUNT")] == [
        ("≤12000元", "1234567.5元")
    ]
