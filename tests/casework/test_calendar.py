"""Working days by law (issue 5): the worked examples of format-and-law.md §11.2, holidays, 调休
weekends, years nobody entered, and the State Council's notice read into a year."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.casework.holiday_notice import NoticeError, read_notice
from gongkai.casework.workdays import (
    PACKAGE_LAST_YEAR,
    CalendarGap,
    WorkCalendar,
    YearArrangement,
    package_year,
)

NOTICES = DATA / "notices"
CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("received", "plus7", "plus20", "plus40"),
    [
        (date(2025, 9, 26), date(2025, 10, 13), date(2025, 10, 30), date(2025, 11, 27)),
        (date(2026, 2, 10), date(2026, 2, 26), date(2026, 3, 16), date(2026, 4, 14)),
        (date(2025, 12, 31), date(2026, 1, 12), date(2026, 1, 29), date(2026, 3, 4)),
    ],
)
def test_worked_examples_of_the_spec(received: date, plus7: date, plus20: date, plus40: date) -> None:
    assert CAL.add_working_days(received, 7) == plus7
    assert CAL.add_working_days(received, 20) == plus20
    assert CAL.add_working_days(received, 40) == plus40


def test_a_saturday_receipt_counts_from_the_next_working_day() -> None:
    """2025-11-15 (Sat, online, confirmed that day) + 20 = 2025-12-12 (§11.2)."""
    assert CAL.add_working_days(date(2025, 11, 15), 20) == date(2025, 12, 12)


def test_a_holiday_receipt_is_not_one_day_late_like_find_workday() -> None:
    """§11.3: received Wed 2025-10-01 (国庆), the legal +20 is 2025-11-04; the package's
    find_workday gives 11-05."""
    assert CAL.add_working_days(date(2025, 10, 1), 20) == date(2025, 11, 4)


def test_adjusted_weekend_workdays_count_and_the_setting_turns_them_off() -> None:
    # 2026-02-14 (Sat) is a 调休 working day before 春节.
    assert CAL.is_workday(date(2026, 2, 14))
    assert not WorkCalendar(count_adjusted_workdays=False).is_workday(date(2026, 2, 14))
    # From Fri 2026-02-13: the next working day is that Saturday, or else 2026-02-24 after 春节.
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert WorkCalendar(count_adjusted_workdays=False).add_working_days(date(2026, 2, 13), 1) == date(
        2026, 2, 24
    )


def test_spring_festival_days_are_not_counted() -> None:
    assert [CAL.is_workday(date(2026, 2, d)) for d in range(15, 24)] == [False] * 9
    assert CAL.holiday_name(date(2026, 2, 17)) == "春节"
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2  # 14 (Sat) and 24


def test_a_year_nobody_entered_is_refused_not_guessed() -> None:
    year = PACKAGE_LAST_YEAR + 1
    with pytest.raises(CalendarGap) as caught:
        CAL.add_working_days(date(PACKAGE_LAST_YEAR, 12, 15), 20)
    assert caught.value.year == year
    assert f"{year} 年的节假日和调休安排尚未录入" in str(caught.value)
    assert "gongkai calendar import" in str(caught.value)
    assert not CAL.covers(year)


def test_an_entered_year_extends_the_calendar() -> None:
    year = PACKAGE_LAST_YEAR + 1
    new_year = {date(year, 1, 1): "元旦"}
    calendar = WorkCalendar([YearArrangement(year, new_year, frozenset())])
    assert calendar.covers(year)
    start = date(PACKAGE_LAST_YEAR, 12, 31)
    due = calendar.add_working_days(start, 3)
    expected = [
        d for d in (start + timedelta(days=i) for i in range(1, 10)) if d.weekday() < 5 and d not in new_year
    ]
    assert due == expected[2]


def test_an_entered_year_overrides_the_package() -> None:
    """A correction to a year the package knows takes effect without a new release."""
    changed = YearArrangement(2026, {date(2026, 3, 2): "测试"}, frozenset())
    assert not WorkCalendar([changed]).is_workday(date(2026, 3, 2))
    assert WorkCalendar([changed]).is_workday(date(2026, 2, 16))  # the package's 春节 is replaced


def test_an_arrangement_refuses_impossible_days() -> None:
    with pytest.raises(ValueError, match="周一至周五"):
        YearArrangement(2027, {}, frozenset({date(2027, 3, 3)}))  # a Wednesday as 调休上班日
    with pytest.raises(ValueError, match="别的年份"):
        YearArrangement(2027, {date(2026, 12, 31): "元旦"}, frozenset())
    with pytest.raises(ValueError, match="既是假日又是上班日"):
        YearArrangement(2027, {date(2027, 2, 6): "春节"}, frozenset({date(2027, 2, 6)}))


@settings(max_examples=200, deadline=None)
@given(start=st.dates(date(2005, 1, 1), date(2025, 11, 1)), days=st.integers(0, 40))
def test_counting_agrees_with_the_package_data(start: date, days: int) -> None:
    """The N-th working day after ``start`` is a working day (N > 0), and exactly N working days of
    the package's own ``is_workday`` lie after ``start`` up to it."""
    import chinese_calendar

    due = CAL.add_working_days(start, days)
    days_after = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(chinese_calendar.is_workday(d) for d in days_after) == days
    if days:
        assert chinese_calendar.is_workday(due)
    assert CAL.working_days_between(start, due) == days


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_notice_reads_into_the_same_days_as_the_package(year: int) -> None:
    """Our copies of the 2025 notice (run together on one line, as copied from a web page) and the
    2026 notice read into exactly the days the package holds for those years."""
    reading = read_notice((NOTICES / f"{year}.txt").read_text(encoding="utf-8"))
    known = package_year(year)
    assert reading.arrangement.year == year
    assert set(reading.arrangement.holidays) == set(known.holidays)
    assert reading.arrangement.workdays == known.workdays
    assert reading.other_years == {}
    assert reading.arrangement.holidays[date(year, 10, 2)].startswith("国庆节")


def test_a_notice_spanning_the_new_year_keeps_the_other_years_days_apart() -> None:
    text = "国务院办公厅关于2023年部分节假日安排的通知\n一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。\n"
    reading = read_notice(text)
    assert reading.other_years == {date(2022, 12, 31): "元旦"}
    assert set(reading.arrangement.holidays) == {date(2023, 1, 1), date(2023, 1, 2)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("一、元旦：1月1日放假1天。", "找不到年份"),
        ("国务院办公厅关于2027年部分节假日安排的通知", "没有找到"),
        ("关于2027年部分节假日安排的通知\n一、春节：2月5日至11日放假调休，共8天。", "共 7 天"),
        ("关于2027年部分节假日安排的通知\n一、春节：2月30日至3月5日放假。", "不是有效日期"),
        (
            "关于2027年部分节假日安排的通知\n一、春节：2月6日（周六）至12日放假。2月3日（周三）上班。",
            "周一至周五",
        ),
    ],
)
def test_a_notice_that_cannot_be_read_says_why(text: str, message: str) -> None:
    with pytest.raises((NoticeError, ValueError), match=message):
        read_notice(text)
