"""``gongkai coverage`` and ``gongkai league`` (issue 17 §5, §6): which organs of a region have a
report of a year in the corpus, and league tables of the regions by the share of reports with an
error, that never rank a region on too few reports and show each rate's uncertainty.

Exit status: 0 done, 2 bad input (an unknown code, an organ's code where a region's is asked)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table

from gongkai.cli.console import err, out
from gongkai.cli.session import work
from gongkai.store.coverage import COVERAGE_COLUMNS, DATE_UNKNOWN, coverage, coverage_table, write_csv
from gongkai.store.league import League, LeagueRow, league


def coverage_command(
    region: Annotated[str, typer.Argument(help="地区代码（gongkai organs list 可查）")],
    year: Annotated[int, typer.Argument(help="报告年度，如 2023")],
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="同时导出为 CSV 文件（UTF-8，Excel 可直接打开）")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """地区内各机关某年度的报告是否已收入库中：有报告、缺报告（含下级地区的机关）。"""
    with work() as s:
        result = coverage(s, region, year)
    if csv_file is not None:
        try:
            write_csv(csv_file, COVERAGE_COLUMNS, coverage_table(result))
        except OSError as exc:
            err.print(f"{csv_file}: 无法写入（{exc.strerror or exc}）")
            raise typer.Exit(2) from None
    if as_json:
        print(
            json.dumps(
                {
                    "region": {"code": result.region_code, "name": result.region_name},
                    "year": result.year,
                    "deadline": result.deadline.isoformat(),
                    "organs": [
                        {
                            **row._asdict(),
                            "status": row.status,
                            "timing": row.timing,
                            "days_late": row.days_late,
                        }
                        for row in result.rows
                    ],
                    "have": result.have,
                    "missing": result.missing,
                    "late": result.late,
                },
                ensure_ascii=False,
                default=str,
            )
        )
        return
    table = _table(*COVERAGE_COLUMNS[:3], "报告份数", "状态", "是否逾期")
    for row in result.rows:
        table.add_row(row.code, row.name, row.region, str(row.reports), row.status, row.timing)
    out.print(f"{result.region_name}（{result.region_code}）{result.year} 年度报告的收入情况")
    if result.rows:
        out.print(table)
    out.print(
        result.timing_rule
        + (f"{result.undated}个机关的报告无法判断（「{DATE_UNKNOWN}」）。" if result.undated else "")
    )
    out.print(
        f"共{len(result.rows)}个机关：有报告{result.have}个（其中逾期{result.late}个），缺报告{result.missing}个。"
    )
    if csv_file is not None:
        out.print(f"已导出到 {csv_file}")


def league_command(
    region: Annotated[str | None, typer.Option("--region", help="只比较该地区以下的地区")] = None,
    year: Annotated[int | None, typer.Option("--year", help="只算该年度的报告（默认：各年度合计）")] = None,
    rule: Annotated[
        str | None, typer.Option("--rule", help="按某条规则的发现计（如 T3-BALANCE；默认：任一错误）")
    ] = None,
    min_reports: Annotated[int, typer.Option("--min-reports", min=1, help="报告少于此数的地区不排名")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """各地区报告的错误率排名：报告太少的地区不排名，每个比例附 95% 威尔逊置信区间。"""
    with work() as s:
        result = league(s, region_code=region, year=year, rule=rule, min_reports=min_reports)
    if as_json:
        print(
            json.dumps(
                {
                    "measure": result.measure,
                    "counted": result.counted,
                    "min_reports": result.min_reports,
                    "ranked": [_row_json(r) for r in result.ranked],
                    "unranked": [_row_json(r) for r in result.unranked],
                },
                ensure_ascii=False,
            )
        )
        return
    _print_league(result)


def _row_json(row: LeagueRow) -> dict:
    return {**asdict(row), "rate": row.rate}


def _print_league(result: League) -> None:
    out.print(result.measure)
    if result.ranked:
        table = _table("名次", "地区", "报告份数", result.counted, "比例", "95% 区间")
        for row in result.ranked:
            table.add_row(str(row.rank), *_cells(row))
        out.print(table)
    else:
        out.print(f"没有报告达到 {result.min_reports} 份的地区，不排名。")
    if result.unranked:
        out.print(f"样本不足（少于{result.min_reports}份），不排名：")
        table = _table("地区", "报告份数", result.counted, "比例", "95% 区间")
        for row in result.unranked:
            table.add_row(*_cells(row))
        out.print(table)


def _table(*headings: str) -> Table:
    """A table whose cells wrap rather than cut a long name short (「卫生健…」)."""
    return Table(*(Column(h, overflow="fold") for h in headings), header_style="bold")


def _cells(row: LeagueRow) -> list[str]:
    where = f"{row.region_name}（{row.region_code}）" if row.region_code else row.region_name
    return [
        where,
        str(row.reports),
        str(row.flagged),
        f"{row.rate:.1%}",
        f"{row.low:.1%}–{row.high:.1%}",
    ]


def install(app: typer.Typer) -> None:
    """Add ``gongkai coverage`` and ``gongkai league``."""
    app.command("coverage")(coverage_command)
    app.command("league")(league_command)
