"""``gongkai register`` and ``gongkai import``: the proactive register — documents issued and
repealed, the year's tallies, information published — entered one by one or from a 台账."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gongkai.casework.annual import DOCUMENT_KINDS, TALLY_KEYS
from gongkai.cli.console import err, out
from gongkai.cli.session import ByOpt, OnOpt, OrganOpt, actor, day_or_today, store, work
from gongkai.store.ledger import read_ledger_within, write_ledger
from gongkai.store.records import find_organ, happened, parse_day
from gongkai.store.register import (
    SIGN_OFFS,
    add_document,
    add_publication,
    find_document,
    parse_tally,
    repeal_document,
    set_tally,
    withdraw_document,
)

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
        repeal_document(s, doc, happened(day_or_today(on), "废止日期"), actor=actor(by))
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
            published_on=happened(day_or_today(on), "发布日期"),
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
    with store() as factory:
        done = write_ledger(factory, organ_id, read, actor=actor(by))
    skipped = f"（另有 {done.skipped} 行已在登记簿中，未重复导入）" if done.skipped else ""
    out.print(f"已从 {file} 导入 {done.written} 行{skipped}")


def install(app: typer.Typer) -> None:
    """Add ``gongkai register`` and ``gongkai import``."""
    app.add_typer(register_app, name="register")
    app.command("import")(import_command)
