"""Working days (工作日) by law: the national calendar, 调休 working weekends, and years entered later.

The ``chinese-calendar`` package knows 2004–2026 (format-and-law.md §11.3). Each later year is
entered by an administrator (``gongkai calendar add`` or ``gongkai calendar import`` of the State
Council's yearly notice) and kept in the store; a count that reaches a year nobody has entered
stops with :class:`CalendarGap` instead of guessing.

Counting follows §11.2: the day of the event is not counted, day 1 is the next working day, and
the result is the N-th working day after the event. The package's ``find_workday`` is not used: it
counts from the first working day *on or after* the start, one day late when the start is a rest
day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar

# The years the package's data cover, read from the data itself rather than assumed.
PACKAGE_FIRST_YEAR = min(chinese_calendar.holidays).year
PACKAGE_LAST_YEAR = max(max(chinese_calendar.holidays), max(chinese_calendar.workdays)).year

# English names the package gives → the holiday's Chinese name.
_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


# The holidays every year's notice arranges (《全国年节及纪念日放假办法》第二条).
NATIONAL_HOLIDAYS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
# The earliest (month, day) a holiday's block, or the 调休 working days around it, has begun in the
# notices since 2008, with a margin: in a year entered only in part, a count that reaches past the
# earliest start of a holiday the entry does not name is provisional (it may count that holiday's
# days off as working days).
EARLIEST_START = {
    "元旦": (1, 1),
    "春节": (1, 10),
    "清明节": (3, 28),
    "劳动节": (4, 20),
    "端午节": (5, 20),
    "中秋节": (9, 1),
    "国庆节": (9, 20),
}
FIRST_ENTERABLE_YEAR, LAST_ENTERABLE_YEAR = 2004, 2100


class CalendarGap(Exception):
    """A count reached a year whose holidays and 调休 days nobody has entered."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"{year} 年的节假日和调休安排尚未录入，无法按工作日计算期限（不做推测）。"
            f"请导入国务院办公厅关于 {year} 年部分节假日安排的通知：gongkai calendar import 通知.txt，"
            f"或逐日录入：gongkai calendar add {year} --holiday 日期… --workday 日期…"
        )


@dataclass(frozen=True)
class YearArrangement:
    """One year's rest days and 调休 working days, as the State Council's notice sets them.

    ``holidays`` maps every day off inside a holiday block (weekend days in the block included) to
    its holiday's name; ``workdays`` are the weekend days that become working days (调休上班日).
    """

    year: int
    holidays: Mapping[date, str]
    workdays: frozenset[date] = field(default_factory=frozenset)
    source: str = ""

    def __post_init__(self) -> None:
        stray = [d for d in (*self.holidays, *self.workdays) if d.year != self.year]
        if stray:
            raise ValueError(f"{self.year} 年的安排里有别的年份的日期：{', '.join(map(str, stray))}")
        both = set(self.holidays) & set(self.workdays)
        if both:
            raise ValueError(f"这些日期既是假日又是上班日：{', '.join(map(str, sorted(both)))}")
        weekday_workdays = [d for d in self.workdays if d.weekday() < 5]
        if weekday_workdays:
            raise ValueError(
                "调休上班日应是周六或周日，这些是周一至周五：" + ", ".join(map(str, sorted(weekday_workdays)))
            )


def missing_holidays(arrangement: YearArrangement) -> list[str]:
    """The national holidays a year's arrangement does not name (an incomplete entry).

    >>> missing_holidays(YearArrangement(2027, {date(2027, 1, 1): "元旦"}))
    ['春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节']
    """
    names = set(arrangement.holidays.values())
    return [h for h in NATIONAL_HOLIDAYS if not any(h in name for name in names)]


def provisional_from(arrangement: YearArrangement) -> date | None:
    """The first day of an arrangement entered only in part from which its count is not certain:
    the earliest start of the first national holiday it does not name (None when it names all).

    >>> provisional_from(YearArrangement(2027, {date(2027, 1, 1): "元旦", date(2027, 2, 6): "春节"}))
    datetime.date(2027, 3, 28)
    """
    missing = missing_holidays(arrangement)
    if not missing:
        return None
    return min(date(arrangement.year, *EARLIEST_START[name]) for name in missing)


