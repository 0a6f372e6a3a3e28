"""``gongkai years``: the cross-year rules (XY-*) over every pair of one organ's reports for
consecutive years that the corpus holds (issue 17 §3). A listing: exit status 0 whatever it
finds, 2 when the store refuses (an organ code it does not know)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from gongkai.cli.console import out
from gongkai.cli.reports import _print_findings
from gongkai.cli.session import store
from gongkai.store.corpus_years import CorpusPair, corpus_year_pairs
from gongkai.store.db import transaction
from gongkai.store.records import find_organ


def years_command(
    organ: Annotated[str | None, typer.Option("--organ", help="只核对这个机关（机关代码）")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="每对报告输出一行 JSON")] = False,
) -> None:
    """库中报告的跨年核对（cross-year checks over the corpus）。

    对 gongkai ingest 收入库中的报告，按机关（已匹配的按机关，未匹配的按报告上的名称）找出相邻两年的报告，
    逐对运行跨年规则（XY-*），列出发现的问题。同一机关同一年有两份报告的，用先收入的一份，并注明另一份。
    """
    pairs = organs = found = 0
    last_organ: tuple[str | None, str] | None = None
    with store() as factory, transaction(factory) as session:
        chosen = find_organ(session, organ) if organ else None
        for pair in corpus_year_pairs(session, organ=chosen):
            pairs, found = pairs + 1, found + len(pair.findings)
            if (pair.code, pair.organ) != last_organ:
                organs, last_organ = organs + 1, (pair.code, pair.organ)
            if as_json:
                print(json.dumps(pair.as_result(), ensure_ascii=False))
            else:
                _print_pair(pair)
    if not as_json:
        out.print(
            f"\n共{organs}个机关的{pairs}对相邻年度报告，跨年核对发现问题{found}条。"
            if pairs
            else "库中没有同一机关相邻两年的报告（gongkai ingest 收入报告）。"
        )


def _print_pair(pair: CorpusPair) -> None:
    """A pair as ``gongkai check`` prints one (the two files, the organ, the years, a table of
    findings), then the reports of those years that were set aside."""
    result = pair.as_result()
    if pair.code:
        result["agency"] = f"{pair.organ}（{pair.code}）"
    _print_findings(result, result["findings"])
    for other in pair.set_aside:
        out.print(f"  {other.year}年另有一份报告（{other.source}），未参与核对：用的是先收入的 {other.kept}")


def install(app: typer.Typer) -> None:
    """Add ``gongkai years``."""
    app.command("years")(years_command)
