"""``gongkai export-corpus``: the corpus for researchers, every cell of every report and every
finding as long-form rows, in CSV, Excel or Parquet (issue 17 §7).

Exit status: 0 written (an empty selection writes the headers only), 2 bad input or a file that
cannot be written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.orm import Session

from gongkai.cli.console import err, out
from gongkai.cli.session import store
from gongkai.store.corpus_export import FORMS, Tally, count_reports, export_corpus, export_paths
from gongkai.store.db import transaction
from gongkai.store.records import find_organ
from gongkai.store.tables import Organ


def export_corpus_command(
    to: Annotated[
        str,
        typer.Option("--to", help="导出格式：csv（两个文件）、xlsx（一个工作簿两张表）、parquet（两个文件）"),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            help="导出的文件：csv、parquet 时 名称-cells.csv 与 名称-findings.csv 等两个文件，xlsx 时即此文件",
        ),
    ],
    region: Annotated[
        str | None, typer.Option("--region", help="只导出这一地区（机关代码）及其下属机关的报告")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="只导出这一年度的报告")] = None,
) -> None:
    """导出库中的年度报告供研究使用（export the corpus for research）。

    两张表：cells（每份报告的每个单元格一行：来源文件、SHA-256、机关、地区、年度、版式、单元格键、
    单元格名称、数值）与 findings（每条校验问题一行，附人工判断：问题编号、判断、理由、判断人、时间）。
    未匹配到机关的报告以报告上印的名称列出，地区为空。
    """
    if to not in FORMS:
        err.print(f"--to {to}：不支持的导出格式，可用 {'、'.join(FORMS)}")
        raise typer.Exit(2)
    if not output.parent.is_dir():
        err.print(f"{output}：文件夹「{output.parent}」不存在")
        raise typer.Exit(2)
    with store() as factory:
        try:
            with transaction(factory) as session:
                place = find_organ(session, region) if region is not None else None
                total = count_reports(session, region=place, year=year)
                tally = _export(session, output, to, place, year, total)
        except OSError as exc:
            err.print(f"{exc.filename or output}：无法写入（{exc.strerror or exc}）")
            raise typer.Exit(2) from None
    files = "、".join(str(path) for path in export_paths(output, to))
    out.print(f"已导出{tally.reports}份报告：单元格{tally.cells}行，问题{tally.findings}条 → {files}")


def _export(
    session: Session, output: Path, form: str, region: Organ | None, year: int | None, total: int
) -> Tally:
    """Export under a progress bar (on a terminal): reports done of all, rows written, time left."""
    with Progress(
        TextColumn("导出"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("份报告 · 单元格{task.fields[cells]}行 · 问题{task.fields[findings]}条"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("export", total=total, cells=0, findings=0)

        def on_report(tally: Tally) -> None:
            if tally.reports % 50 == 0 or tally.reports == total:  # Rich redraws on a timer anyway
                progress.update(task, completed=tally.reports, cells=tally.cells, findings=tally.findings)

        return export_corpus(session, output, form, region=region, year=year, on_report=on_report)


def install(app: typer.Typer) -> None:
    """Add ``gongkai export-corpus``."""
    app.command("export-corpus")(export_corpus_command)