@dataclass(frozen=True)
class Reached:
    """Where a count of working days ends: the day, or None when it reaches a year nobody has
    entered (``missing_year``); ``provisional`` when it crossed days of a year entered only in part."""

    day: date | None
    missing_year: int | None = None
    provisional: bool = False


def package_year(year: int) -> YearArrangement:
    """The arrangement the ``chinese-calendar`` package holds for ``year`` (2004–2026)."""
    if not PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR:
        raise CalendarGap(year)
    holidays = {
        d: _HOLIDAY_NAMES.get(name, name) for d, name in chinese_calendar.holidays.items() if d.year == year
    }
    workdays = frozenset(d for d in chinese_calendar.workdays if d.year == year)
    return YearArrangement(year, holidays, workdays, source=f"chinese-calendar {PACKAGE_LAST_YEAR}")


class WorkCalendar:
    """Which days are working days, and counts of working days as the law counts them.

    ``entered`` holds the years an administrator entered; they take precedence over the package,
    so that a correction can be made without waiting for a new release. With
    ``count_adjusted_workdays=False``, a 调休 weekend working day is not counted (§11.1 leaves
    this a setting; counting it is the practice and the default).
    """

    def __init__(
        self, entered: Iterable[YearArrangement] = (), *, count_adjusted_workdays: bool = True
    ) -> None:
        self.entered = {arrangement.year: arrangement for arrangement in entered}
        self.count_adjusted_workdays = count_adjusted_workdays
        self._years: dict[int, YearArrangement] = dict(self.entered)
        self._uncertain = {
            year: first
            for year, arrangement in self.entered.items()
            if (first := provisional_from(arrangement)) is not None
        }

    def covers(self, year: int) -> bool:
        """Whether the calendar knows ``year``'s holidays."""
        return year in self.entered or PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR

    def covered_years(self) -> list[int]:
        """Every year the calendar knows, in order."""
        return sorted({*range(PACKAGE_FIRST_YEAR, PACKAGE_LAST_YEAR + 1), *self.entered})

    def arrangement(self, year: int) -> YearArrangement:
        """The year's rest days and 调休 days (raises :class:`CalendarGap` for an unknown year)."""
        found = self._years.get(year)
        if found is None:
            found = self._years[year] = package_year(year)
        return found

    def missing_years(self, first: int, last: int) -> list[int]:
        """The years from ``first`` to ``last`` nobody has entered."""
        return [year for year in range(first, last + 1) if not self.covers(year)]

    def reach(self, start: date, days: int) -> Reached:
        """:meth:`add_working_days`, told rather than raised: the day, or the year that is missing,
        and whether the count crossed days a partial entry leaves uncertain."""
        try:
            day = self.add_working_days(start, days)
        except CalendarGap as gap:
            return Reached(None, gap.year)
        # Some counted day (after start, up to day) falls on or after an uncertain stretch's start.
        provisional = day > start and any(
            first <= day and start < date(year, 12, 31) for year, first in self._uncertain.items()
        )
        return Reached(day, provisional=provisional)

    def is_workday(self, day: date) -> bool:
        """Whether an organ works on ``day``."""
        year = self.arrangement(day.year)
        if day in year.workdays:
            return self.count_adjusted_workdays
        return day.weekday() < 5 and day not in year.holidays

    def holiday_name(self, day: date) -> str | None:
        """The holiday ``day`` belongs to, if any."""
        return self.arrangement(day.year).holidays.get(day)

    def add_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (the day of the event is not counted).

        >>> WorkCalendar().add_working_days(date(2025, 9, 26), 20)  # §11.2, over 国庆
        datetime.date(2025, 10, 30)
        """
        if days < 0:
            raise ValueError("工作日数不能为负数")
        day, counted = start, 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end`` ≤ ``start``).

        A consultation from the day its letter goes out to the day the reply arrives covers
        this many working days, and the answer period grows by as many (第三十三条第三款).
        """
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count
