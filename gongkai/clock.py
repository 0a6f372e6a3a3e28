"""The one clock of the program: every "today" and "now" comes from here, in China time.

Disclosure law counts days as the organ lives them, in Beijing time: a letter received at 23:30 is
received that day, wherever the server's clock is set. Nothing else in gongkai calls
``date.today()`` or ``datetime.now()`` (a lint rule in pyproject.toml keeps it so).

A process can be set to a day with ``GONGKAI_TODAY=YYYY-MM-DD`` (tests, demos, training courses):
the date is then that day and the time of day is the real one, so that what is recorded in one run
still comes in order. Tests pin the day with :func:`pinned`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from gongkai import settings

CHINA = ZoneInfo("Asia/Shanghai")
TODAY_VARIABLE = "GONGKAI_TODAY"


_pinned_day: date | None = settings.current().today


def _real_now() -> datetime:
    return datetime.now(CHINA)  # noqa: TID251 - the one place that reads the system clock


def now() -> datetime:
    """This instant in China time (aware); on a pinned day, that day at the real time of day."""
    instant = _real_now()
    if _pinned_day is None:
        return instant
    return datetime.combine(_pinned_day, instant.timetz())


def today() -> date:
    """Today's date in China."""
    return _pinned_day if _pinned_day is not None else _real_now().date()


def now_utc() -> datetime:
    """This instant, aware, in UTC: how the store records when something was done."""
    return now().astimezone(UTC)


def pin(day: date | None) -> None:
    """Set the process to ``day`` (None: back to the real date)."""
    global _pinned_day
    _pinned_day = day


def pinned_day() -> date | None:
    """The day the process is set to, if any (``GONGKAI_TODAY`` or :func:`pin`)."""
    return _pinned_day


@contextmanager
def pinned(day: date) -> Iterator[date]:
    """Within the block, today is ``day``."""
    before = _pinned_day
    pin(day)
    try:
        yield day
    finally:
        pin(before)


def in_china(instant: datetime) -> datetime:
    """An instant shown in China time. A naive value is one the store kept in UTC (SQLite keeps no
    offset), so it is read as UTC.

    >>> in_china(datetime(2026, 12, 6, 15, 30)).isoformat()
    '2026-12-06T23:30:00+08:00'
    """
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(CHINA)


def china_date(instant: datetime) -> date:
    """The day an instant falls on in China (a filing at 23:30 Beijing time is filed that day).

    >>> china_date(datetime(2026, 12, 6, 16, 0, tzinfo=UTC))
    datetime.date(2026, 12, 7)
    """
    return in_china(instant).date()


def china_wall_time(instant: datetime) -> datetime:
    """An instant as the naive Beijing wall-clock time a clerk would write on a form."""
    return in_china(instant).replace(tzinfo=None)


def start_of_day(day: date) -> datetime:
    """Midnight in China at the start of ``day`` (aware)."""
    return datetime.combine(day, time(0), tzinfo=CHINA)
