"""The administrator's calendar page: next year's holidays entered from the State Council's notice.

The notice's text is pasted or uploaded, read (:func:`gongkai.casework.holiday_notice.read_notice`), and
the days it yields shown for a person to compare with the notice (each holiday's block against its
「共N天」, the 调休 working days, any holiday missing) before anything is stored; confirming enters
the year, audited, and recomputes every open request whose answer date was 待定.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse

from gongkai.casework.holiday_notice import NoticeError, read_notice
from gongkai.casework.workdays import PACKAGE_FIRST_YEAR, PACKAGE_LAST_YEAR, YearArrangement, missing_holidays
from gongkai.store.accounts import Role
from gongkai.store.calendar import enter_calendar_year, entered_year_rows, waiting_by_organ, year_problems
from gongkai.store.records import Refused
from gongkai.web.bounds import OptionalQueryInt, QueryInt
from gongkai.web.deps import DB, Me, Principal, check_csrf, page, reads_only, require

router = APIRouter()
NOTICE_LIMIT = 200_000  # characters: a notice is two pages; anything longer is not one
ADMIN_ONLY = Depends(require(Role.ADMIN, refusal="只有管理员可以录入放假安排"))  # deps.require


def _blocks(arrangement: YearArrangement) -> list[tuple[str, str, str, int]]:
    """(holiday, first day, last day, days) for each holiday's block, in calendar order."""
    by_name: dict[str, list] = {}
    for day, name in sorted(arrangement.holidays.items()):
        by_name.setdefault(name, []).append(day)
    return [(name, days[0].isoformat(), days[-1].isoformat(), len(days)) for name, days in by_name.items()]


def _calendar_page(request: Request, session, me: Principal, status_code: int = 200, **extra: object):
    return page(
        request,
        "admin_calendar.html",
        status_code,
        me=me,
        package_years=(PACKAGE_FIRST_YEAR, PACKAGE_LAST_YEAR),
        entered=entered_year_rows(session),
        waiting=waiting_by_organ(session),
        **{"problem": None, "reading": None, "text": "", "entered_now": None, **extra},
    )


@router.get("/admin/calendar", dependencies=[ADMIN_ONLY])
def calendar_page(
    request: Request, session: DB, me: Me, entered: OptionalQueryInt = None, changed: QueryInt = 0
):
    """The years the calendar knows, the requests waiting for one, and the form to enter a year."""
    return _calendar_page(request, session, me, entered_now=(entered, changed) if entered else None)


async def _notice_text(text: str, file: UploadFile | None) -> str:
    if file is not None and file.filename:
        raw = await file.read(NOTICE_LIMIT * 4 + 1)
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                return raw.decode("gb18030")
            except UnicodeDecodeError:
                raise Refused(f"{file.filename}：不是文本文件（请粘贴通知的文字，或上传 .txt）") from None
    return text


async def notice_form(
    text: Annotated[str, Form(max_length=NOTICE_LIMIT)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> str | Refused:
    """The notice's text, pasted or uploaded (read here, on the event loop)."""
    try:
        return await _notice_text(text, file)
    except Refused as exc:
        return exc


NoticeText = Annotated[str | Refused, Depends(notice_form)]


@router.post("/admin/calendar/preview", dependencies=[Depends(check_csrf), ADMIN_ONLY])
@reads_only
def preview_year(
    request: Request,
    session: DB,
    me: Me,
    notice: NoticeText,
    partial: Annotated[str, Form()] = "",
    replace: Annotated[str, Form()] = "",
):
    """What the notice yields, day by day, for the administrator to compare with it; nothing stored."""
    try:
        if isinstance(notice, Refused):
            raise notice
        if not notice.strip():
            raise Refused("请粘贴通知的文字或上传通知文本文件")
        reading = read_notice(notice)
    except (Refused, NoticeError, ValueError) as exc:
        text = notice if isinstance(notice, str) else ""
        return _calendar_page(request, session, me, 400, problem=str(exc), text=text)
    arrangement = reading.arrangement
    return _calendar_page(
        request,
        session,
        me,
        reading=reading,
        blocks=_blocks(arrangement),
        workdays=sorted(d.isoformat() for d in arrangement.workdays),
        missing=missing_holidays(arrangement),
        problems=year_problems(arrangement, partial=bool(partial), replace=bool(replace)),
        partial=bool(partial),
        replace=bool(replace),
        text=notice,
    )


@router.post("/admin/calendar", dependencies=[Depends(check_csrf), ADMIN_ONLY])
def enter_year_from_notice(
    request: Request,
    session: DB,
    me: Me,
    text: Annotated[str, Form(max_length=NOTICE_LIMIT)],
    partial: Annotated[str, Form()] = "",
    replace: Annotated[str, Form()] = "",
):
    """Enter the year the previewed notice yields (audited), and recompute the open requests."""
    try:  # everything checked before anything is written: a page shown after a write would keep it
        reading = read_notice(text)
        problems = year_problems(reading.arrangement, partial=bool(partial), replace=bool(replace))
        if problems:
            raise Refused("；".join(problems))
    except (Refused, NoticeError, ValueError) as exc:
        return _calendar_page(request, session, me, 400, problem=str(exc), text=text)
    changed = enter_calendar_year(
        session, reading.arrangement, partial=bool(partial), replace=bool(replace), actor=me.user.login
    )
    year = reading.arrangement.year
    return RedirectResponse(f"/admin/calendar?entered={year}&changed={changed}", status_code=303)
