"""``gongkai ingest``: published reports taken into the store's corpus (issue 17 §1).

Each file once by its content (the same file twice, under any name, is one source); run again, it
reads only what is not held yet, so a run stopped at any point (Ctrl-C, ``kill -9``) is finished by
running it again. With ``--cluster`` the files are read on a Dask cluster's workers (gongkai.cluster).
Exit status: 0 done (unreadable files are kept with their error and counted), 2 bad input, the
store refused or the cluster cannot be used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn
from rich.text import Text
from sqlalchemy.orm import Session, sessionmaker

from gongkai import settings
from gongkai.batch_ingest import Outcome, Tally, ingest
from gongkai.cli.console import err, out
from gongkai.cli.reports import MemoryOption, TimeoutOption
from gongkai.cli.session import refusals, store
from gongkai.cluster import ClusterUnavailable
from gongkai.store.corpus import unmatched_names
from gongkai.store.corpus_dates import DateList, dates_by_sha, read_date_list, set_published
from gongkai.store.db import transaction


class RateColumn(ProgressColumn):
    """Files a second, over the last moments (Rich's own estimate)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.1f} 个/秒")


def ingest_command(
    paths: Annotated[
        list[str] | None, typer.Argument(help="报告文件、文件夹（逐层查找）或 zip 压缩包")
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", min=1, help="同时使用的进程数（默认：全部 CPU 核）")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="每个文件输出一行 JSON，最后一行是汇总")] = False,
    retry_errors: Annotated[bool, typer.Option("--retry-errors", help="再读一次以前无法读取的文件")] = False,
    unmatched: Annotated[
        bool, typer.Option("--unmatched", help="列出未匹配到机关的名称及报告份数（不入库）")
    ] = False,
    dates: Annotated[
        Path | None,
        typer.Option(
            "--dates",
            help="公布日期清单（CSV：文件或 sha256 列、公布日期列），用于判断报告是否逾期",
        ),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            metavar="ADDRESS",
            help="在 Dask 集群上读取（调度器地址，如 tcp://host:8786；需安装 gongkai\\[cluster]）",
            show_default="GONGKAI_CLUSTER，未设置时用本机",
        ),
    ] = None,
    timeout: TimeoutOption = None,
    memory: MemoryOption = None,
) -> None:
    """把已发布的年度报告收入库中（ingest published reports into the corpus）。

    同一内容的文件只收一次（按内容的 SHA-256，不论文件名）；zip 压缩包里的报告文件逐个收入；再次运行只读取尚未收入的文件，
    中断（包括 kill -9）后再运行即可补完，不重不漏。文件默认在本机的多个进程中读取，--cluster 则在 Dask 集群的各机器上读取。报告按机关名称（或别名）匹配到机关；
    未匹配的名称用 --unmatched 列出，添加别名（gongkai organs alias）后自动匹配。
    """
    if unmatched:
        _list_unmatched(as_json)
        return
    if not paths:
        err.print("请给出报告文件或文件夹（或用 --unmatched 列出未匹配的机关名称）")
        raise typer.Exit(2)
    process = settings.current()
    with refusals():
        listed = read_date_list(dates) if dates is not None else None  # refused before anything is kept
    with store() as factory:
        try:
            tally = _run(
                factory,
                paths,
                cluster=cluster or process.cluster,
                jobs=jobs,
                retry_errors=retry_errors,
                as_json=as_json,
                seconds=timeout or process.document_seconds,
                memory_mb=memory or process.worker_memory_mb,
            )
            dated = _date(factory, listed, tally) if listed is not None else None
        except ClusterUnavailable as exc:
            err.print(str(exc))
            raise typer.Exit(2) from None
    if tally.files == 0:
        err.print(f"{'、'.join(paths)}: 没有找到报告文件（.txt .md .html .docx .pdf .json …）")
        raise typer.Exit(2)
    if as_json:
        summary = {k: v for k, v in vars(tally).items() if k != "outcomes"}
        print(json.dumps({"summary": summary}, ensure_ascii=False))
        return
    out.print(
        f"共{tally.files}个文件：新收入{tally.new}个（{tally.reports}份报告），已在库中{tally.held}个，"
        f"内容重复{tally.repeat}个，无法读取{tally.unreadable}个；"
        f"未匹配到机关的报告{tally.unmatched}份"
        + ("（gongkai ingest --unmatched 列出）" if tally.unmatched else "")
        + (f"；以前未匹配的报告新匹配{tally.rematched}份" if tally.rematched else "")
        + "。"
    )
    if dated is not None:
        reports, unmatched_entries = dated
        out.print(
            f"公布日期清单：{reports}份报告记入公布日期"
            + (
                f"；{len(unmatched_entries)}行没有对应的文件（如「{unmatched_entries[0]}」）"
                if unmatched_entries
                else ""
            )
            + "。"
        )


def _date(factory: sessionmaker[Session], listed: DateList, tally: Tally) -> tuple[int, list[str]]:
    """Give the files of this run the list's publication dates; reports dated, entries unmatched."""
    files = {outcome.file: outcome.sha256 for outcome in tally.outcomes if outcome.sha256}
    by_sha, unmatched_entries = dates_by_sha(listed, files)
    with transaction(factory) as session:
        return set_published(session, by_sha), unmatched_entries


def _run(
    factory: sessionmaker[Session],
    paths: list[str],
    *,
    cluster: str | None,
    jobs: int | None,
    retry_errors: bool,
    as_json: bool,
    seconds: int,
    memory_mb: int,
) -> Tally:
    """Ingest under a progress bar (on a terminal): files done of all, reports, unreadable, rate."""
    counts = {"reports": 0, "unreadable": 0}
    with Progress(
        TextColumn("收入"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[reports]}份报告 · {task.fields[unreadable]}个无法读取"),
        RateColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("ingest", total=None, **counts)

        def on_file(outcome: Outcome) -> None:
            counts["reports"] += outcome.reports
            counts["unreadable"] += outcome.status == "unreadable"
            progress.update(task, advance=1, **counts)
            if as_json:
                print(
                    json.dumps({k: v for k, v in vars(outcome).items() if v is not None}, ensure_ascii=False)
                )
            elif outcome.error:
                progress.console.print(Text(outcome.error, "red"))

        return ingest(
            factory,
            paths,
            cluster=cluster,
            jobs=jobs,
            retry_errors=retry_errors,
            seconds=seconds,
            memory_mb=memory_mb,
            on_start=lambda total: progress.update(task, total=total),
            on_file=on_file,
        )


def _list_unmatched(as_json: bool) -> None:
    with store() as factory, transaction(factory) as session:
        names = unmatched_names(session)
    for name, count in names:
        if as_json:
            print(json.dumps({"organ_name": name, "reports": count}, ensure_ascii=False))
        else:
            out.print(f"{count:>6}  {name}")
    if not as_json:
        out.print(
            f"共{len(names)}个名称未匹配到机关（gongkai organs alias 机关代码 名称 添加别名）"
            if names
            else "库中的报告都已匹配到机关。"
        )


def install(app: typer.Typer) -> None:
    """Add ``gongkai ingest``."""
    app.command("ingest")(ingest_command)
