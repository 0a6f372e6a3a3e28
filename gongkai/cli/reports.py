"""The commands on report files — ``parse``, ``check``, ``render``, ``draft``, ``schema``,
``rules``: thin shells over the readers, the checks and the writers.

Exit status: 0 clean, 1 an error-severity finding, 2 a file that could not be read as a report.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from gongkai import settings
from gongkai.batch import (
    BadInput,
    CheckOptions,
    Loaded,
    check_files_grouped,
    expand_paths,
    findings_for,
    is_report_file,  # noqa: F401 (tests and bench find it here)
    load_reports_within,
)
from gongkai.checks import RULES, SEVERITY_ORDER
from gongkai.cli.console import err, out
from gongkai.model.layouts import cell_name, layout_for
from gongkai.model.numbers import plain
from gongkai.model.report import (
    Report2019,
    Report2021,
    Severity,
    report_cells,
    report_json_schema,
    report_to_json,
)
from gongkai.readers import Reading

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
SEVERITY_WORD = {"error": "错误", "warning": "警告", "info": "提示"}
WIDE_TERMINAL = 120  # columns from which `gongkai rules` prints a table


def _print_findings(result: dict, findings: list[dict], hidden: int = 0) -> None:
    if "years" in result:  # a pair of one organ's reports: the cross-year rules
        first, last = result["years"]
        about = f"  {result['agency']} {first}—{last}年度 · 跨年核对"
    else:
        about = (
            f"  {result['agency'] or '（未识别机关）'} {result['year'] or '?'}年度 · {result['format']}年格式"
        )
    head = Text.assemble((result["file"], "bold"), about)
    out.print(head)
    if not findings:
        out.print(
            f"  另有{hidden}条问题未显示（--level/--limit）" if hidden else Text("  未发现问题", "green")
        )
        return
    table = Table(show_header=True, header_style="bold", expand=False, pad_edge=False)
    table.add_column("级别", no_wrap=True)
    table.add_column("规则", no_wrap=True)
    table.add_column("位置", no_wrap=True)
    table.add_column("说明", overflow="fold")
    for f in findings:
        table.add_row(
            Text(SEVERITY_WORD[f["severity"]], SEVERITY_STYLE[f["severity"]]),
            f["rule"],
            f.get("place") or (f"第{f['line']}行" if f.get("line") else ""),
            f["message"],
        )
    out.print(table)
    if hidden:
        out.print(f"  另有{hidden}条问题未显示（--level/--limit）")


# The limits every document is read under (gongkai.workers), the same options on every command that reads one.
TimeoutOption = Annotated[
    int | None,
    typer.Option(
        "--timeout",
        min=1,
        show_default="30，或 GONGKAI_DOCUMENT_SECONDS",
        help="每份报告读取和检查的时限（秒）",
    ),
]
MemoryOption = Annotated[
    int | None,
    typer.Option(
        "--memory",
        min=64,
        show_default="1024，或 GONGKAI_WORKER_MEMORY_MB",
        help="读取每份报告可用的内存上限（MB）",
    ),
]


def _limits(timeout: int | None, memory: int | None) -> tuple[int, int]:
    """The options' time and memory limits, else the settings' (``GONGKAI_DOCUMENT_SECONDS``…)."""
    process = settings.current()
    return timeout or process.document_seconds, memory or process.worker_memory_mb


def parse(
    file: Annotated[str, typer.Argument(help="报告文件，- 表示标准输入；文件#N 表示文件中的第N份报告")],
    as_json: Annotated[
        bool,
        typer.Option("--json", help="输出标准 JSON（含 sections 与 findings）；文件中有多份报告时输出数组"),
    ] = False,
    grid: Annotated[bool, typer.Option("--grid", help="调试：显示识别到的表格和单元格对应关系")] = False,
    timeout: TimeoutOption = None,
    memory: MemoryOption = None,
) -> None:
    """读取一份年度报告，列出机关、年度、格式和非零单元格（按表样顺序）；--json 输出标准 JSON
    （read one report; with --json print its canonical JSON）。

    一个文件里有几份报告（如一个网页登了几个机关的报告）时逐份读取：「page.html#2」指其中第二份。
    """
    try:
        loaded_all = load_reports_within(file, *_limits(timeout, memory))
    except BadInput as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None
    reports = [
        loaded.report.model_copy(update={"findings": findings_for(loaded, None, None, [])})
        for loaded in loaded_all
    ]
    if as_json:
        data = [report_to_json(report) for report in reports]
        sys.stdout.write(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2) + "\n")
        return
    for number, (loaded, report) in enumerate(zip(loaded_all, reports, strict=True)):
        if number:
            out.print()
        if grid and loaded.reading is not None:
            _print_grid(loaded.reading)
        elif not grid:
            _print_summary(loaded, report)


def _print_summary(loaded: Loaded, report: Report2021 | Report2019) -> None:
    cells = report_cells(report)
    filled = {k: v for k, v in cells.items() if v is not None}
    out.print(Text(loaded.name, "bold"))
    out.print(f"  机关：{report.agency or '（未识别）'}")
    out.print(f"  年度：{report.year or '（未识别）'}")
    reason = f"（{loaded.reading.decision.reason}）" if loaded.reading else ""
    out.print(f"  格式：{report.format}年格式 {reason}")
    out.print(
        f"  单元格：共{len(cells)}个，已填{len(filled)}个，非零{sum(1 for v in filled.values() if v)}个"
    )
    layout = layout_for(report.format)
    for key in layout.cell_keys:  # in the order of the tables, as printed (not by key)
        if filled.get(key):
            out.print(f"    {cell_name(key, layout)} = {plain(filled[key])}")
    if report.sections:
        present = [k for k, v in report.sections.model_dump().items() if v is not None]
        out.print(f"  正文部分：{len(present)}/6")
    errors = sum(1 for f in report.findings if f.severity.value == "error")
    out.print(f"  检查：{errors}个错误，{len(report.findings) - errors}个警告或提示（用 gongkai check 查看）")


def _print_grid(reading: Reading) -> None:
    """Debug view: each cell placed, with its source line and raw value (style.md §4)."""
    layout = layout_for(reading.report.format)
    out.print(Text.assemble((reading.source, "bold"), f"：{reading.decision.reason}"))
    for key, line in sorted(reading.origins.items(), key=lambda kv: kv[1]):
        out.print(f"  第{line:>4}行  {key:<45} {reading.raw_cells.get(key)!r:>10}  {cell_name(key, layout)}")


def check(
    files: Annotated[
        list[str], typer.Argument(help="报告文件或文件夹（文本、Markdown、报告 JSON），- 表示标准输入")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="每份报告输出一行 JSON")] = False,
    select: Annotated[list[str] | None, typer.Option("--select", help="只运行这些规则（可重复）")] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="跳过这些规则（可重复）")] = None,
    published: Annotated[
        str | None, typer.Option("--published", help="报告公布日期 YYYY-MM-DD（SEC-DEADLINE）")
    ] = None,
    level: Annotated[
        Severity, typer.Option("--level", help="只显示这一级别及更严重的问题：error、warning、info")
    ] = Severity.INFO,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="每个文件最多显示多少条问题")] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", min=1, help="同时使用的进程数（默认：全部 CPU 核）")
    ] = None,
    timeout: TimeoutOption = None,
    memory: MemoryOption = None,
) -> None:
    """校验年度报告，列出问题（check reports）。

    有错误级问题时退出码为 1，有文件不能作为年度报告读取时为 2；退出码计入全部问题，
    不论 --level 和 --limit 少列了哪些。
    """
    published_on = None
    if published:
        try:
            published_on = date.fromisoformat(published)
        except ValueError:
            err.print(f"--published：“{published}”不是 YYYY-MM-DD 格式的日期")
            raise typer.Exit(2) from None
    unknown = [r for r in (select or []) + (ignore or []) if r not in RULES and not r.startswith("READ-")]
    if unknown:
        err.print(f"未知的规则：{'、'.join(unknown)}（gongkai rules 列出全部规则）")
        raise typer.Exit(2)
    paths = expand_paths(files)
    if not paths:
        err.print(f"{'、'.join(files)}: 没有找到报告文件（.txt .md .html .docx .pdf .json）")
        raise typer.Exit(2)
    seconds, memory_mb = _limits(timeout, memory)
    options = CheckOptions(
        published=published_on,
        select=tuple(select) if select else None,
        ignore=tuple(ignore or ()),
        seconds=seconds,
        memory_mb=memory_mb,
        keep_reports=len(paths) > 1,
    )
    status = 0
    counts = {"read": 0, "errors": 0, "unreadable": 0}
    kept: list[dict] = []  # the reports, for the cross-year rules once all are read
    groups = check_files_grouped(paths, options, jobs)  # per file: one result per report
    with Progress(
        TextColumn("检查"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=len(paths) < 2 or not err.is_terminal,
    ) as progress:
        task = progress.add_task("check", total=len(paths))
        for group in groups:
            progress.advance(task)
            for result in group:
                if "error" in result:
                    counts["unreadable"] += 1
                    status = 2
                    if as_json:
                        print(json.dumps(result, ensure_ascii=False))
                    else:
                        progress.console.print(Text(result["error"], "red"))
                    continue
                counts["read"] += 1
                if "report" in result:
                    kept.append({"file": result["file"], "report": result.pop("report")})
                if _emit(result, level, limit, as_json):
                    counts["errors"] += 1
                    status = max(status, 1)
    for result in _check_years(kept, options):
        if _emit(result, level, limit, as_json):
            status = max(status, 1)
    entries = counts["read"] + counts["unreadable"]
    if not as_json and entries > len(paths):  # a file held several reports: count reports
        out.print(
            f"\n共{len(paths)}个文件：读取{counts['read']}份报告，其中{counts['errors']}份有错误；"
            f"无法读取{counts['unreadable']}个文件。"
        )
    elif not as_json and len(paths) > 1:
        out.print(
            f"\n共{len(paths)}个文件：读取{counts['read']}个，其中{counts['errors']}个有错误；"
            f"无法读取{counts['unreadable']}个。"
        )
    raise typer.Exit(status)


def _emit(result: dict, level: Severity, limit: int | None, as_json: bool) -> bool:
    """Print one result (a report's, or a pair of years'): its findings at ``level`` and above, at
    most ``limit``, and how many are not shown; whether it has an error."""
    found = result["findings"]
    shown = [f for f in found if SEVERITY_ORDER[Severity(f["severity"])] <= SEVERITY_ORDER[level]][:limit]
    hidden = len(found) - len(shown)
    if as_json:
        print(json.dumps({**result, "findings": shown, "not_shown": hidden}, ensure_ascii=False))
    else:
        _print_findings(result, shown, hidden)
    return any(f["severity"] == "error" for f in found)


def _check_years(kept: list[dict], options: CheckOptions) -> list[dict]:
    """The cross-year findings of each pair of reports of one organ for consecutive years (XY-*),
    one result per pair, shaped as a file's result (``file`` names both files)."""
    from gongkai.checks import check_years, report_context, year_pairs
    from gongkai.model.report import report_from_json
    from gongkai.model.text import organ_key

    # Only a report with one of its organ's next or previous year among them can be in a pair: the
    # others are not parsed again (a folder of one year's reports of 500 organs has no pair at all).
    keyed = [(organ_key(item["report"].get("agency")), item["report"].get("year"), item) for item in kept]
    held = {(key, year) for key, year, _ in keyed}
    paired = [
        item
        for key, year, item in keyed
        if key and isinstance(year, int) and ({(key, year - 1), (key, year + 1)} & held)
    ]
    contexts = [(item["file"], report_context(report_from_json(item["report"]))) for item in paired]
    file_of = {id(ctx): name for name, ctx in contexts}
    results = []
    for pair in year_pairs(ctx for _, ctx in contexts):
        found = check_years(pair, select=options.select, ignore=options.ignore)
        results.append(
            {
                "file": f"{file_of[id(pair.previous)]} → {file_of[id(pair.current)]}",
                "agency": pair.current.report.agency,
                "years": [pair.previous.report.year, pair.current.report.year],
                "findings": [f.model_dump(mode="json", exclude_none=True) for f in found],
            }
        )
    return results


