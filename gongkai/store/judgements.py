"""A person's judgement on a finding of a corpus report (issue 17 §4): 确认 (a real problem),
不是问题 (with a reason) or 已整改, by whom and when, every one kept and written to the audit log.

A judgement names its report by the source file's content hash and the report's position in it,
which stay the same however often the corpus is taken in again (the rows' ids need not); and its
finding by a fingerprint of the rule, the cells and the values expected and found
(:func:`finding_key`), which a re-check gives again for the same finding, and not for a finding
whose values changed: that is a new finding, not judged yet.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gongkai.store.records import Conflict, NotFound, Refused, audit, now
from gongkai.store.tables import CorpusReport, CorpusSource, FindingJudgement

# The verdicts as stored, each with the word a person uses for it.
VERDICTS = {"confirmed": "确认", "not_a_problem": "不是问题", "fixed": "已整改"}
SHORT_KEY = re.compile(r"([0-9a-f]{6,64})-(\d+)-([0-9a-f]{4,64})")


@dataclass(frozen=True)
class JudgedFinding:
    """One finding of a report with its fingerprint, its short key and its current judgement."""

    finding: dict[str, Any]
    key: str
    short_key: str
    judgement: FindingJudgement | None


def finding_key(finding: dict[str, Any]) -> str:
    """A finding's fingerprint: the SHA-256 (hex) of the canonical JSON of its rule, its cells
    (sorted) and the values expected and found. The message and the line are left out: a reworded
    message or a report read a little differently is still the same finding."""
    canonical = json.dumps(
        {
            "rule": finding.get("rule"),
            "cells": sorted(finding.get("cells") or []),
            "expected": finding.get("expected"),
            "found": finding.get("found"),
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def short_key(sha256: str, position: int, key: str) -> str:
    """What a person types to name one finding of one report: ``<source hash>-<position>-<finding>``
    each hash cut short (``gongkai judge``)."""
    return f"{sha256[:10]}-{position}-{key[:8]}"


def parse_verdict(text: str) -> str:
    """The stored verdict for a person's word (确认、不是问题、已整改, or the stored name itself)."""
    word = text.strip()
    for verdict, chinese in VERDICTS.items():
        if word in (verdict, chinese):
            return verdict
    raise Refused(f"判断「{word}」无法识别：应为 确认、不是问题 或 已整改")


def _identity(session: Session, report: CorpusReport) -> tuple[str, int]:
    source = session.get(CorpusSource, report.source_id)
    if source is None:  # a report always has its source; a broken store is said plainly
        raise NotFound(f"报告 {report.id} 的来源文件不在库中")
    return source.sha256, report.position


def _where(report: CorpusReport) -> str:
    return f"{report.organ_name or '未署名机关'}{report.year or ''}年度报告"


def judge(
    session: Session,
    report: CorpusReport,
    key: str,
    verdict: str,
    *,
    reason: str = "",
    actor: str,
    seen: int | None = None,
) -> FindingJudgement:
    """Record ``actor``'s judgement (``verdict``: a stored name or its Chinese word) on the finding
    of ``report`` whose fingerprint is ``key``; the judgement before it is kept, and both go into
    the audit log. Refused when the report has no such finding, or 不是问题 comes without a reason;
    :class:`Conflict` when ``seen`` (the id of the judgement the person was shown; 0: none) is no
    longer the latest — the caller locks the report first (corpus_browse.judge_as_seen)."""
    verdict, reason = parse_verdict(verdict), reason.strip()
    if not any(finding_key(f) == key for f in report.findings):
        raise Refused(f"{_where(report)}没有这条问题（{key[:8]}）：它可能已在重新校验后改变，请重新列出问题")
    if verdict == "not_a_problem" and not reason:
        raise Refused("判断为「不是问题」时须写明理由（--reason）")
    sha256, position = _identity(session, report)
    before = judgements_of(session, report).get(key)
    if seen is not None and (before.id if before is not None else 0) != seen:
        raise Conflict("这条问题的判断")
    row = FindingJudgement(
        source_sha256=sha256,
        position=position,
        finding_key=key,
        verdict=verdict,
        reason=reason,
        judged_by=actor,
        judged_at=now(),
    )
    session.add(row)
    session.flush()
    audit(
        session,
        actor,
        "finding_judgement",
        row.id,
        "judge",
        organ_id=report.organ_id,
        before=None if before is None else {"verdict": before.verdict, "reason": before.reason},
        after={
            "source_sha256": sha256,
            "position": position,
            "finding_key": key,
            "verdict": verdict,
            "reason": reason,
        },
    )
    return row


