"""The written-notice commands (issue 13 §4): ``gongkai notice list|issue|deliver|show``, the
organ's templates (``gongkai notice template list|show|set|reset``) and settings
(``gongkai notice settings``). Thin shells over :mod:`gongkai.store.notices`.

Exit status as for the casework commands: 0 done, 2 refused or bad input (one line saying why;
nothing stored), 3 PDF asked for without LibreOffice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from gongkai.casework.letters import TEMPLATE_LABELS, TemplateProblem, default_template
from gongkai.casework.notices import DELIVERY_CHANNELS, KIND_LABELS, KINDS
from gongkai.cli.console import err, out
from gongkai.cli.session import ByOpt, NumberArg, OnOpt, OrganOpt, actor, day_or_today, work
from gongkai.model.letter import Letter
from gongkai.store.casefiles import find_request, load_case
from gongkai.store.notices import (
    find_notice,
    issue_notice,
    letter_of,
    notice_settings,
    notices_of,
    record_delivery,
    reset_template,
    save_settings,
    save_template,
    steps_without_notice,
    template_set,
)
from gongkai.store.records import Refused, find_organ, work_calendar

notice_app = typer.Typer(help="书面告知：签发、送达、查看告知书；模板和文号设置", no_args_is_help=True)
template_app = typer.Typer(help="告知书模板（本机关文本优先，没有时用默认文本）", no_args_is_help=True)
notice_app.add_typer(template_app, name="template")

NoticeArg = Annotated[str, typer.Argument(help="告知书的文号（gongkai notice list 可查）")]
FORMATS = ("text", "docx", "pdf")


def _write(letter: Letter, form: str, output: Path | None) -> None:
    """The letter as text on the terminal, or as DOCX/PDF into ``output``."""
    if form == "text":
        out.print(letter.text())
        return
    from gongkai.writers import WriterUnavailable
    from gongkai.writers.letter import letter_to_docx, letter_to_pdf

    target = output or Path(f"{letter.number or letter.title}.{form}")
    try:
        data = letter_to_docx(letter) if form == "docx" else letter_to_pdf(letter)
    except WriterUnavailable as exc:
        err.print(str(exc))
        raise typer.Exit(3) from None
    target.write_bytes(data)
    out.print(f"已写入 {target}")


@notice_app.command("list")
def list_notices(organ: OrganOpt, number: NumberArg) -> None:
    """列出申请的告知书和尚待告知的办理步骤。"""
    with work() as s:
        row = find_request(s, find_organ(s, organ), number)
        table = Table("步骤", "文号", "告知书", "签发", "送达", header_style="bold")
        for n in notices_of(s, row):
            delivered = (
                f"{DELIVERY_CHANNELS[n.delivery_channel or '']} {n.delivered_on}"
                if n.delivered_on
                else "尚未送达"
            )
            table.add_row(str(n.step), n.number, KIND_LABELS[n.kind], str(n.issued_on), delivered)
        out.print(table)
        for step, kind in steps_without_notice(s, row, load_case(s, row, work_calendar(s))):
            out.print(
                f"待告知：第{step}步——{kind.title}（gongkai notice issue --organ {organ} {number} --step {step}）"
            )


@notice_app.command("issue")
def issue(
    organ: OrganOpt,
    number: NumberArg,
    step: Annotated[
        int | None, typer.Option("--step", help="告知的办理步骤（默认：最近一个尚待告知的）")
    ] = None,
    on: OnOpt = None,
    fields: Annotated[
        list[str] | None,
        typer.Option("--set", help="补充的内容，如 --set 说明=见附件、--set 延期理由=需调取档案（可重复）"),
    ] = None,
    to: Annotated[str, typer.Option("--to", help="同时输出：text、docx、pdf")] = "text",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="docx、pdf 的文件名")] = None,
    by: ByOpt = None,
) -> None:
    """签发告知书：按本机关模板生成，编定文号，保存。"""
    if to not in FORMATS:
        err.print(f"--to 应为 {'、'.join(FORMATS)} 之一")
        raise typer.Exit(2)
    extras = {}
    for item in fields or []:
        key, sep, value = item.partition("=")
        if not sep:
            err.print(f"--set 应写成 名称=内容，而不是「{item}」")
            raise typer.Exit(2)
        extras[key.strip()] = value
    with work() as s:
        found = find_organ(s, organ)
        row = find_request(s, found, number)
        calendar = work_calendar(s)
        if step is None:
            waiting = steps_without_notice(s, row, load_case(s, row, calendar))
            if not waiting:
                raise Refused(f"申请 {number} 没有尚待告知的办理步骤")
            step = waiting[0][0]
        try:
            notice = issue_notice(
                s,
                found,
                row,
                step,
                calendar,
                issued_on=day_or_today(on, "告知书的日期"),
                extras=extras,
                actor=actor(by),
            )
        except TemplateProblem as exc:
            raise Refused(str(exc)) from None
        letter = letter_of(notice)
    out.print(f"已签发 {notice.number}（{letter.title}）")
    _write(letter, to, output)


@notice_app.command("deliver")
def deliver(
    organ: OrganOpt,
    number: NoticeArg,
    channel: Annotated[
        str,
        typer.Option(
            "--channel", help="送达方式：" + "、".join(f"{k}（{v}）" for k, v in DELIVERY_CHANNELS.items())
        ),
    ],
    on: OnOpt = None,
    by: ByOpt = None,
) -> None:
    """登记送达：方式和日期（登记后申请人可凭查询码下载）。"""
    with work() as s:
        notice = find_notice(s, find_organ(s, organ), number)
        record_delivery(s, notice, channel, day_or_today(on, "送达日期"), actor=actor(by))
    out.print(f"{number}：{DELIVERY_CHANNELS[channel]}送达，{day_or_today(on, '送达日期')}")


@notice_app.command("show")
def show(
    organ: OrganOpt,
    number: NoticeArg,
    to: Annotated[str, typer.Option("--to", help="text、docx、pdf")] = "text",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="docx、pdf 的文件名")] = None,
) -> None:
    """按签发时的文本显示或输出告知书。"""
    if to not in FORMATS:
        err.print(f"--to 应为 {'、'.join(FORMATS)} 之一")
        raise typer.Exit(2)
    with work() as s:
        letter = letter_of(find_notice(s, find_organ(s, organ), number))
    _write(letter, to, output)


@template_app.command("list")
def list_templates(organ: OrganOpt) -> None:
    """列出模板，标明本机关修改过的。"""
    with work() as s:
        templates = template_set(s, find_organ(s, organ))
    for name, label in TEMPLATE_LABELS.items():
        out.print(f"{name:36} {label}{'' if templates.is_default(name) else '（本机关文本）'}")


@template_app.command("show")
def show_template(
    organ: OrganOpt,
    name: Annotated[str, typer.Argument(help="模板名（gongkai notice template list 可查）")],
    default: Annotated[bool, typer.Option("--default", help="显示默认文本")] = False,
) -> None:
    """显示模板文本（本机关文本，或默认文本）。"""
    with work() as s:
        try:
            text = default_template(name) if default else template_set(s, find_organ(s, organ)).source(name)
        except TemplateProblem as exc:
            raise Refused(str(exc)) from None
    out.print(text.rstrip("\n"))


@template_app.command("set")
def set_template(
    organ: OrganOpt,
    name: Annotated[str, typer.Argument(help="模板名")],
    file: Annotated[Path, typer.Argument(help="模板文本文件（UTF-8），- 为标准输入")],
    by: ByOpt = None,
) -> None:
    """用文件中的文本作为本机关的模板（先用示例申请试生成，有问题不保存）。"""
    try:
        text = typer.get_text_stream("stdin").read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"无法读取 {file}：{exc}")
        raise typer.Exit(2) from None
    if name not in TEMPLATE_LABELS:
        err.print(f"没有名为「{name}」的告知书模板（gongkai notice template list 可查）")
        raise typer.Exit(2)
    with work() as s:
        save_template(s, find_organ(s, organ), name, text, work_calendar(s), actor=actor(by))
    out.print(f"已保存本机关的「{TEMPLATE_LABELS[name]}」模板")


@template_app.command("reset")
def reset(organ: OrganOpt, name: Annotated[str, typer.Argument(help="模板名")], by: ByOpt = None) -> None:
    """恢复默认文本。"""
    with work() as s:
        changed = reset_template(s, find_organ(s, organ), name, actor=actor(by))
    out.print("已恢复默认文本" if changed else "本来就是默认文本")


@notice_app.command("settings")
def settings(
    organ: OrganOpt,
    short_name: Annotated[str | None, typer.Option("--short-name", help="机关简称（文号用）")] = None,
    review_organ: Annotated[str | None, typer.Option("--review-organ", help="行政复议机关")] = None,
    court: Annotated[str | None, typer.Option("--court", help="提起行政诉讼的人民法院")] = None,
    payment: Annotated[str | None, typer.Option("--payment", help="信息处理费的缴纳方式")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="联系人及电话")] = None,
    patterns: Annotated[
        list[str] | None,
        typer.Option(
            "--pattern", help="文号格式，如 --pattern answer={机关简称}依申复〔{年}〕{号}号（可重复）"
        ),
    ] = None,
    by: ByOpt = None,
) -> None:
    """显示或修改本机关的告知书设置。"""
    given = {
        "short_name": short_name,
        "review_organ": review_organ,
        "court": court,
        "payment": payment,
        "contact": contact,
    }
    with work() as s:
        found = find_organ(s, organ)
        current = notice_settings(s, found)
        if any(v is not None for v in given.values()) or patterns:
            fields = current.model_dump() | {k: v for k, v in given.items() if v is not None}
            for item in patterns or []:
                kind, _, pattern = item.partition("=")
                fields["number_patterns"] = {**fields["number_patterns"], kind.strip(): pattern.strip()}
            current = save_settings(s, found, fields, actor=actor(by))
    for key, label in (
        ("short_name", "机关简称"),
        ("review_organ", "行政复议机关"),
        ("court", "人民法院"),
        ("payment", "缴费方式"),
        ("contact", "联系人及电话"),
    ):
        out.print(f"{label}：{getattr(current, key) or '（未设置）'}")
    for kind in KINDS:
        out.print(f"文号（{KIND_LABELS[kind]}）：{current.number_pattern(kind)}")


def install(app: typer.Typer) -> None:
    """Add ``gongkai notice`` to the ``gongkai`` command."""
    app.add_typer(notice_app, name="notice")
