"""The calendar's years as an office keeps them: entering next year from the State Council's
notice (from the command line or the administrator's page, with the same checks), and knowing
when next year is missing and which requests wait for it.

Every December the notice for next year is needed before some deadlines exist; until a year is
entered, an answer date that reaches it is 待定 (never guessed), and entering it recomputes every
open request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gongkai.casework.workdays import (
    FIRST_ENTERABLE_YEAR,
    LAST_ENTERABLE_YEAR,
    PACKAGE_FIRST_YEAR,
    PACKAGE_LAST_YEAR,
    YearArrangement,
    missing_holidays,
)
from gongkai.store.casefiles import refresh_open_requests
from gongkai.store.records import Refused, enter_year, work_calendar
from gongkai.store.tables import CalendarYear, Organ, Request

# From this day of the year (1 November) the office is reminded that next year is not entered:
# the State Council's notice usually comes out in November.
REMIND_FROM = (11, 1)


def year_problems(arrangement: YearArrangement, *, partial: bool, replace: bool) -> list[str]:
    """Why a year cannot be entered as it is (empty when it can): a slip here would silently move
    every deadline, so a partial year and a year the package already knows need to be meant."""
    year = arrangement.year
    problems = []
    if not FIRST_ENTERABLE_YEAR <= year <= LAST_ENTERABLE_YEAR:
        problems.append(f"年份应在 {FIRST_ENTERABLE_YEAR}–{LAST_ENTERABLE_YEAR} 之间")
    missing = missing_holidays(arrangement)
    if missing and not partial:
        problems.append(
            f"{year} 年的安排缺少{'、'.join(missing)}（每个放假日请写明节日名称；确实只录入一部分时，"
            "命令行加 --partial，网页勾选「只录入一部分」：缺少的节日之后的期限将标为暂定）"
        )
    if PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR and not replace:
        problems.append(
            f"{year} 年已由 chinese-calendar 提供；确要替换时，命令行加 --replace，网页勾选「替换已有安排」"
        )
    return problems


def enter_calendar_year(
    session: Session, arrangement: YearArrangement, *, partial: bool, replace: bool, actor: str
) -> int:
    """Enter (or replace) a year after :func:`year_problems`, audited, and recompute every open
    request's deadlines; returns how many requests changed."""
    problems = year_problems(arrangement, partial=partial, replace=replace)
    if problems:
        raise Refused("；".join(problems))
    enter_year(session, arrangement, actor=actor)
    session.flush()
    return refresh_open_requests(session, work_calendar(session))


@dataclass(frozen=True)
class MissingYear:
    """Next year is not entered yet, and the open requests whose answer date waits for it."""

    year: int
    waiting: int  # open requests (in the scope asked for) whose answer date is 待定


def missing_next_year(
    session: Session, today: date, organ_ids: list[int] | None = None
) -> MissingYear | None:
    """From 1 November: next year, when nobody has entered it (None otherwise, and before then).
    Any request already waiting for a year is told whatever the day."""
    waiting_query = select(Request.answer_due_pending_year, func.count()).where(
        Request.concluded_on.is_(None), Request.answer_due_pending_year.is_not(None)
    )
    if organ_ids is not None:
        waiting_query = waiting_query.where(Request.organ_id.in_(organ_ids))
    waiting = dict(session.execute(waiting_query.group_by(Request.answer_due_pending_year)).all())
    if waiting:
        year = min(waiting)
        return MissingYear(year, waiting[year])
    calendar = work_calendar(session)
    next_year = today.year + 1
    if (today.month, today.day) >= REMIND_FROM and not calendar.covers(next_year):
        return MissingYear(next_year, 0)
    if not calendar.covers(today.year):  # January, and this year still not entered
        return MissingYear(today.year, 0)
    return None


def entered_year_rows(session: Session) -> list[CalendarYear]:
    """The years entered into the store (not those the package provides), newest first."""
    return list(session.scalars(select(CalendarYear).order_by(CalendarYear.year.desc())))


def waiting_by_organ(session: Session) -> list[tuple[Organ, int, int]]:
    """(organ, missing year, open requests) for every organ with answer dates 待定."""
    rows = session.execute(
        select(Organ, Request.answer_due_pending_year, func.count())
        .join(Request, Request.organ_id == Organ.id)
        .where(Request.concluded_on.is_(None), Request.answer_due_pending_year.is_not(None))
        .group_by(Organ.id, Request.answer_due_pending_year)
        .order_by(Organ.code)
    ).all()
    return [(organ, year, count) for organ, year, count in rows]