def _outputs(source: str, forms: list[str], output: str | None) -> dict[str, Path]:
    """Where each form is written: ``-o FILE`` for one form; for several, ``-o`` is a folder
    (or a stem whose suffix each form replaces); by default beside the source, same stem."""
    from gongkai.writers import SUFFIXES

    stem = Path("report" if source == "-" else Path(source.split("#")[0]).stem)
    if output is None:
        base = (Path.cwd() if source == "-" else Path(source.split("#")[0]).parent) / stem
        return {form: base.with_suffix(SUFFIXES[form]) for form in forms}
    target = Path(output)
    if len(forms) == 1 and not target.is_dir():
        return {forms[0]: target}
    if target.is_dir() or output.endswith(("/", "\\")):
        return {form: target / stem.with_suffix(SUFFIXES[form]) for form in forms}
    return {form: target.with_suffix(SUFFIXES[form]) for form in forms}


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target and rename: a failure never leaves half a file in its place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)


def render(
    file: Annotated[
        str, typer.Argument(help="报告：标准 JSON，或任何可读取的报告文件；文件#N 表示其中第N份")
    ],
    to: Annotated[
        list[str],
        typer.Option("--to", "-t", help="输出格式：docx、pdf、html、md、xlsx（可重复，一次输出多种）"),
    ],
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="输出文件；多种格式时为文件夹或文件名主干。默认与输入同名同目录"),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="报告有错误级问题时仍输出 DOCX/PDF（对外发布前请先改正）")
    ] = False,
    timeout: TimeoutOption = None,
    memory: MemoryOption = None,
) -> None:
    """按标准格式输出年度报告：DOCX、PDF、HTML、Markdown、XLSX（write a report in the standard layout）。

    HTML、Markdown 和 XLSX 附检查发现。DOCX 和 PDF 是机关对外发布的文本：报告有错误级问题时拒绝输出
    （列出有问题的单元格），除非加 --force。退出码：0 已输出；1 因错误拒绝；2 输入无法读取或选项不对；
    3 本机不能输出这种格式（输出 PDF 需要 LibreOffice）。
    """
    from gongkai.checks import check_report
    from gongkai.writers import FORMS, WriterUnavailable
    from gongkai.writers import render as render_form

    forms = list(dict.fromkeys(f.lower().lstrip(".") for f in to))
    forms = ["md" if f == "markdown" else f for f in forms]
    unknown = [f for f in forms if f not in FORMS]
    if unknown:
        err.print(f"不支持的输出格式：{'、'.join(unknown)}；可选：{'、'.join(FORMS)}")
        raise typer.Exit(2)
    try:
        loaded_all = load_reports_within(file, *_limits(timeout, memory))
    except BadInput as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None
    if len(loaded_all) > 1:
        err.print(
            f"{file}: 文件中有{len(loaded_all)}份报告，请用 {file}#1 到 {file}#{len(loaded_all)} 指定其中一份"
        )
        raise typer.Exit(2)
    report = loaded_all[0].report
    findings = sorted(check_report(report), key=lambda f: SEVERITY_ORDER[f.severity])
    errors = [f for f in findings if f.severity is Severity.ERROR]
    targets = _outputs(file, forms, output)
    source = None if file == "-" else Path(file.split("#")[0]).resolve()
    if source is not None and any(path.resolve() == source for path in targets.values()):
        err.print(f"{file}: 输出文件与输入文件相同，请用 -o 指定另一个文件名")
        raise typer.Exit(2)
    refused = [f for f in forms if f in ("docx", "pdf")] if errors and not force else []
    status = 0
    for form in forms:
        if form in refused:
            continue
        try:
            data = render_form(report, form, findings)
        except WriterUnavailable as exc:
            err.print(f"{form.upper()}：{exc}")
            status = 3
            continue
        _write_atomically(targets[form], data)
        out.print(f"已写出 {targets[form]}")
    if refused:
        err.print(
            f"报告有{len(errors)}个错误级问题，未输出{'、'.join(f.upper() for f in refused)}"
            "（改正后再输出，或用 --force 强制输出）："
        )
        for finding in errors[:20]:
            cells = "、".join(cell_name(c, layout_for(report.format)) for c in finding.cells[:3])
            err.print(f"  {finding.rule}  {cells + '：' if cells else ''}{finding.message}")
        if len(errors) > 20:
            err.print(f"  ……另有{len(errors) - 20}个")
        status = status or 1
    raise typer.Exit(status)


