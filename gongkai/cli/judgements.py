"""``gongkai findings`` and ``gongkai judge``: a person's judgement on the findings of a corpus
report (issue 17 §4) — 确认 (a real problem), 不是问题 (with a reason), 已整改 — kept with who made
it and when, across the corpus being taken in again and re-checked.

Exit status: 0 done, 2 a refusal (no such report or finding, 不是问题 without a reason…).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from gongkai.cli.console import out
from gongkai.cli.session import ByOpt, actor, work
from gongkai.store.judgements import (
    VERDICTS,
    JudgedFinding,
    finding_named,
    judge,
    judged_findings,
    reports_named,
)


def findings_command(
    name: Annotated[str, typer.Argument(help="来源文件 SHA-256 的前几位（至少 6 位），或报告编号")],
    as_json: Annotated[bool, typer.Option("--json", help="每条问题输出一行 JSON")] = False,
) -> None:
    """列出库中一份报告的问题，每条附编号和当前判断（gongkai judge 用编号记录判断）。"""
    with work() as s:
        listed = [(report, judged_findings(s, report)) for report in reports_named(s, name)]
    for report, findings in listed:
        if not as_json:
            out.print(
                f"报告 {report.id}：{report.organ_name or '未署名机关'} {report.year or '年度不详'}年度，"
                f"问题{len(findings)}条"
            )
        for item in findings:
            if as_json:
                print(json.dumps(_as_json(report.id, item), ensure_ascii=False))
                continue
            done, finding = item.judgement, item.finding
            said = "未判断" if done is None else VERDICTS[done.verdict]
            if done is not None:
                said += f"（{done.judged_by}" + (f"：{done.reason}" if done.reason else "") + "）"
            out.print(
                f"  {item.short_key}  [{finding['severity']}] {finding['rule']}  {said}\n"
                f"      {finding['message']}"
            )


def _as_json(report_id: int, item: JudgedFinding) -> dict[str, Any]:
    """One finding as ``--json`` gives it: the finding as checking gave it, its keys, its judgement."""
    done = item.judgement
    judgement = None
    if done is not None:
        judgement = {
            "verdict": done.verdict,
            "reason": done.reason,
            "by": done.judged_by,
            "at": done.judged_at.isoformat(),
        }
    return {
        "report": report_id,
        "key": item.short_key,
        "finding_key": item.key,
        **item.finding,
        "judgement": judgement,
    }


def judge_command(
    key: Annotated[str, typer.Argument(help="问题编号（gongkai findings 列出），如 3fa9c2d1e0-0-7be21a9c")],
    verdict: Annotated[str, typer.Argument(help="确认、不是问题 或 已整改")],
    reason: Annotated[str, typer.Option("--reason", help="理由（判断为「不是问题」时必填）")] = "",
    by: ByOpt = None,
) -> None:
    """记录对一条问题的判断：确认（确有问题）、不是问题（须写理由）、已整改。以前的判断保留。"""
    with work() as s:
        report, finding = finding_named(s, key)
        row = judge(s, report, finding, verdict, reason=reason, actor=actor(by))
    out.print(f"已记录：{key} {VERDICTS[row.verdict]}（{row.judged_by}）")


def install(app: typer.Typer) -> None:
    """Add ``gongkai findings`` and ``gongkai judge``."""
    app.command("findings")(findings_command)
    app.command("judge")(judge_command)
