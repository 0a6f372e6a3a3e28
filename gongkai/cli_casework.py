"""The casework commands: organs, requests on their clock, fees, appeals, the register, the calendar,
and the year's report built from the records. Thin shells over :mod:`gongkai.casework` and
:mod:`gongkai.store`.

Every change names who made it (``--by``, else ``$GONGKAI_USER``, else the login name) and goes into
the audit trail. Exit status: 0 done, 2 a step refused or bad input (one line saying why; nothing
stored).
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import pydantic
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from gongkai import clock
from gongkai.casework.annual import (
    APPEAL_KIND_LABELS,
    APPEAL_RESULT_LABELS,
    DOCUMENT_KINDS,
    TALLY_KEYS,
)
from gongkai.casework.deadlines import deadline as compute_deadline
from gongkai.casework.fees import FeeQuote
from gongkai.casework.holiday_notice import NoticeError, read_notice
from gongkai.casework.law import APPLICANT_LABELS, OUTCOME_LABELS, TIME_LIMITS, Channel
from gongkai.casework.requests import (
    EVENT_LABELS,
    Answered,
    ConsultationEnded,
    ConsultationStarted,
    Corrected,
    CorrectionLapsed,
    CorrectionRequested,
    Delayed,
    Event,
    Extended,
    FeeLapsed,
    FeeNoticed,
    FeePaid,
    IllegalStep,
    RequestCase,
    Withdrawn,
    make_registration,
)
from gongkai.casework.workdays import (
    CalendarGap,
    YearArrangement,
)
from gongkai.store.annual import build_year
from gongkai.store.calendar import enter_calendar_year
from gongkai.store.casefiles import (
    due_requests,
    find_request,
    load_case,
    nth_in_month,
    register,
    register_filing,
    take_step,
)
from gongkai.store.db import StoreError, open_store, transaction
from gongkai.store.ledger import LedgerProblems, read_ledger_within, write_ledger
from gongkai.store.records import (
    NotFound,
    Refused,
    add_organ,
    find_organ,
    happened,
    organ_tree,
    parse_day,
    rename_organ,
    work_calendar,
)
from gongkai.store.register import (
    SIGN_OFFS,
    add_appeal,
    add_document,
    add_publication,
    decide_appeal,
    find_appeal,
    find_document,
    parse_tally,
    repeal_document,
    set_tally,
    withdraw_appeal,
    withdraw_document,
)
from gongkai.store.tables import Appeal, Request, RequestEvent

out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)

OrganOpt = Annotated[str, typer.Option("--organ", help="机关代码（gongkai organs list 可查）")]
ByOpt = Annotated[str | None, typer.Option("--by", help="经办人（默认取 GONGKAI_USER 或登录名）")]
OnOpt = Annotated[str | None, typer.Option("--on", help="日期 YYYY-MM-DD（默认今天）")]
NumberArg = Annotated[str, typer.Argument(help="申请编号，如 2026-0001")]


def actor(by: str | None) -> str:
    """Who is making the change."""
    return by or os.environ.get("GONGKAI_USER") or getpass.getuser()


def _day(text: str | None, what: str = "日期") -> date:
    return clock.today() if text is None else parse_day(text, what)


@contextmanager
def work() -> Iterator[Session]:
    """A session on the store; every refusal becomes one line on stderr and exit status 2,
    and nothing of the failed command is stored. What the command prints to standard output is
    held back until the change is committed: a success line never appears for a change the
    database then refused."""
    out.begin_capture()
    factory = None
    try:
        with _refusals():
            factory = open_store()
            with transaction(factory) as session:
                yield session
    except BaseException:
        out.end_capture()  # the change was not stored: nothing it said is true
        raise
    finally:
        if factory is not None:
            factory.kw["bind"].dispose()  # a command's connections end with it
    held = out.end_capture()
    out.file.write(held)
    out.file.flush()


@contextmanager
def _refusals() -> Iterator[None]:
    """Each refusal of the store, the law or the database as one line and exit status 2."""
    try:
        yield
    except (Refused, NotFound, StoreError, CalendarGap, IllegalStep, NoticeError, LedgerProblems) as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None
    except pydantic.ValidationError as exc:
        err.print("输入有误：" + "；".join(_validation_problem(e) for e in exc.errors()))
        raise typer.Exit(2) from None
    except (ValueError, OverflowError, ArithmeticError) as exc:
        err.print(str(exc) or type(exc).__name__)
        raise typer.Exit(2) from None
    except DBAPIError as exc:  # a value the database cannot hold, or two clerks colliding
        if isinstance(exc, IntegrityError):
            reason = "与已有记录冲突，请重试"
        elif isinstance(exc, OperationalError):
            reason = "数据库忙或无法连接，请稍后重试"
        else:
            reason = "数值或文字超出数据库允许的范围"
        err.print(f"数据库拒绝了这次改动（{reason}）：{str(exc.orig).splitlines()[0]}")
        raise typer.Exit(2) from None


FIELD_NAMES = {
    "applicant_name": "申请人姓名或名称",
    "applicant_id": "身份证明",
    "applicant_contact": "联系方式",
    "subject": "申请内容",
    "approver": "批准人",
    "days": "延长的工作日数",
    "party": "被征求意见方",
    "quantity": "数量",
    "yuan": "金额",
    "what": "补正事项",
}
PROBLEMS = {
    "string_too_short": "不能为空",
    "string_too_long": "太长",
    "greater_than": "太小",
    "less_than_equal": "太大",
    "greater_than_equal": "太小",
}


def _validation_problem(error: dict) -> str:
    field = ".".join(str(part) for part in error["loc"])
    return f"{FIELD_NAMES.get(field, field)}{PROBLEMS.get(error['type'], '：' + error['msg'])}"


# --- deadline and calendar -----------------------------------------------------------------------


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


# --- organs ----------------------------------------------------------------------------------------

organs_app = typer.Typer(help="机关与地区（organs and regions）。", no_args_is_help=True)


@organs_app.command("add")
def organs_add(
    code: Annotated[str, typer.Argument(help="代码（简短，命令行里用）")],
    name: Annotated[str, typer.Argument(help="全称，如 某某区科学技术局")],
    region: Annotated[bool, typer.Option("--region", help="这是一个地区（下设机关）")] = False,
    parent: Annotated[str | None, typer.Option("--parent", help="所属地区的代码")] = None,
    by: ByOpt = None,
) -> None:
    """登记机关或地区。"""
    with work() as s:
        add_organ(s, code, name, kind="region" if region else "organ", parent=parent, actor=actor(by))
    out.print(f"已登记 {code}：{name}")


@organs_app.command("rename")
def organs_rename(
    code: Annotated[str, typer.Argument(help="机关代码")],
    name: Annotated[str, typer.Argument(help="新的全称（机构改革后）")],
    by: ByOpt = None,
) -> None:
    """机关更名：代码和记录不变，已发布的报告保留原名。"""
    with work() as s:
        rename_organ(s, find_organ(s, code), name, actor=actor(by))
    out.print(f"已更名 {code}：{name}")


@organs_app.command("list")
def organs_list() -> None:
    """列出全部机关（按地区缩进）。"""
    with work() as s:
        for depth, organ in organ_tree(s):
            out.print(
                f"{'  ' * depth}{organ.code}  {organ.name}{'（地区）' if organ.kind == 'region' else ''}"
            )


# --- requests --------------------------------------------------------------------------------------

requests_app = typer.Typer(help="依申请公开：登记、查看（disclosure requests）。", no_args_is_help=True)


@requests_app.command("register")
def requests_register(
    organ: OrganOpt,
    channel: Annotated[
        Channel, typer.Option("--channel", help="提交方式（决定收到申请之日，条例第三十一条）")
    ],
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="申请人类别：" + "、".join(f"{k}（{v}）" for k, v in APPLICANT_LABELS.items())
        ),
    ],
    name: Annotated[str, typer.Option("--name", help="申请人姓名或名称")],
    subject: Annotated[str, typer.Option("--subject", help="申请公开的政府信息的名称、文号或描述")],
    arrived: Annotated[
        str | None, typer.Option("--arrived", help="到达时间 YYYY-MM-DD[THH:MM]（默认现在）")
    ] = None,
    confirmed: Annotated[
        str | None, typer.Option("--confirmed", help="确认日期（平常信函、互联网、传真提交时必填）")
    ] = None,
    id_doc: Annotated[str, typer.Option("--id-doc", help="身份证明")] = "",
    contact: Annotated[str, typer.Option("--contact", help="联系方式")] = "",
    form: Annotated[str, typer.Option("--form", help="获取信息的方式（纸质、电子邮件……）")] = "",
    part: Annotated[
        list[str],
        typer.Option("--part", help="一事一申请：同一份申请的其他各项，每项登记为一件（可重复；办法第四条）"),
    ] = [],  # noqa: B006
    by: ByOpt = None,
) -> None:
    """登记一件政府信息公开申请，并给出补正和答复期限。"""
    with work() as s:
        try:
            arrival = (
                datetime.fromisoformat(arrived)
                if arrived
                else clock.now().replace(microsecond=0, tzinfo=None)
            )
        except ValueError:
            raise Refused(f"--arrived「{arrived}」不是 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM") from None
        happened(arrival.date(), "到达时间")
        if confirmed:
            happened(parse_day(confirmed, "--confirmed"), "确认日期")
        event = make_registration(
            channel=channel,
            arrived=arrival,
            confirmed_on=parse_day(confirmed, "--confirmed") if confirmed else None,
            applicant_kind=kind,
            applicant_name=name,
            subject=subject,
            applicant_id=id_doc,
            applicant_contact=contact,
            form_wanted=form,
        )
        calendar = work_calendar(s)
        if part:
            rows = register_filing(
                s, find_organ(s, organ), event, [subject, *part], calendar, actor=actor(by)
            )
            out.print(f"一份申请拆分为 {len(rows)} 件：{'、'.join(r.number for r in rows)}")
        else:
            rows = [register(s, find_organ(s, organ), event, calendar, actor=actor(by))]
        row = rows[0]
        case = load_case(s, row, calendar)
        out.print(f"已登记 {row.number}，收到申请之日 {row.received_on}")
        _print_deadlines(case)


def _print_deadlines(case: RequestCase) -> None:
    for found in case.deadlines():
        out.print(f"  {found.shown()}  {found.limit.rule}（{found.limit.article}）")
        if found.due is None and found.missing_year is not None:
            out.print(f"    {CalendarGap(found.missing_year)}")


@requests_app.command("list")
def requests_list(
    organ: OrganOpt,
    open_only: Annotated[bool, typer.Option("--open", help="只列未办结的")] = False,
    year: Annotated[int | None, typer.Option("--year", min=2008, max=2100, help="只列该年收到的")] = None,
) -> None:
    """列出申请。"""
    with work() as s:
        found = find_organ(s, organ)
        query = (
            select(Request).where(Request.organ_id == found.id).order_by(Request.received_on, Request.number)
        )
        if open_only:
            query = query.where(Request.concluded_on.is_(None))
        if year is not None:
            query = query.where(Request.received_on.between(date(year, 1, 1), date(year, 12, 31)))
        table = Table("编号", "收到", "申请人类别", "状态", "答复期限", header_style="bold")
        for row in s.scalars(query):
            due = row.answer_due_text
            table.add_row(
                row.number, row.received_on.isoformat(), APPLICANT_LABELS[row.applicant_kind], row.status, due
            )
        out.print(table)


@requests_app.command("show")
def requests_show(organ: OrganOpt, number: NumberArg) -> None:
    """一件申请的全部经过和正在计算的期限（含申请人信息，仅限本机关工作人员）。"""
    with work() as s:
        row = find_request(s, find_organ(s, organ), number)
        out.print(f"{row.number}  {row.status}")
        out.print(
            f"申请人：{row.applicant_name}（{APPLICANT_LABELS[row.applicant_kind]}）{row.applicant_id} {row.applicant_contact}".rstrip()
        )
        out.print(f"申请内容：{row.subject}")
        events = s.scalars(
            select(RequestEvent).where(RequestEvent.request_id == row.id).order_by(RequestEvent.seq)
        )
        for event in events:
            out.print(f"  {event.on.isoformat()}  {EVENT_LABELS[event.type]}  （{event.recorded_by} 记录）")
        _print_deadlines(load_case(s, row, work_calendar(s)))


def _step(organ: str, number: str, make: Callable[[], Event], by: str | None) -> None:
    """Build the step (inside :func:`work`, so that a bad date or value is one line) and take it."""
    with work() as s:
        event = make()
        happened(event.on)
        calendar = work_calendar(s)
        row = find_request(s, find_organ(s, organ), number)
        case = take_step(s, row, event, calendar, actor=actor(by))
        out.print(f"{row.number}：{EVENT_LABELS[event.type]}，现在 {row.status}")
        _print_deadlines(case)


def answer(
    organ: OrganOpt,
    number: NumberArg,
    outcome: Annotated[
        str,
        typer.Option(
            "--outcome",
            help="办理结果（表三的行）：" + "、".join(f"{k}（{v}）" for k, v in OUTCOME_LABELS.items()),
        ),
    ],
    on: OnOpt = None,
    summary: Annotated[str, typer.Option("--summary", help="答复要点")] = "",
    by: ByOpt = None,
) -> None:
    """答复申请：办理结果即表三的一行。"""
    _step(organ, number, lambda: Answered(on=_day(on), outcome=outcome, summary=summary), by)


def withdraw(
    organ: OrganOpt,
    number: NumberArg,
    on: OnOpt = None,
    reason: Annotated[str, typer.Option("--reason", help="撤回的原因（可不填）")] = "",
    by: ByOpt = None,
) -> None:
    """申请人撤回申请（计入表三（六）3 其他）。"""
    _step(organ, number, lambda: Withdrawn(on=_day(on), reason=reason), by)


def extend(
    organ: OrganOpt,
    number: NumberArg,
    approver: Annotated[str, typer.Option("--approver", help="同意延期的政府信息公开工作机构负责人")],
    days: Annotated[int, typer.Option("--days", min=1, max=20, help="延长的工作日数（最多 20）")] = 20,
    on: OnOpt = None,
    reason: Annotated[str, typer.Option("--reason", help="延期的理由")] = "",
    by: ByOpt = None,
) -> None:
    """延长答复期限（条例第三十三条第二款，仅一次）。"""
    _step(organ, number, lambda: Extended(on=_day(on), days=days, approver=approver, reason=reason), by)


def delay(
    organ: OrganOpt,
    number: NumberArg,
    until: Annotated[str, typer.Option("--until", help="确定的答复日期")],
    on: OnOpt = None,
    reason: Annotated[str, typer.Option("--reason", help="延迟答复的理由")] = "",
    by: ByOpt = None,
) -> None:
    """延迟答复（条例第三十五条）。"""
    _step(organ, number, lambda: Delayed(on=_day(on), until=parse_day(until, "--until"), reason=reason), by)


correct_app = typer.Typer(help="补正（条例第三十条；corrections）。", no_args_is_help=True)


@correct_app.command("ask")
def correct_ask(
    organ: OrganOpt,
    number: NumberArg,
    respond_by: Annotated[str, typer.Option("--respond-by", help="补正期限")],
    what: Annotated[str, typer.Option("--what", help="需要补正的事项")] = "",
    on: OnOpt = None,
    by: ByOpt = None,
) -> None:
    """一次性告知申请人补正。"""
    _step(
        organ,
        number,
        lambda: CorrectionRequested(on=_day(on), respond_by=parse_day(respond_by, "--respond-by"), what=what),
        by,
    )


@correct_app.command("received")
def correct_received(organ: OrganOpt, number: NumberArg, on: OnOpt = None, by: ByOpt = None) -> None:
    """收到补正后的申请：答复期限自该日重新计算。"""
    _step(organ, number, lambda: Corrected(on=_day(on)), by)


@correct_app.command("lapsed")
def correct_lapsed(organ: OrganOpt, number: NumberArg, on: OnOpt = None, by: ByOpt = None) -> None:
    """逾期未补正：视为放弃申请（表三（六）1）。"""
    _step(organ, number, lambda: CorrectionLapsed(on=_day(on)), by)


consult_app = typer.Typer(
    help="征求意见（条例第三十二、三十四条），期间不计入答复期限。", no_args_is_help=True
)


@consult_app.command("start")
def consult_start(
    organ: OrganOpt,
    number: NumberArg,
    party: Annotated[str, typer.Option("--party", help="被征求意见的第三方或机关")],
    organ_party: Annotated[
        bool, typer.Option("--organ-party", help="征求其他机关意见（第三十四条）；默认为第三方（第三十二条）")
    ] = False,
    letter_received: Annotated[
        str | None, typer.Option("--letter-received", help="对方收到征求意见书的日期")
    ] = None,
    on: OnOpt = None,
    by: ByOpt = None,
) -> None:
    """发出征求意见书。"""
    _step(
        organ,
        number,
        lambda: ConsultationStarted(
            on=_day(on),
            party_kind="organ" if organ_party else "third_party",
            party=party,
            letter_received_on=parse_day(letter_received, "--letter-received") if letter_received else None,
        ),
        by,
    )


@consult_app.command("end")
def consult_end(
    organ: OrganOpt,
    number: NumberArg,
    opinion: Annotated[str, typer.Option("--opinion", help="第三方或有关机关的意见（可不填）")] = "",
    on: OnOpt = None,
    by: ByOpt = None,
) -> None:
    """收到意见（或期限届满），恢复计时。"""
    _step(organ, number, lambda: ConsultationEnded(on=_day(on), opinion=opinion), by)


fee_app = typer.Typer(help="信息处理费（国办函〔2020〕109号；fees）。", no_args_is_help=True)


@fee_app.command("notice")
def fee_notice(
    organ: OrganOpt,
    number: NumberArg,
    pages: Annotated[int | None, typer.Option("--pages", min=1, max=1_000_000, help="按量计收：页数")] = None,
    per_request: Annotated[
        bool, typer.Option("--per-request", help="按件计收：按申请人本月申请件数")
    ] = False,
    received: Annotated[
        str | None, typer.Option("--received", help="申请人收到收费通知的日期（默认同发出日）")
    ] = None,
    on: OnOpt = None,
    by: ByOpt = None,
) -> None:
    """计算并发出收费通知：金额、算法、依据和缴费期限。"""
    if (pages is None) == (not per_request):
        err.print("请选择一种计收方式：--pages N（按量）或 --per-request（按件），同一申请只能用一种")
        raise typer.Exit(2)
    with work() as s:
        row = find_request(s, find_organ(s, organ), number)
        quote = FeeQuote.per_page(pages) if pages is not None else FeeQuote.per_request(nth_in_month(s, row))
        day = _day(on)
        happened(day)
        event = FeeNoticed(
            on=day,
            received_on=parse_day(received, "--received") if received else day,
            method=quote.method,
            quantity=quote.quantity,
            yuan=quote.yuan,
        )
        case = take_step(s, row, event, work_calendar(s), actor=actor(by))
        out.print(
            f"{row.number}：收费 {quote.yuan} 元（{quote.method.label}：{quote.working}；{quote.basis}）"
        )
        _print_deadlines(case)


@fee_app.command("paid")
def fee_paid(organ: OrganOpt, number: NumberArg, on: OnOpt = None, by: ByOpt = None) -> None:
    """登记缴费。"""
    _step(organ, number, lambda: FeePaid(on=_day(on)), by)


@fee_app.command("lapsed")
def fee_lapsed(organ: OrganOpt, number: NumberArg, on: OnOpt = None, by: ByOpt = None) -> None:
    """逾期未缴费：视为放弃申请（表三（六）2）。"""
    _step(organ, number, lambda: FeeLapsed(on=_day(on)), by)


def overdue(
    organ: OrganOpt,
    within: Annotated[
        int | None, typer.Option("--within", min=0, help="列出 N 个工作日内到期的（含已逾期）")
    ] = None,
    today: Annotated[str | None, typer.Option("--today", help="以该日为今天")] = None,
) -> None:
    """已逾期（或即将到期）的申请；有逾期的申请时退出码为 1（exit status 1 when any is overdue）。"""
    with work() as s:
        now = _day(today, "--today")
        rows = due_requests(s, find_organ(s, organ), work_calendar(s), now, within=within)
    if not rows:
        out.print("没有逾期的申请" if within is None else f"{within} 个工作日内没有到期的申请")
        return
    table = Table("编号", "收到", "答复期限", "剩余工作日", "状态", header_style="bold")
    for item in rows:
        if item.working_days_left is None:
            left = "逾期" if item.answer_due < now else "—"
        else:
            left = f"逾期 {-item.working_days_left}" if item.answer_due < now else str(item.working_days_left)
        table.add_row(
            item.number, item.received_on.isoformat(), item.answer_due.isoformat(), left, item.status
        )
    out.print(table)
    if any(item.answer_due < now for item in rows):
        raise typer.Exit(1)


# --- appeals ---------------------------------------------------------------------------------------

appeal_app = typer.Typer(help="行政复议、行政诉讼（表四；appeals）。", no_args_is_help=True)


@appeal_app.command("add")
def appeal_add(
    organ: OrganOpt,
    number: Annotated[str, typer.Argument(help="案号")],
    kind: Annotated[
        str, typer.Option("--kind", help="、".join(f"{k}（{v}）" for k, v in APPEAL_KIND_LABELS.items()))
    ],
    filed: Annotated[str, typer.Option("--filed", help="立案（收到）日期")],
    request: Annotated[str | None, typer.Option("--request", help="所涉申请的编号")] = None,
    summary: Annotated[str, typer.Option("--summary", help="案情摘要（可不填）")] = "",
    by: ByOpt = None,
) -> None:
    """登记复议或诉讼案件。"""
    with work() as s:
        filed_on = parse_day(filed, "--filed")
        happened(filed_on, "立案日期")
        add_appeal(
            s,
            find_organ(s, organ),
            number=number,
            kind=kind,
            filed_on=filed_on,
            request_number=request,
            summary=summary,
            actor=actor(by),
        )
    out.print(f"已登记 {number}")


@appeal_app.command("decide")
def appeal_decide(
    organ: OrganOpt,
    number: Annotated[str, typer.Argument(help="案号")],
    result: Annotated[
        str, typer.Option("--result", help="、".join(f"{k}（{v}）" for k, v in APPEAL_RESULT_LABELS.items()))
    ],
    on: OnOpt = None,
    by: ByOpt = None,
) -> None:
    """登记审结结果。"""
    with work() as s:
        decided_on = _day(on)
        happened(decided_on, "审结日期")
        decide_appeal(s, find_appeal(s, find_organ(s, organ), number), result, decided_on, actor=actor(by))
    out.print(f"{number}：{APPEAL_RESULT_LABELS[result]}")


@appeal_app.command("withdraw")
def appeal_withdraw(
    organ: OrganOpt, number: Annotated[str, typer.Argument(help="案号")], by: ByOpt = None
) -> None:
    """撤销误登记的案件（保留记录，不再计入表四）。"""
    with work() as s:
        withdraw_appeal(s, find_appeal(s, find_organ(s, organ), number), actor=actor(by))
    out.print(f"已撤销登记 {number}")


@appeal_app.command("list")
def appeal_list(organ: OrganOpt) -> None:
    """列出复议、诉讼案件。"""
    with work() as s:
        found = find_organ(s, organ)
        table = Table("案号", "类别", "立案", "结果", "审结", header_style="bold")
        for a in s.scalars(select(Appeal).where(Appeal.organ_id == found.id).order_by(Appeal.filed_on)):
            table.add_row(
                a.number,
                APPEAL_KIND_LABELS[a.kind],
                a.filed_on.isoformat(),
                "已撤销登记" if a.withdrawn else APPEAL_RESULT_LABELS.get(a.result or "", "尚未审结"),
                a.decided_on.isoformat() if a.decided_on else "",
            )
        out.print(table)


# --- the register ----------------------------------------------------------------------------------

register_app = typer.Typer(
    help="主动公开登记：文件、统计数、公开信息（the proactive register）。", no_args_is_help=True
)


@register_app.command("document")
def register_document(
    organ: OrganOpt,
    kind: Annotated[str, typer.Option("--kind", help="rules（规章）或 normative（行政规范性文件）")],
    title: Annotated[str, typer.Option("--title", help="文件名称")],
    issued: Annotated[str, typer.Option("--issued", help="印发日期")],
    doc_number: Annotated[str, typer.Option("--doc-number", help="文号")] = "",
    published: Annotated[str | None, typer.Option("--published", help="公开日期")] = None,
    by: ByOpt = None,
) -> None:
    """登记制发的规章或行政规范性文件。"""
    with work() as s:
        doc = add_document(
            s,
            find_organ(s, organ),
            kind=kind,
            title=title,
            doc_number=doc_number,
            issued_on=happened(parse_day(issued, "--issued"), "印发日期"),
            published_on=happened(parse_day(published, "--published"), "公开日期") if published else None,
            actor=actor(by),
        )
        out.print(f"已登记文件 {doc.id}：{DOCUMENT_KINDS[doc.kind]}《{doc.title}》")


@register_app.command("repeal")
def register_repeal(
    organ: OrganOpt,
    document: Annotated[str, typer.Argument(help="文件编号或文号")],
    on: OnOpt = None,
    by: ByOpt = None,
) -> None:
    """登记文件废止。"""
    with work() as s:
        doc = find_document(s, find_organ(s, organ), document)
        repeal_document(s, doc, happened(_day(on), "废止日期"), actor=actor(by))
        out.print(f"《{doc.title}》于 {doc.repealed_on} 废止")


@register_app.command("withdraw")
def register_withdraw(
    organ: OrganOpt, document: Annotated[str, typer.Argument(help="文件编号或文号")], by: ByOpt = None
) -> None:
    """撤销误登记的文件（保留记录，不再计入表二）。"""
    with work() as s:
        doc = find_document(s, find_organ(s, organ), document)
        withdraw_document(s, doc, actor=actor(by))
        out.print(f"已撤销登记《{doc.title}》")


@register_app.command("tally")
def register_tally(
    organ: OrganOpt,
    year: Annotated[int, typer.Option("--year", min=2008, max=2100, help="统计年度")],
    key: Annotated[str, typer.Option("--key", help="、".join(f"{k}（{v}）" for k, v in TALLY_KEYS.items()))],
    value: Annotated[str, typer.Option("--value", help="数值：件数为整数，金额可有小数（单位见统计项）")],
    by: ByOpt = None,
) -> None:
    """录入年度统计数（行政许可、处罚、强制的处理决定数，收费金额……）。"""
    with work() as s:
        set_tally(s, find_organ(s, organ), year, key, parse_tally(key, value), actor=actor(by))
    out.print(f"{year} 年 {TALLY_KEYS[key]} = {value}")


@register_app.command("publish")
def register_publish(
    organ: OrganOpt,
    title: Annotated[str, typer.Option("--title", help="信息标题")],
    category: Annotated[str, typer.Option("--category", help="公开目录类别，如 政策文件及解读、部门预决算")],
    channel: Annotated[list[str], typer.Option("--channel", help="发布渠道，可重复")],
    first_review: Annotated[str, typer.Option("--first-review", help="初审")],
    second_review: Annotated[str, typer.Option("--second-review", help="复审")],
    final_review: Annotated[str, typer.Option("--final-review", help="终审")],
    secrecy_review: Annotated[str, typer.Option("--secrecy-review", help="保密审查")],
    on: OnOpt = None,
    by: ByOpt = None,
) -> None:
    """登记一条主动公开的信息及其三审三校、保密审查。"""
    sign_offs = dict(zip(SIGN_OFFS, (first_review, second_review, final_review, secrecy_review), strict=True))
    with work() as s:
        add_publication(
            s,
            find_organ(s, organ),
            title=title,
            category=category,
            published_on=happened(_day(on), "发布日期"),
            channels=channel,
            sign_offs=sign_offs,
            actor=actor(by),
        )
    out.print(f"已登记：{title}")


def import_command(
    organ: OrganOpt,
    kind: Annotated[
        str, typer.Argument(help="documents（规章和行政规范性文件台账）或 publications（主动公开信息台账）")
    ],
    file: Annotated[Path, typer.Argument(help="台账：XLSX 或 CSV")],
    by: ByOpt = None,
) -> None:
    """导入 Excel 台账：先逐行检查，有问题的行全部列出，一行也不导入。"""
    if not file.is_file():
        err.print(f"{file}：文件不存在")
        raise typer.Exit(2)
    with work() as s:
        organ_id = find_organ(s, organ).id
    # read and checked outside any transaction, then written in short ones (issue 14 §1)
    read = read_ledger_within(file, kind)
    with _refusals():
        factory = open_store()
        try:
            done = write_ledger(factory, organ_id, read, actor=actor(by))
        finally:
            factory.kw["bind"].dispose()
    skipped = f"（另有 {done.skipped} 行已在登记簿中，未重复导入）" if done.skipped else ""
    out.print(f"已从 {file} 导入 {done.written} 行{skipped}")


# --- the year's report -------------------------------------------------------------------------------

report_app = typer.Typer(
    help="年度报告：由办理记录生成（the year's report, computed）。", no_args_is_help=True
)


@report_app.command("build")
def report_build(
    organ: OrganOpt,
    year: Annotated[int, typer.Option("--year", min=2019, max=2100, help="报告年度")],
    as_json: Annotated[bool, typer.Option("--json", help="打印标准 JSON")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="写入 JSON 文件")] = None,
) -> None:
    """由本机关的办理记录计算该年度的表二、表三、表四，并起草第一、六部分中的数字句子。"""
    from gongkai.checks import check_report
    from gongkai.model.report import report_to_json

    with work() as s:
        report = build_year(s, find_organ(s, organ), year)
    text = json.dumps(report_to_json(report), ensure_ascii=False, indent=2) + "\n"
    if output is not None:
        partial = output.with_name(output.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(output)
        err.print(f"已写出 {output}")
    if as_json:
        sys.stdout.write(text)
    elif output is None:
        cells = report.requests.new.total, report.requests.total.total, report.requests.carried_over.total
        out.print(
            f"{report.agency} {year} 年度报告（{report.format} 年格式）：新收申请 {cells[0]} 件，办结 {cells[1]} 件，结转 {cells[2]} 件"
        )
    from gongkai.model.layouts import cell_name, layout_for
    from gongkai.model.report import report_cells

    layout, cells = layout_for(report.format), report_cells(report)
    blank = [key for key in layout.active_keys if cells[f"active.{key}"] is None]
    if blank:
        err.print(
            f"表二尚未录入这些数（gongkai register tally --organ {organ} --year {year} --key 统计项 --value 数值）："
        )
        for key in blank:
            group, column = key.rsplit(".", 1)
            source = {
                "previous": f"{year - 1} 年的 {group}.items",
                "change": f"{year - 1} 年和 {year} 年的 {group}.items",
            }.get(column, key if key in TALLY_KEYS else f"{group}.items")
            err.print(f"  {cell_name('active.' + key, layout)}  ← 统计项 {source}")
    pending = [f for f in check_report(report) if f.rule.startswith("SEC-")]
    if pending:
        err.print(f"第二至五部分的文字由经办人撰写；尚缺：{'；'.join(f.message for f in pending[:6])}")


# --- accounts and the web platform -----------------------------------------------------------------

users_app = typer.Typer(help="账号与角色（accounts of the web platform）。", no_args_is_help=True)


@users_app.command("add")
def users_add(
    login: Annotated[str, typer.Argument(help="登录名")],
    name: Annotated[str, typer.Option("--name", help="姓名")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="clerk（经办人）、reviewer（审核人）、approver（审签人）、supervisor（政务公开办）、admin（管理员）",
        ),
    ],
    organ: Annotated[str | None, typer.Option("--organ", help="所属机关（监督人员为所属地区）的代码")] = None,
    by: ByOpt = None,
) -> None:
    """建立账号。密码从标准输入读取一行（脚本用），或在终端中输入两次。"""
    password = _read_password()
    from gongkai.store.accounts import add_user

    with work() as s:
        user = add_user(s, login, name, role, password, organ=organ, actor=actor(by))
        out.print(f"已建立账号 {user.login}（{user.name}）")


def _read_password() -> str:
    if sys.stdin.isatty():
        return typer.prompt("密码", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


@users_app.command("password")
def users_password(login: Annotated[str, typer.Argument(help="登录名")], by: ByOpt = None) -> None:
    """设置新密码（从标准输入读取一行，或在终端中输入两次）。"""
    from gongkai.store.accounts import find_user, set_password

    password = _read_password()
    with work() as s:
        set_password(s, find_user(s, login), password, actor=actor(by))
    out.print(f"已为 {login} 设置新密码")


@users_app.command("stop")
def users_stop(login: Annotated[str, typer.Argument(help="登录名")], by: ByOpt = None) -> None:
    """停用账号（保留记录；已登录的会话在下一次访问时结束）。"""
    from gongkai.store.accounts import find_user, set_active

    with work() as s:
        set_active(s, find_user(s, login), False, actor=actor(by))
    out.print(f"已停用 {login}")


@users_app.command("start")
def users_start(login: Annotated[str, typer.Argument(help="登录名")], by: ByOpt = None) -> None:
    """重新启用账号。"""
    from gongkai.store.accounts import find_user, set_active

    with work() as s:
        set_active(s, find_user(s, login), True, actor=actor(by))
    out.print(f"已启用 {login}")


@users_app.command("list")
def users_list() -> None:
    """列出账号。"""
    from gongkai.store.accounts import ROLE_LABELS, Role
    from gongkai.store.tables import Organ, User

    with work() as s:
        codes = {o.id: o.code for o in s.scalars(select(Organ))}
        for user in s.scalars(select(User).order_by(User.login)):
            where = codes.get(user.organ_id, "") if user.organ_id else ""
            state = "" if user.active else "（已停用）"
            out.print(f"{user.login}  {user.name}  {ROLE_LABELS[Role(user.role)]}  {where}{state}")


def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="监听端口")] = 8000,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="数据库地址（默认 GONGKAI_DATABASE_URL 或数据目录里的 SQLite 文件）"
        ),
    ] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="数据目录（密钥、默认数据库）")] = None,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies", help="只通过 HTTPS 发送登录 Cookie（部署在 HTTPS 之后时使用）")
    ] = False,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="工作进程数（多核机器上可设为核数）")
    ] = 1,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            "--forwarded-allow-ips",
            help="反向代理的地址，逗号分隔：信任其 X-Forwarded-For，门户限额按访客的真实地址计数（默认只信任本机）",
        ),
    ] = "127.0.0.1",
) -> None:
    """启动网页平台（Start the web platform）。"""
    import uvicorn
    from limits.errors import ConfigurationError

    from gongkai.web.app import create_app
    from gongkai.web.public import portal_limits
    from gongkai.web.settings import WebSettings

    if data_dir is not None:
        os.environ["GONGKAI_HOME"] = str(data_dir)
        database_url = database_url or f"sqlite:///{data_dir / 'gongkai.db'}"
    if database_url:
        os.environ["GONGKAI_DATABASE_URL"] = database_url
    if secure_cookies:
        os.environ["GONGKAI_SECURE_COOKIES"] = "1"
    try:
        settings = WebSettings.load()
        app = create_app(settings)  # also brings the database up to date, once, before any worker
        # a storage URI the limits library cannot use is said now, not at the first portal request
        portal_limits(settings.rate_limit_storage, settings.filings_per_hour, settings.lookups_per_10_minutes)
    except (StoreError, OSError) as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None
    except ConfigurationError as exc:
        err.print(f"GONGKAI_RATE_LIMIT_STORAGE 无法使用：{exc}")
        raise typer.Exit(2) from None
    err.print(
        f"gongkai 网页平台：http://{host}:{port}/  （数据库 {settings.database_url}，{workers} 个工作进程）"
    )
    if workers > 1 and settings.rate_limit_storage.startswith("memory://"):
        err.print(
            f"注意：公众门户的提交和查询限额由每个工作进程分别计数（实际放宽为 {workers} 倍）；"
            "多进程时请设置 GONGKAI_RATE_LIMIT_STORAGE=redis://主机:6379/0 共用计数。"
        )
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning", forwarded_allow_ips=forwarded_allow_ips)
    else:  # each worker builds the app from the same environment
        uvicorn.run(
            "gongkai.web.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            forwarded_allow_ips=forwarded_allow_ips,
        )


def demo(
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="数据目录（默认 GONGKAI_HOME）")] = None,
    year: Annotated[
        int | None, typer.Option("--year", min=2021, max=2100, help="示范数据的年度（默认今年）")
    ] = None,
    seeds: Annotated[Path | None, typer.Option("--seeds", help="样本报告所在文件夹")] = None,
) -> None:
    """生成示范数据（只生成一次）并列出示范账号（Make the demo data once and print the demo accounts）。"""
    from gongkai.demo import ACCOUNTS, DEMO_PASSWORD, has_demo, make_demo
    from gongkai.store.accounts import ROLE_LABELS, Role

    if data_dir is not None:
        os.environ["GONGKAI_HOME"] = str(data_dir)
    with work() as s:
        if has_demo(s):
            out.print("示范数据已存在。")
        else:
            for line in make_demo(s, year=year or clock.today().year, seeds=seeds):
                out.print(f"已生成 {line}")
    out.print(f"示范账号（密码均为 {DEMO_PASSWORD}，仅供本机试用）：")
    for account in ACCOUNTS:
        out.print(f"  {account.login:10} {ROLE_LABELS[Role(account.role)]}  {account.name}")


def install(app: typer.Typer) -> None:
    """Add the casework commands to the ``gongkai`` command."""
    app.command("deadline")(deadline)
    app.add_typer(calendar_app, name="calendar")
    app.add_typer(organs_app, name="organs")
    app.add_typer(requests_app, name="requests")
    app.command("answer")(answer)
    app.command("withdraw")(withdraw)
    app.command("extend")(extend)
    app.command("delay")(delay)
    app.add_typer(correct_app, name="correct")
    app.add_typer(consult_app, name="consult")
    app.add_typer(fee_app, name="fee")
    app.command("overdue")(overdue)
    app.add_typer(appeal_app, name="appeal")
    app.add_typer(register_app, name="register")
    app.command("import")(import_command)
    app.add_typer(report_app, name="report")
    app.add_typer(users_app, name="users")
    app.command("serve")(serve)
    app.command("demo")(demo)
