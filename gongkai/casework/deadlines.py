"""Deadlines as the law computes them: a date, the period, and the article that sets it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from gongkai.casework.law import RECEIPT_RULES, REGULATION_IN_FORCE, Channel, TimeLimit
from gongkai.casework.workdays import WorkCalendar


@dataclass(frozen=True)
class Deadline:
    """The last day for something, counted in working days from an event.

    ``due`` is None (待定) when the count reaches a year whose holidays nobody has entered yet
    (``missing_year``): it is computed as soon as that year is entered, never guessed.
    ``provisional`` marks a date counted across a year entered only in part."""

    limit: TimeLimit
    start: date  # the day of the event (not counted)
    due: date | None
    days: int  # working days counted, the paused ones included
    paused: int = 0  # working days of consultation added back (条例第三十三条第三款)
    missing_year: int | None = None
    provisional: bool = False

    @property
    def pending(self) -> bool:
        """Whether the date cannot be known until a missing year is entered."""
        return self.due is None

    def shown(self) -> str:
        """The date as lists show it: 2027-01-13, 「2027-04-13（暂定）」 or 「待定（2027 年放假安排未录入）」."""
        if self.due is None:
            if self.missing_year is None:
                return "待定（征求意见结束后计算）"
            return f"待定（{self.missing_year} 年放假安排未录入）"
        return f"{self.due.isoformat()}（暂定）" if self.provisional else self.due.isoformat()

    def explain(self) -> str:
        """The rule applied, in Chinese: article, period and how it was counted."""
        extra = f"，另加征求意见期间 {self.paused} 个工作日（条例第三十三条第三款）" if self.paused else ""
        counted = (
            f"{self.limit.article}：{self.limit.rule}。自 {self.start.isoformat()} 的次日起算"
            f"第 {self.days - self.paused} 个工作日{extra}（起算日不计，节假日不计，调休上班日计入）"
        )
        if self.due is None and self.missing_year is None:
            return f"{counted}；征求意见没有法定期限（2008年条例），结束后计算"
        if self.due is None:
            return f"{counted}；期限进入 {self.missing_year} 年，该年的放假安排尚未录入，录入后自动计算"
        if self.provisional:
            return f"{counted}；所跨年份的放假安排只录入了一部分，日期为暂定，录入全年后自动重算"
        return counted


def deadline(
    calendar: WorkCalendar, limit: TimeLimit, start: date, *, days: int | None = None, paused: int = 0
) -> Deadline:
    """The deadline of ``limit`` for an event on ``start``; ``days`` overrides the statutory period
    (a shorter extension), ``paused`` adds consultation working days back. Never raises for a year
    nobody has entered: the deadline is then 待定 and names the year."""
    counted = (limit.working_days if days is None else days) + paused
    reached = calendar.reach(start, counted)
    return Deadline(limit, start, reached.day, counted, paused, reached.missing_year, reached.provisional)


def pending(limit: TimeLimit, start: date, missing_year: int) -> Deadline:
    """A deadline that cannot be counted until ``missing_year`` is entered."""
    return Deadline(limit, start, None, limit.working_days, missing_year=missing_year)


def receipt_date(
    channel: Channel, arrived: datetime | date, confirmed_on: date | None = None
) -> tuple[date, str]:
    """The date of receipt of a request and the rule that fixes it (条例第三十一条).

    In person and signed-for post count from arrival; unsigned post (平常信函), online and fax from
    the date of confirmation with the applicant, which the organ must record. For unsigned post the
    unit must confirm on the day the letter arrives, but the law makes the day of confirmation the
    day of receipt: a letter confirmed late is received late (the lateness is the organ's to answer
    for, and the register shows both dates).

    >>> receipt_date(Channel.POST_UNSIGNED, date(2025, 12, 31), date(2026, 1, 5))[0]
    datetime.date(2026, 1, 5)
    """
    arrived_on = arrived.date() if isinstance(arrived, datetime) else arrived
    if arrived_on < REGULATION_IN_FORCE:
        raise ValueError(f"到达日期 {arrived_on} 早于《政府信息公开条例》施行之日 {REGULATION_IN_FORCE}")
    if channel.needs_confirmation:
        if confirmed_on is None:
            raise ValueError(f"{channel.label}提交的申请以双方确认之日为收到申请之日，请填写确认日期")
        if confirmed_on < arrived_on:
            raise ValueError(f"确认日期 {confirmed_on} 早于申请到达日期 {arrived_on}")
        return confirmed_on, RECEIPT_RULES[channel]
    return arrived_on, RECEIPT_RULES[channel]
