"""``gongkai fee``: the information processing fee (国办函〔2020〕109号) — the notice with its amount,
working and basis, then paid or lapsed."""

from __future__ import annotations

from typing import Annotated

import typer

from gongkai.casework.fees import FeeQuote
from gongkai.casework.requests import FeeLapsed, FeeNoticed, FeePaid
from gongkai.cli.console import err, out
from gongkai.cli.requests import print_deadlines, run_step
from gongkai.cli.session import ByOpt, NumberArg, OnOpt, OrganOpt, actor, day_or_today, work
from gongkai.store.casefiles import find_request, nth_in_month, take_step
from gongkai.store.records import find_organ, happened, parse_day, work_calendar

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
        day = day_or_today(on)
        happened(day)
        quote = (
            FeeQuote.per_page(pages, day)
            if pages is not None
            else FeeQuote.per_request(nth_in_month(s, row), day)
        )
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
        print_deadlines(case)


@fee_app.command("paid")
def fee_paid(organ: OrganOpt, number: NumberArg, on: OnOpt = None, by: ByOpt = None) -> None:
    """登记缴费。"""
    run_step(organ, number, lambda: FeePaid(on=day_or_today(on)), by)


@fee_app.command("lapsed")
def fee_lapsed(organ: OrganOpt, number: NumberArg, on: OnOpt = None, by: ByOpt = None) -> None:
    """逾期未缴费：视为放弃申请（表三（六）2）。"""
    run_step(organ, number, lambda: FeeLapsed(on=day_or_today(on)), by)


def install(app: typer.Typer) -> None:
    """Add ``gongkai fee``."""
    app.add_typer(fee_app, name="fee")
