"""``gongkai appeal``: administrative reconsiderations and lawsuits, table 四 of the year's report."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from gongkai.casework.annual import APPEAL_KIND_LABELS, APPEAL_RESULT_LABELS
from gongkai.cli.console import out
from gongkai.cli.session import ByOpt, OnOpt, OrganOpt, actor, day_or_today, work
from gongkai.store.records import find_organ, happened, parse_day
from gongkai.store.register import add_appeal, decide_appeal, find_appeal, withdraw_appeal
from gongkai.store.tables import Appeal

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
        decided_on = day_or_today(on)
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


def install(app: typer.Typer) -> None:
    """Add ``gongkai appeal``."""
    app.add_typer(appeal_app, name="appeal")
