"""``gongkai requests`` and the steps of a request on its clock: ``answer``, ``withdraw``,
``extend``, ``delay``, ``correct``, ``consult`` and ``overdue``. Thin shells over
:mod:`gongkai.casework` and :mod:`gongkai.store`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from gongkai import clock
from gongkai.casework.law import APPLICANT_LABELS, OUTCOME_LABELS, Channel
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
    RequestCase,
    Withdrawn,
    make_registration,
)
from gongkai.casework.workdays import CalendarGap
from gongkai.cli.console import out
from gongkai.cli.session import ByOpt, NumberArg, OnOpt, OrganOpt, actor, day_or_today, work
from gongkai.store.casefiles import (
    due_requests,
    find_request,
    load_case,
    register,
    register_filing,
    take_step,
)
from gongkai.store.records import Refused, find_organ, happened, parse_day, work_calendar
from gongkai.store.tables import Request, RequestEvent

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
        print_deadlines(case)


def print_deadlines(case: RequestCase) -> None:
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
        print_deadlines(load_case(s, row, work_calendar(s)))


def run_step(organ: str, number: str, make: Callable[[], Event], by: str | None) -> None:
    """Build the step (inside :func:`work`, so that a bad date or value is one line) and take it."""
    with work() as s:
        event = make()
        happened(event.on)
        calendar = work_calendar(s)
        row = find_request(s, find_organ(s, organ), number)
        case = take_step(s, row, event, calendar, actor=actor(by))
        out.print(f"{row.number}：{EVENT_LABELS[event.type]}，现在 {row.status}")
        print_deadlines(case)


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
    run_step(organ, number, lambda: Answered(on=day_or_today(on), outcome=outcome, summary=summary), by)


def withdraw(
    organ: OrganOpt,
    number: NumberArg,
    on: OnOpt = None,
    reason: Annotated[str, typer.Option("--reason", help="撤回的原因（可不填）")] = "",
    by: ByOpt = None,
) -> None:
    """申请人撤回申请（计入表三（六）3 其他）。"""
    run_step(organ, number, lambda: Withdrawn(on=day_or_today(on), reason=reason), by)


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
    run_step(
        organ, number, lambda: Extended(on=day_or_today(on), days=days, approver=approver, reason=reason), by
    )


def delay(
    organ: OrganOpt,
    number: NumberArg,
    until: Annotated[str, typer.Option("--until", help="确定的答复日期")],
    on: OnOpt = None,
    reason: Annotated[str, typer.Option("--reason", help="延迟答复的理由")] = "",
    by: ByOpt = None,
) -> None:
    """延迟答复（条例第三十五条）。"""
    run_step(
        organ,
        number,
        lambda: Delayed(on=day_or_today(on), until=parse_day(until, "--until"), reason=reason),
        by,
    )


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
    run_step(
        organ,
        number,
        lambda: CorrectionRequested(
            on=day_or_today(on), respond_by=parse_day(respond_by, "--respond-by"), what=what
        ),
        by,
    )


@correct_app.command("received")
def correct_received(organ: OrganOpt, number: NumberArg, on: OnOpt = None, by: ByOpt = None) -> None:
    """收到补正后的申请：答复期限自该日重新计算。"""
    run_step(organ, number, lambda: Corrected(on=day_or_today(on)), by)


@correct_app.command("lapsed")
def correct_lapsed(organ: OrganOpt, number: NumberArg, on: OnOpt = None, by: ByOpt = None) -> None:
    """逾期未补正：视为放弃申请（表三（六）1）。"""
    run_step(organ, number, lambda: CorrectionLapsed(on=day_or_today(on)), by)


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
    run_step(
        organ,
        number,
        lambda: ConsultationStarted(
            on=day_or_today(on),
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
    run_step(organ, number, lambda: ConsultationEnded(on=day_or_today(on), opinion=opinion), by)


def overdue(
    organ: OrganOpt,
    within: Annotated[
        int | None, typer.Option("--within", min=0, help="列出 N 个工作日内到期的（含已逾期）")
    ] = None,
    today: Annotated[str | None, typer.Option("--today", help="以该日为今天")] = None,
) -> None:
    """已逾期（或即将到期）的申请；有逾期的申请时退出码为 1（exit status 1 when any is overdue）。"""
    with work() as s:
        now = day_or_today(today, "--today")
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


def install(app: typer.Typer) -> None:
    """Add ``gongkai requests`` and the steps of a request."""
    app.add_typer(requests_app, name="requests")
    app.command("answer")(answer)
    app.command("withdraw")(withdraw)
    app.command("extend")(extend)
    app.command("delay")(delay)
    app.add_typer(correct_app, name="correct")
    app.add_typer(consult_app, name="consult")
    app.command("overdue")(overdue)
