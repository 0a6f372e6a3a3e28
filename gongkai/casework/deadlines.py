"""Deadlines as the law computes them: a date, the period, and the article that sets it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from gongkai.casework.law import RECEIPT_RULES, REGULATION_IN_FORCE, Channel, TimeLimit
from gongkai.casework.workdays import WorkCalendar


@dataclass(frozen=True)
class Deadline:
    """The last day for something, counted in working days from an event."""

    limit: TimeLimit
    start: date  # the day of the event (not counted)
    due: date
    days: int  # working days counted, the paused ones included
    paused: int = 0  # working days of consultation added back (条例第三十三条第三款)

    def explain(self) -> str:
        """The rule applied, in Chinese: article, period and how it was counted."""
        extra = f"，另加征求意见期间 {self.paused} 个工作日（条例第三十三条第三款）" if self.paused else ""
        return (
            f"{self.limit.article}：{self.limit.rule}。自 {self.start.isoformat()} 的次日起算"
            f"第 {self.days - self.paused} 个工作日{extra}（起算日不计，节假日不计，调休上班日计入）"
        )


def deadline(
    calendar: WorkCalendar, limit: TimeLimit, start: date, *, days: int | None = None, paused: int = 0
) -> Deadline:
    """The deadline of ``limit`` for an event on ``start``; ``days`` overrides the statutory period
    (a shorter extension), ``paused`` adds consultation working days back."""
    counted = (limit.working_days if days is None else days) + paused
    return Deadline(limit, start, calendar.add_working_days(start, counted), counted, paused)


def receipt_date(
    channel: Channel, arrived: datetime | date, confirmed_on: date | None = None
) -> tuple[date, str]:
    """The date of receipt of a request and the rule that fixes it (条例第三十一条).

    In person and signed-for post count from arrival; online and fax from the date both sides
    confirmed the request, which the organ must record. Unsigned post is confirmed on the day it
    arrives (the unit must do so that day), so it counts from arrival even when confirmed later.
    """
    arrived_on = arrived.date() if isinstance(arrived, datetime) else arrived
    if arrived_on < REGULATION_IN_FORCE:
        raise ValueError(f"到达日期 {arrived_on} 早于《政府信息公开条例》施行之日 {REGULATION_IN_FORCE}")
    if channel.needs_confirmation:
        if confirmed_on is None:
            raise ValueError(f"{channel.label}提交的申请以双方确认之日为收到申请之日，请填写确认日期")
        if confirmed_on < arrived_on:
            raise ValueError(f"确认日期 {confirmed_on} 早于申请到达日期 {arrived_on}")
        if channel is Channel.POST_UNSIGNED:
            # The unit must confirm on the day the letter arrives; confirming later does not give
            # the organ more time.
            return arrived_on, RECEIPT_RULES[channel]
        return confirmed_on, RECEIPT_RULES[channel]
    return arrived_on, RECEIPT_RULES[channel]