def draft(
    last: Annotated[str, typer.Option("--from", help="上一年度的报告（标准 JSON 或任何可读取的报告文件）")],
    year: Annotated[int, typer.Option("--year", min=2019, max=2100, help="新报告的年度")],
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="输出 JSON 文件；默认打印到标准输出")
    ] = None,
    timeout: TimeoutOption = None,
    memory: MemoryOption = None,
) -> None:
    """生成新年度报告草稿：从上年报告结转的数字预填，其余留空（a new year's draft）。

    表三「上年结转」取上年的「结转下年度继续办理」；表二的现行有效件数等作为起点带入
    （命令会列出哪些数需要更新）。
    """
    from gongkai.model.draft import draft_report

    try:
        loaded = load_reports_within(last, *_limits(timeout, memory))
    except BadInput as exc:
        err.print(str(exc))
        raise typer.Exit(2) from None
    if len(loaded) > 1:
        err.print(f"{last}: 文件中有{len(loaded)}份报告，请用 {last}#N 指定其中一份")
        raise typer.Exit(2)
    try:
        report, carried = draft_report(loaded[0].report, year)
    except ValueError as exc:
        err.print(f"{last}: {exc}")
        raise typer.Exit(2) from None
    text = json.dumps(report_to_json(report), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        _write_atomically(Path(output), text.encode("utf-8"))
        err.print(f"已写出 {output}")
    fmt = layout_for(report.format)
    err.print(f"{year}年度草稿（{report.format}年格式）预填了{len(carried)}个单元格，其余留空：")
    for c in carried:
        note = f"（{c.adjust}）" if c.adjust else ""
        err.print(f"  {cell_name(c.key, fmt)} = {c.value}，来自{c.source}{note}")


def schema() -> None:
    """打印标准报告 JSON 的 JSON Schema（the JSON Schema of the canonical report）。"""
    sys.stdout.write(json.dumps(report_json_schema(), ensure_ascii=False, indent=2) + "\n")


def rules(as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False) -> None:
    """列出全部检查规则：编号、级别、内容和依据（every check rule with its severity and clause）。"""
    if as_json:
        rows = [
            {
                "id": r.id,
                "severity": r.severity.value,
                "title": r.title,
                "clause": r.clause,
                "cells": r.cells,
                "formats": [f.value for f in r.formats],
            }
            for r in RULES.values()
        ]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    if out.width >= WIDE_TERMINAL:
        table = Table("规则", "级别", "内容", "依据", header_style="bold")
        for column in table.columns[2:]:
            column.overflow = "fold"  # every word of the clause, never cut short with 「…」
        for r in RULES.values():
            table.add_row(r.id, SEVERITY_WORD[r.severity.value], r.title, r.clause)
        out.print(table)
        return
    # a narrow terminal (80 columns): one rule to a paragraph, its basis indented below it
    for r in RULES.values():
        head = Text.assemble(
            (r.id, "bold"), "  ", (SEVERITY_WORD[r.severity.value], SEVERITY_STYLE[r.severity.value])
        )
        out.print(head, "  ", r.title, sep="", soft_wrap=False)
        for line in Text(f"依据：{r.clause}").wrap(out, max(20, out.width - 4)):
            line.rstrip()
            out.print(Text("    ") + line)


def install(app: typer.Typer) -> None:
    """Add the commands on report files: parse, check, render, draft, schema, rules."""
    for command in (parse, check, render, draft, schema, rules):
        app.command()(command)
