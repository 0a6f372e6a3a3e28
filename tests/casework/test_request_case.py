"""One request on its legal clock (issue 5): receipt dates by channel, corrections, consultations,
extensions, fees, and the steps the law refuses."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from gongkai.casework.law import OUTCOMES, Channel, outcome_row
from gongkai.casework.requests import (
    Answered,
    ConsultationEnded,
    ConsultationStarted,
    Corrected,
    CorrectionLapsed,
    CorrectionRequested,
    Delayed,
    Extended,
    FeeLapsed,
    FeeNoticed,
    FeePaid,
    IllegalStep,
    RequestCase,
    Withdrawn,
    make_registration,
)
from gongkai.casework.workdays import WorkCalendar
from gongkai.model.layouts import Format

CAL = WorkCalendar()


def registered(on: date, channel: Channel = Channel.IN_PERSON, kind: str = "natural") -> RequestCase:
    confirmed = on if channel.needs_confirmation else None
    event = make_registration(
        channel=channel,
        arrived=datetime.combine(on, datetime.min.time()),
        confirmed_on=confirmed,
        applicant_kind=kind,
        applicant_name="张三",
        subject="某路段拓宽工程的立项批复",
    )
    return RequestCase.replay(CAL, [event])


@pytest.mark.parametrize(
    ("channel", "arrived", "confirmed", "received"),
    [
        (Channel.IN_PERSON, date(2026, 3, 2), None, date(2026, 3, 2)),
        (Channel.POST_SIGNED, date(2026, 3, 2), None, date(2026, 3, 2)),
        (Channel.POST_UNSIGNED, date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 2)),
        # 第三十一条第（二）项: the day of confirmation is the day of receipt, even when the unit
        # confirmed later than the day the letter came (issue 13 §3.1)
        (Channel.POST_UNSIGNED, date(2025, 12, 31), date(2026, 1, 5), date(2026, 1, 5)),
        (Channel.ONLINE, date(2026, 3, 6), date(2026, 3, 9), date(2026, 3, 9)),
        (Channel.FAX, date(2026, 3, 6), date(2026, 3, 10), date(2026, 3, 10)),
    ],
)
def test_the_date_of_receipt_follows_article_31(
    channel: Channel, arrived: date, confirmed, received: date
) -> None:
    event = make_registration(
        channel=channel,
        arrived=datetime(arrived.year, arrived.month, arrived.day, 16, 30),
        confirmed_on=confirmed,
        applicant_kind="commercial",
        applicant_name="某公司",
        subject="x",
    )
    assert event.on == received


def test_a_receipt_before_the_regulation_is_refused() -> None:
    with pytest.raises(ValueError, match="早于《政府信息公开条例》施行之日"):
        make_registration(
            channel=Channel.IN_PERSON,
            arrived=datetime(2003, 1, 6, 9),
            confirmed_on=None,
            applicant_kind="natural",
            applicant_name="李四",
            subject="x",
        )


def test_online_without_a_confirmation_date_is_refused() -> None:
    with pytest.raises(ValueError, match="双方确认之日"):
        make_registration(
            channel=Channel.ONLINE,
            arrived=datetime(2026, 3, 6, 9),
            confirmed_on=None,
            applicant_kind="natural",
            applicant_name="李四",
            subject="x",
        )


def test_the_answer_is_due_in_20_working_days_with_the_article() -> None:
    case = registered(date(2025, 9, 26))
    due = case.answer_due()
    assert due is not None and due.due == date(2025, 10, 30)
    assert "第三十三条第二款" in due.explain()
    assert case.correction_notice_due().due == date(2025, 10, 13)  # type: ignore[union-attr]


def test_one_extension_of_at_most_20_days_with_its_approver() -> None:
    case = registered(date(2025, 9, 26))
    case.apply(Extended(on=date(2025, 10, 29), days=20, approver="办公室主任 王五"))
    assert case.answer_due().due == date(2025, 11, 27)  # type: ignore[union-attr]
    with pytest.raises(IllegalStep, match="只允许延长一次"):
        case.apply(Extended(on=date(2025, 11, 3), days=5, approver="王五"))
    with pytest.raises(ValueError):
        Extended(on=date(2025, 10, 29), days=21, approver="王五")


def test_an_extension_after_the_period_ran_out_is_refused() -> None:
    case = registered(date(2025, 9, 26))
    with pytest.raises(IllegalStep, match="已于 2025-10-30 届满"):
        case.apply(Extended(on=date(2025, 10, 31), days=10, approver="王五"))


def test_a_correction_restarts_the_clock_from_the_corrected_request() -> None:
    case = registered(date(2026, 3, 2))
    case.apply(CorrectionRequested(on=date(2026, 3, 5), respond_by=date(2026, 3, 20), what="请说明文件名称"))
    assert case.answer_due() is None and case.status() == "待补正"
    case.apply(Corrected(on=date(2026, 3, 16)))
    assert case.answer_due().due == CAL.add_working_days(date(2026, 3, 16), 20)  # type: ignore[union-attr]
    assert case.received_on == date(2026, 3, 2)  # still counted as new on its first receipt
    with pytest.raises(IllegalStep, match="一次性告知"):
        case.apply(CorrectionRequested(on=date(2026, 3, 17), respond_by=date(2026, 3, 30)))


def test_no_correction_in_time_abandons_the_request() -> None:
    case = registered(date(2026, 3, 2))
    case.apply(CorrectionRequested(on=date(2026, 3, 3), respond_by=date(2026, 3, 17)))
    with pytest.raises(IllegalStep, match="尚未逾期"):
        case.apply(CorrectionLapsed(on=date(2026, 3, 17)))
    case.apply(CorrectionLapsed(on=date(2026, 3, 18)))
    assert case.outcome == "other.no_correction" and case.concluded_on == date(2026, 3, 18)
    assert outcome_row(case.outcome, Format.F2019) == "other"


def test_consultation_time_is_not_counted() -> None:
    case = registered(date(2026, 3, 2))  # +20 = 2026-03-30
    case.apply(ConsultationStarted(on=date(2026, 3, 6), party_kind="third_party", party="某公司"))
    reply_due = CAL.add_working_days(date(2026, 3, 6), 15)
    assert case.consultation_reply_due().due == reply_due == date(2026, 3, 27)  # type: ignore[union-attr]
    # while it runs, the answer date assumes it lasts its full 15 days, so it can still fall overdue
    assert case.answer_due().due == CAL.add_working_days(date(2026, 3, 2), 35) == date(2026, 4, 21)  # type: ignore[union-attr]
    case.apply(ConsultationEnded(on=date(2026, 3, 13)))  # 5 working days (9–13 March)
    due = case.answer_due()
    assert due is not None and due.paused == 5
    assert due.due == CAL.add_working_days(date(2026, 3, 2), 25) == date(2026, 4, 7)  # 清明 4–6 April
    assert "第三十三条第三款" in due.explain()


def test_a_fee_must_be_paid_in_20_working_days_or_the_request_is_abandoned() -> None:
    case = registered(date(2026, 3, 2))
    case.apply(
        FeeNoticed(
            on=date(2026, 3, 10), received_on=date(2026, 3, 11), method="per_page", quantity=150, yuan=1700
        )
    )
    fee_due = case.fee_due()
    assert fee_due is not None and fee_due.due == CAL.add_working_days(date(2026, 3, 11), 20)
    with pytest.raises(IllegalStep, match="收费通知尚未缴费"):
        case.apply(Answered(on=date(2026, 3, 12), outcome="granted"))
    with pytest.raises(IllegalStep, match="缴费期限已于"):
        case.apply(FeePaid(on=fee_due.due.replace(day=fee_due.due.day + 1)))
    case.apply(FeeLapsed(on=date(2026, 4, 20)))
    assert case.outcome == "other.no_fee"


def test_a_paid_fee_lets_the_answer_go_out() -> None:
    case = registered(date(2026, 3, 2))
    case.apply(
        FeeNoticed(
            on=date(2026, 3, 10), received_on=date(2026, 3, 10), method="per_request", quantity=11, yuan=100
        )
    )
    case.apply(FeePaid(on=date(2026, 3, 12)))
    assert case.answer_due().due == CAL.add_working_days(date(2026, 3, 2), 22)  # type: ignore[union-attr]
    case.apply(Answered(on=date(2026, 3, 13), outcome="granted"))
    assert case.outcome == "granted" and not case.is_open


def test_article_35_sets_a_later_date() -> None:
    case = registered(date(2026, 3, 2))
    case.apply(Delayed(on=date(2026, 3, 9), until=date(2026, 6, 30), reason="同一申请人本月提出 60 件申请"))
    due = case.answer_due()
    assert due is not None and due.due == date(2026, 6, 30) and "第三十五条" in due.explain()


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([Answered(on=date(2026, 3, 1), outcome="granted")], "早于上一步"),
        (
            [Answered(on=date(2026, 3, 3), outcome="granted"), Withdrawn(on=date(2026, 3, 4))],
            "已于 2026-03-03 办结",
        ),
        ([Answered(on=date(2026, 3, 3), outcome="approved")], "办理结果应为表三的一行"),
        ([Answered(on=date(2026, 3, 3), outcome="other.no_fee")], "逾期未缴费请分别登记"),
        ([Corrected(on=date(2026, 3, 3))], "没有待补正"),
        ([ConsultationEnded(on=date(2026, 3, 3))], "没有正在进行"),
        ([FeePaid(on=date(2026, 3, 3))], "没有待缴"),
        (
            [CorrectionRequested(on=date(2026, 3, 12), respond_by=date(2026, 3, 30))],
            "期限已于 2026-03-11 届满",
        ),
        (
            [
                Extended(on=date(2026, 3, 3), days=5, approver="主任"),
                CorrectionRequested(on=date(2026, 3, 4), respond_by=date(2026, 3, 30)),
            ],
            "办理其他事项之前",
        ),
        ([Delayed(on=date(2026, 3, 3), until=date(2026, 3, 27))], "应晚于法定答复期限 2026-03-30"),
        (
            [
                Delayed(on=date(2026, 3, 3), until=date(2026, 5, 1)),
                Delayed(on=date(2026, 3, 4), until=date(2026, 6, 1)),
            ],
            "已确定延迟答复至 2026-05-01",
        ),
        (
            [
                Delayed(on=date(2026, 3, 3), until=date(2026, 5, 1)),
                Extended(on=date(2026, 3, 4), days=5, approver="主任"),
            ],
            "已依条例第三十五条确定延迟答复",
        ),
        (
            [
                FeeNoticed(
                    on=date(2026, 3, 3), received_on=date(2026, 3, 3), method="per_page", quantity=20, yuan=0
                )
            ],
            "无需发出收费通知",
        ),
        ([Answered(on=date(2026, 3, 3), outcome="unavailable.unclear")], "须先告知补正并收到补正"),
        (
            [
                ConsultationStarted(on=date(2026, 3, 3), party_kind="organ"),
                Answered(on=date(2026, 3, 4), outcome="granted"),
            ],
            "征求意见尚未结束",
        ),
    ],
)
def test_steps_the_law_or_the_order_of_things_refuses(steps: list, message: str) -> None:
    case = registered(date(2026, 3, 2))
    with pytest.raises(IllegalStep, match=message):
        for step in steps:
            case.apply(step)


def test_every_outcome_is_a_row_of_table_3_in_both_layouts() -> None:
    from gongkai.model.layouts import layout_for

    for fmt in Format:
        rows = {row.key for row in layout_for(fmt).request_rows}
        assert {outcome_row(o, fmt) for o in OUTCOMES} <= rows


def test_open_on_a_day_counts_the_request_between_receipt_and_conclusion() -> None:
    case = registered(date(2025, 12, 20))
    case.apply(Answered(on=date(2026, 1, 5), outcome="partial"))
    assert case.open_on(date(2025, 12, 31)) and not case.open_on(date(2026, 1, 5))
    assert not case.open_on(date(2025, 12, 19))
