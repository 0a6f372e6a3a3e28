"""``gongkai deadline`` and ``gongkai calendar``: working days, from the State Council's holiday
arrangements for each year (entered, imported from the notice, or chinese-calendar's)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from gongkai.casework.deadlines import deadline as compute_deadline
from gongkai.casework.holiday_notice import read_notice
from gongkai.casework.law import TIME_LIMITS
from gongkai.casework.workdays import CalendarGap, YearArrangement
from gongkai.cli.console import err, out
from gongkai.cli.session import ByOpt, actor, work
from gongkai.store.calendar import enter_calendar_year
from gongkai.store.records import parse_day, work_calendar


def deadline(
    start: Annotated[str, typer.Option("--from", help="起算的日期（该日不计入）YYYY-MM-DD")],
    days: Annotated[int | None, typer.Option("--days", min=0, max=400, help="工作日数")] = None,
    rule: Annotated[
        str | None,
        typer.Option(
            "--for",
            help="法定期限："
            + "、".join(f"{k}（{t.working_days}日，{t.article}）" for k, t in TIME_LIMITS.items()),
        ),
    ] = None,
) -> None:
    """计算期限：某日之后第 N 个工作日及所依据的规定（The N-th working day after a date, and its rule）。"""
    if rule is not None and rule not in TIME_LIMITS:
        err.print(f"未知的期限「{rule}」；可选：{'、'.join(TIME_LIMITS)}")
        raise typer.Exit(2)
    if days is None and rule is None:
        err.print("请给出 --days N 或 --for 法定期限")
        raise typer.Exit(2)
    with work() as s:
        calendar = work_calendar(s)
        begin = parse_day(start, "--from")
        if rule is not None:
            found = compute_deadline(calendar, TIME_LIMITS[rule], begin, days=days)
            if found.due is None:
                assert found.missing_year is not None
                raise CalendarGap(found.missing_year)
            out.print(found.shown())
            err.print(found.explain())
            return
        assert days is not None
        due = calendar.add_working_days(begin, days)
        out.print(due.isoformat())
        err.print(
            f"自 {begin.isoformat()} 的次日起算第 {days} 个工作日（起算日不计，节假日不计，调休上班日计入）"
        )


calendar_app = typer.Typer(
    help="工作日历：国务院办公厅每年的放假安排（holidays and 调休 days）。", no_args_is_help=True
)


@calendar_app.command("show")
def calendar_show(
    year: Annotated[int | None, typer.Argument(help="年份；省略时列出已知的年份")] = None,
) -> None:
    """列出某年的假日和调休上班日，或已知的年份。"""
    with work() as s:
        calendar = work_calendar(s)
        if year is None:
            years = calendar.covered_years()
            entered = sorted(calendar.entered)
            out.print(
                f"已知 {years[0]}–{years[-1]} 年"
                + (f"；其中录入的年份：{'、'.join(map(str, entered))}" if entered else "")
            )
            return
        arrangement = calendar.arrangement(year)
        out.print(f"{year} 年（来源：{arrangement.source or 'chinese-calendar'}）")
        for day, name in sorted(arrangement.holidays.items()):
            out.print(f"  {day.isoformat()}  放假  {name}")
        for day in sorted(arrangement.workdays):
            out.print(f"  {day.isoformat()}  上班（调休）")


@calendar_app.command("add")
def calendar_add(
    year: Annotated[int, typer.Argument(help="年份")],
    holiday: Annotated[
        list[str], typer.Option("--holiday", help="放假日 YYYY-MM-DD[=名称]，可重复；周末也要列出假期内的")
    ] = [],  # noqa: B006
    workday: Annotated[list[str], typer.Option("--workday", help="调休上班的周末日 YYYY-MM-DD，可重复")] = [],  # noqa: B006
    source: Annotated[str, typer.Option("--source", help="依据（通知名称和文号）")] = "",
    partial: Annotated[bool, typer.Option("--partial", help="允许不含全部七个节日的安排")] = False,
    replace: Annotated[bool, typer.Option("--replace", help="替换 chinese-calendar 已有的年份")] = False,
    by: ByOpt = None,
) -> None:
    """逐日录入一年的放假安排（替换该年已录入的）；每个放假日写明节日名称，如 2027-02-06=春节。"""
    with work() as s:
        holidays = {}
        for item in holiday:
            day, _, name = item.partition("=")
            holidays[parse_day(day, "--holiday")] = name.strip() or "假日"
        workdays = frozenset(parse_day(d, "--workday") for d in workday)
        arrangement = YearArrangement(year, holidays, workdays, source=source or "手工录入")
        changed = _enter_year(s, arrangement, partial=partial, replace=replace, by=by)
    out.print(
        f"已录入 {year} 年：放假 {len(holidays)} 天，调休上班 {len(workdays)} 天；重新计算了 {changed} 件在办申请的期限"
    )


def _enter_year(
    s: Session, arrangement: YearArrangement, *, partial: bool, replace: bool, by: str | None
) -> int:
    """Enter a year after the checks that keep a slip from silently moving every deadline."""
    return enter_calendar_year(s, arrangement, partial=partial, replace=replace, actor=actor(by))


@calendar_app.command("import")
def calendar_import(
    file: Annotated[Path, typer.Argument(help="国务院办公厅关于某年部分节假日安排的通知（文本）")],
    year: Annotated[int | None, typer.Option("--year", help="年份（默认从通知标题读取）")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="替换 chinese-calendar 已有的年份")] = False,
    by: ByOpt = None,
) -> None:
    """从国务院办公厅的放假通知文本导入一年的安排。"""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"{file}：无法读取（{exc}）")
        raise typer.Exit(2) from None
    with work() as s:
        reading = read_notice(text, year)
        changed = _enter_year(s, reading.arrangement, partial=False, replace=replace, by=by)
        arrangement = reading.arrangement
    out.print(
        f"已导入 {arrangement.year} 年：放假 {len(arrangement.holidays)} 天，调休上班 {len(arrangement.workdays)} 天；"
        f"重新计算了 {changed} 件在办申请的期限"
    )
    if reading.other_years:
        days = "、".join(d.isoformat() for d in sorted(reading.other_years))
        err.print(
            f"通知还涉及其他年份的日期（{days}），请核对那一年的安排：gongkai calendar show {min(reading.other_years).year}"
        )


def install(app: typer.Typer) -> None:
    """Add ``gongkai deadline`` and ``gongkai calendar``."""
    app.command("deadline")(deadline)
    app.add_typer(calendar_app, name="calendar")
