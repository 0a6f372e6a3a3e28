"""``gongkai report build``: the year's report computed from an organ's records."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from gongkai.casework.annual import TALLY_KEYS
from gongkai.cli.console import err, out
from gongkai.cli.session import OrganOpt, work
from gongkai.store.annual import build_year
from gongkai.store.records import find_organ

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


def install(app: typer.Typer) -> None:
    """Add ``gongkai report``."""
    app.add_typer(report_app, name="report")
