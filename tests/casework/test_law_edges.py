"""The law's edge cases of issue 13 §3, each named by its article, on one request's clock; and the
deadlines that reach a year nobody has entered (§2), which are 待定 rather than a refusal."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from conftest import DATA

from gongkai.casework.holiday_notice import read_notice
from gongkai.casework.law import FEES_IN_FORCE, Channel
from gongkai.casework.requests import (
    Answered,
    ConsultationEnded,
    ConsultationStarted,
    CorrectionRequested,
    Delayed,
    Extended,
    FeeCancelled,
    FeeLapsed,
    FeeNoticed,
    FeePaid,
    IllegalStep,
    RequestCase,
    make_registration,
)
from gongkai.casework.workdays import WorkCalendar, YearArrangement

CAL = WorkCalendar()
NOTICES = DATA / "notices"


def case_on(
    received: date, calendar: WorkCalendar = CAL, channel: Channel = Channel.IN_PERSON
) -> RequestCase:
    event = make_registration(
        channel=channel,
        arrived=datetime.combine(received, datetime.min.time()),
        confirmed_on=received if channel.needs_confirmation else None,
        applicant_kind="natural",
        applicant_name="张三",
        subject="某项目的环评批复",
    )
    return RequestCase.replay(calendar, [event])


def due_of(case: RequestCase) -> date | None:
    found = case.answer_due()
    assert found is not None
    return found.due


def fee(on: date, method: str = "per_page", yuan: int = 700) -> FeeNoticed:
    return FeeNoticed(on=on, received_on=on, method=method, quantity=100, yuan=yuan)


# --- §3.1 条例第三十一条第（二）项 ----------------------------------------------------------------------


def test_article_31_2_an_ordinary_letter_is_received_on_the_day_of_confirmation() -> None:
    event = make_registration(
        channel=Channel.POST_UNSIGNED,
        arrived=datetime(2025, 12, 31, 10, 0),
        confirmed_on=date(2026, 1, 5),
        applicant_kind="natural",
        applicant_name="张三",
        subject="x",
    )
    case = RequestCase.replay(CAL, [event])
    assert case.received_on == date(2026, 1, 5)  # counted as new in 2026, not 2025
    assert due_of(case) == date(2026, 2, 2)


# --- §3.2 a passed answer date stays passed ------------------------------------------------------------


def test_article_33_once_the_answer_date_has_passed_a_consultation_does_not_move_it() -> None:
    case = case_on(date(2025, 9, 26))  # due 2025-10-30
    case.apply(ConsultationStarted(on=date(2025, 11, 3), party_kind="third_party", party="某公司"))
    case.apply(ConsultationEnded(on=date(2025, 11, 20)))
    assert due_of(case) == date(2025, 10, 30)


def test_article_33_and_the_fee_measures_a_late_fee_notice_does_not_move_the_answer_date() -> None:
    case = case_on(date(2025, 9, 26))
    case.apply(fee(date(2025, 11, 3)))
    assert due_of(case) == date(2025, 10, 30)
    case.apply(FeePaid(on=date(2025, 11, 10)))
    assert due_of(case) == date(2025, 10, 30)


def test_article_35_a_delay_cannot_be_set_once_the_answer_date_has_passed() -> None:
    case = case_on(date(2025, 9, 26))
    with pytest.raises(IllegalStep, match=r"答复期限已于 2025-10-30 届满.*第三十三条"):
        case.apply(Delayed(on=date(2025, 10, 31), until=date(2025, 12, 31)))
    case.apply(Delayed(on=date(2025, 10, 30), until=date(2025, 12, 31)))  # on the last day: in time
    assert due_of(case) == date(2025, 12, 31)


def test_article_33_a_consultation_in_time_still_pauses_the_clock() -> None:
    case = case_on(date(2025, 9, 26))
    case.apply(ConsultationStarted(on=date(2025, 10, 30), party_kind="organ", party="市发展改革委"))
    case.apply(ConsultationEnded(on=date(2025, 11, 6)))  # 5 working days
    assert due_of(case) == CAL.add_working_days(date(2025, 9, 26), 25)


# --- §3.3 条例第三十二条、第三十四条 -------------------------------------------------------------------


def test_articles_32_and_34_the_pause_ends_when_the_partys_15_working_days_run_out() -> None:
    case = case_on(date(2025, 5, 6))
    case.apply(
        ConsultationStarted(
            on=date(2025, 5, 7), party_kind="third_party", party="某公司", letter_received_on=date(2025, 5, 7)
        )
    )
    case.apply(ConsultationEnded(on=date(2025, 9, 30)))  # the organ kept waiting for months
    assert due_of(case) == date(2025, 6, 25)  # not 2025-11-03


# --- §3.4 and §3.5 the 信息处理费管理办法 -------------------------------------------------------------


def test_fee_measures_no_fee_notice_before_they_took_effect() -> None:
    case = case_on(date(2020, 12, 1))
    with pytest.raises(IllegalStep, match=f"自 {FEES_IN_FORCE} 起施行"):
        case.apply(fee(date(2020, 12, 10)))
    case = case_on(date(2020, 12, 28))
    case.apply(fee(date(2021, 1, 4)))
    assert case.fee_unpaid


def test_fee_measures_article_5_per_page_fees_only_with_an_answer_that_provides_copies() -> None:
    case = case_on(date(2026, 3, 2))
    case.apply(fee(date(2026, 3, 5)))
    case.apply(FeePaid(on=date(2026, 3, 9)))
    with pytest.raises(IllegalStep, match="不提供信息的答复不能按量收费"):
        case.apply(Answered(on=date(2026, 3, 20), outcome="unavailable.not_held"))
    case.apply(Answered(on=date(2026, 3, 20), outcome="partial"))
    assert case.outcome == "partial"
    # 按件计收 applies to every kind of decision (办法第四条)
    case = case_on(date(2026, 3, 2))
    case.apply(fee(date(2026, 3, 5), method="per_request", yuan=100))
    case.apply(FeePaid(on=date(2026, 3, 9)))
    case.apply(Answered(on=date(2026, 3, 20), outcome="withheld.internal"))


def test_fee_measures_no_fee_notice_while_a_correction_is_awaited() -> None:
    case = case_on(date(2026, 3, 2))
    case.apply(CorrectionRequested(on=date(2026, 3, 3), respond_by=date(2026, 3, 17), what="写明文件名称"))
    with pytest.raises(IllegalStep, match="申请待补正"):
        case.apply(fee(date(2026, 3, 5)))


def test_fee_measures_a_fee_notice_is_cancelled_with_a_reason_and_its_pause_ends() -> None:
    case = case_on(date(2026, 3, 2))
    case.apply(fee(date(2026, 3, 5)))
    with pytest.raises(ValueError):
        FeeCancelled(on=date(2026, 3, 9), reason=" ")
    case.apply(FeeCancelled(on=date(2026, 3, 9), reason="页数计算有误"))
    assert not case.fee_unpaid and case.fee_due() is None
    # the time from the notice to its cancellation (2 working days) is left out of the answer period
    assert due_of(case) == CAL.add_working_days(date(2026, 3, 2), 22)
    case.apply(fee(date(2026, 3, 10), yuan=500))  # a corrected notice may follow
    case.apply(FeePaid(on=date(2026, 3, 11)))
    with pytest.raises(IllegalStep, match="已缴费"):
        case.apply(FeeCancelled(on=date(2026, 3, 12), reason="x"))


# --- §3.6 the 2008 条例 ----------------------------------------------------------------------------------


def test_2008_regulation_article_24_applies_to_requests_received_before_2019_05_15() -> None:
    old = case_on(date(2019, 5, 14))
    assert due_of(old) == CAL.add_working_days(date(2019, 5, 14), 15)
    assert "2008年条例第二十四条第二款" in old.answer_due().explain()  # type: ignore[union-attr]
    with pytest.raises(IllegalStep, match="延长最长不超过15个工作日"):
        old.apply(Extended(on=date(2019, 5, 20), days=20, approver="主任"))
    old.apply(Extended(on=date(2019, 5, 20), days=15, approver="主任"))
    assert due_of(old) == CAL.add_working_days(date(2019, 5, 14), 30)
    assert old.correction_notice_due() is None  # the 2008 条例 set no period for it
    new = case_on(date(2019, 5, 15))
    assert due_of(new) == CAL.add_working_days(date(2019, 5, 15), 20)


# --- §2 years nobody has entered ------------------------------------------------------------------------


def test_a_correction_notice_plainly_in_time_is_taken_though_its_period_reaches_2027() -> None:
    case = case_on(date(2026, 12, 24))
    notice_due = case.correction_notice_due()
    assert notice_due is not None and notice_due.due is None and notice_due.missing_year == 2027
    case.apply(CorrectionRequested(on=date(2026, 12, 28), respond_by=date(2027, 1, 15), what="写明年份"))
    assert case.status() == "待补正"


def test_an_answer_date_in_2027_is_pending_and_names_the_year_and_an_extension_is_taken() -> None:
    case = case_on(date(2026, 12, 7))
    due = case.answer_due()
    assert due is not None and due.due is None and due.missing_year == 2027
    assert due.shown() == "待定（2027 年放假安排未录入）" and "录入后自动计算" in due.explain()
    case.apply(Extended(on=date(2026, 12, 14), days=10, approver="主任"))
    # the year entered: the same events give a date
    entered = WorkCalendar([read_notice((NOTICES / "2027-fictional.txt").read_text("utf-8")).arrangement])
    replayed = RequestCase.replay(entered, case.events)
    assert due_of(replayed) == entered.add_working_days(date(2026, 12, 7), 30)


def test_a_year_entered_in_part_gives_provisional_dates_past_what_it_names() -> None:
    only_new_year = YearArrangement(2027, {date(2027, 1, d): "元旦" for d in (1, 2, 3)})
    calendar = WorkCalendar([only_new_year])
    early = case_on(date(2026, 12, 1), calendar)  # due in December/early January: certain
    assert due_of(early) is not None and not early.answer_due().provisional  # type: ignore[union-attr]
    late = case_on(date(2026, 12, 28), calendar)  # reaches past 10 January, where 春节 may begin
    found = late.answer_due()
    assert found is not None and found.due is not None and found.provisional
    assert found.shown().endswith("（暂定）")


# --- what a year entered later does to history (review of issue 13) ------------------------------------


def test_recorded_history_is_never_refused_after_the_year_is_entered(store) -> None:
    """An extension taken while the answer date was 待定 (2027 unknown) turns out, once 2027 is
    entered, to have come after that date; the history stands, and every page can still show it."""
    from gongkai.store.calendar import enter_calendar_year
    from gongkai.store.casefiles import find_request, load_case, register, take_step
    from gongkai.store.db import transaction
    from gongkai.store.records import add_organ, work_calendar

    with transaction(store) as s:
        organ = add_organ(s, "kj", "某某区科学技术局", actor="t")
        row = register(s, organ, case_on(date(2026, 12, 10)).registration, work_calendar(s), actor="t")
        take_step(
            s, row, Extended(on=date(2027, 3, 1), days=10, approver="主任"), work_calendar(s), actor="t"
        )
        assert row.answer_due is None and row.answer_due_pending_year == 2027
    notice = read_notice((NOTICES / "2027-fictional.txt").read_text("utf-8"))
    with transaction(store) as s:
        assert enter_calendar_year(s, notice.arrangement, partial=False, replace=False, actor="t") == 1
    with transaction(store) as s:
        row = find_request(s, find_organ_kj(s), "2026-0001")
        case = load_case(s, row, work_calendar(s))
        assert (
            row.answer_due == case.answer_due().due == case.calendar.add_working_days(date(2026, 12, 10), 30)
        )  # type: ignore[union-attr]
        # a new step is still checked in full against the dates now known
        with pytest.raises(IllegalStep, match="只允许延长一次"):
            case.apply(Extended(on=date(2027, 3, 2), days=5, approver="主任"))


def find_organ_kj(session):
    from gongkai.store.records import find_organ

    return find_organ(session, "kj")


def test_a_correction_notice_is_refused_when_its_known_period_ran_out_in_an_unentered_year() -> None:
    case = case_on(date(2026, 12, 10))  # 7 working days: 2026-12-21, a date the calendar knows
    with pytest.raises(IllegalStep, match="期限已于 2026-12-21 届满"):
        case.apply(CorrectionRequested(on=date(2027, 1, 5), respond_by=date(2027, 1, 20)))


def test_fee_measures_a_fee_is_not_taken_as_lapsed_on_a_provisional_date() -> None:
    partial = WorkCalendar(
        [YearArrangement(2027, {date(2027, 1, d): "元旦" for d in (1, 2, 3)} | {date(2027, 2, 6): "春节"})]
    )
    case = case_on(date(2027, 3, 15), partial)
    case.apply(fee(date(2027, 3, 16)))
    due = case.fee_due()
    assert due is not None and due.provisional
    with pytest.raises(IllegalStep, match="暂定"):
        case.apply(FeeLapsed(on=due.due.replace(day=due.due.day + 1)))  # type: ignore[union-attr]


def test_2008_regulation_article_24_only_a_third_partys_consultation_stops_the_clock() -> None:
    case = case_on(date(2018, 3, 1))
    case.apply(ConsultationStarted(on=date(2018, 3, 5), party_kind="organ", party="市发展改革委"))
    assert due_of(case) == CAL.add_working_days(date(2018, 3, 1), 15)
    assert case.status() == "征求意见中（答复期限照常计算）"
    case.apply(ConsultationEnded(on=date(2018, 6, 1)))
    assert due_of(case) == CAL.add_working_days(date(2018, 3, 1), 15)
    third = case_on(date(2018, 3, 1))
    third.apply(ConsultationStarted(on=date(2018, 3, 5), party_kind="third_party", party="某公司"))
    running = third.answer_due()
    # the 2008 条例 gave the party no period: the date waits for the consultation's end, not a year
    assert running is not None and running.due is None and running.missing_year is None
    assert running.shown() == "待定（征求意见结束后计算）"


def test_article_33_a_late_consultation_is_not_shown_as_stopping_the_clock() -> None:
    case = case_on(date(2026, 3, 2))  # due 2026-03-30
    case.apply(ConsultationStarted(on=date(2026, 4, 10), party_kind="third_party", party="某公司"))
    assert case.status() == "征求意见中（答复期限照常计算）" and due_of(case) == date(2026, 3, 30)