def _history(session: Session, report: CorpusReport) -> list[FindingJudgement]:
    sha256, position = _identity(session, report)
    return list(
        session.scalars(
            select(FindingJudgement)
            .where(FindingJudgement.source_sha256 == sha256, FindingJudgement.position == position)
            .order_by(FindingJudgement.id)
        )
    )


def histories(session: Session, report: CorpusReport) -> dict[str, list[FindingJudgement]]:
    """Every judgement of each judged finding of ``report``, by fingerprint, oldest first."""
    found: dict[str, list[FindingJudgement]] = {}
    for row in _history(session, report):
        found.setdefault(row.finding_key, []).append(row)
    return found


def judgements_of(session: Session, report: CorpusReport) -> dict[str, FindingJudgement]:
    """The current judgement (the latest) of each judged finding of ``report``, by fingerprint.
    A finding no longer on the report keeps its judgement here too, should it come back."""
    return {row.finding_key: row for row in _history(session, report)}


def history_of(session: Session, report: CorpusReport, key: str) -> list[FindingJudgement]:
    """Every judgement of one finding of ``report``, oldest first."""
    return histories(session, report).get(key, [])


def judged_findings(
    session: Session, report: CorpusReport, current: dict[str, FindingJudgement] | None = None
) -> list[JudgedFinding]:
    """The report's findings, in the order checking gave them, each with its current judgement
    (``current``: :func:`judgements_of`, when the caller has it already)."""
    sha256, position = _identity(session, report)
    current = judgements_of(session, report) if current is None else current
    listed = []
    for finding in report.findings:
        key = finding_key(finding)
        listed.append(JudgedFinding(finding, key, short_key(sha256, position, key), current.get(key)))
    return listed


def reports_named(session: Session, name: str) -> list[CorpusReport]:
    """The corpus reports ``name`` stands for: a source's content hash (its first six characters at
    least: every report the file holds), else a report's number."""
    name = name.strip().lower()
    if re.fullmatch(r"[0-9a-f]{6,64}", name):
        sources = session.scalars(
            select(CorpusSource).where(CorpusSource.sha256.startswith(name, autoescape=True)).limit(2)
        ).all()
        if len(sources) > 1:
            raise Refused(f"有不止一个来源文件的 SHA-256 以「{name}」开头，请多写几位")
        if sources:
            if sources[0].error is not None:
                raise Refused(f"来源文件 {sources[0].name} 无法读取，没有报告：{sources[0].error}")
            return list(
                session.scalars(
                    select(CorpusReport)
                    .where(CorpusReport.source_id == sources[0].id)
                    .order_by(CorpusReport.position)
                )
            )
    if name.isdigit():
        report = session.get(CorpusReport, int(name))
        if report is not None:
            return [report]
    raise NotFound(f"库中没有 SHA-256 以「{name}」开头的来源文件，也没有编号为 {name} 的报告")


def finding_named(session: Session, short: str) -> tuple[CorpusReport, str]:
    """The report and the finding's fingerprint a short key (:func:`short_key`) stands for."""
    match = SHORT_KEY.fullmatch(short.strip().lower())
    if match is None:
        raise Refused(f"问题编号「{short}」格式不对：应如 3fa9c2d1e0-0-7be21a9c（gongkai findings 列出）")
    sha_prefix, position, key_prefix = match.group(1), int(match.group(2)), match.group(3)
    report = next((r for r in reports_named(session, sha_prefix) if r.position == position), None)
    if report is None:
        raise NotFound(f"来源文件 {sha_prefix} 里没有第 {position} 份报告")
    keys = {finding_key(f) for f in report.findings}
    matching = [k for k in keys if k.startswith(key_prefix)]
    if not matching:
        raise NotFound(
            f"{_where(report)}没有编号为「{short}」的问题：它可能已在重新校验后改变，请重新列出问题"
        )
    if len(matching) > 1:  # eight hex characters make this all but impossible
        raise Refused(f"{_where(report)}有不止一条问题的编号以「{key_prefix}」开头，请多写几位")
    return report, matching[0]
