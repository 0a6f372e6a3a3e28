"""A person's judgement on a finding of a corpus report (issue 17 §4), on SQLite and PostgreSQL:
kept across the corpus being taken in again and re-checked, not carried to a finding whose values
changed, 不是问题 only with a reason, every judgement kept and audited."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import clean_report_2021
from sqlalchemy import delete, select
from support.textwriter import write_tab_text

from gongkai.batch_ingest import ingest
from gongkai.checks import check_report
from gongkai.model.report import report_from_json
from gongkai.store.db import transaction
from gongkai.store.judgements import (
    finding_key,
    history_of,
    judge,
    judged_findings,
    judgements_of,
    reports_named,
)
from gongkai.store.records import Refused
from gongkai.store.tables import AuditEntry, CorpusReport, CorpusSource, FindingJudgement


def write_faulty(folder: Path, upheld: int = 5) -> Path:
    """A report whose 行政复议 results add up to ``upheld`` while its total says 1 (T4-GROUP-SUM)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"upheld{upheld}.txt"
    report = clean_report_2021(**{"appeals.review.upheld": upheld})
    target.write_text(write_tab_text(report), encoding="utf-8")
    return target


def the_report(session, path: Path) -> CorpusReport:
    """The one report of the file at ``path``, found by its content's hash."""
    [report] = reports_named(session, hashlib.sha256(path.read_bytes()).hexdigest())
    return report


def group_sum_key(report: CorpusReport) -> str:
    """The fingerprint of the report's T4-GROUP-SUM finding."""
    [finding] = [f for f in report.findings if f["rule"] == "T4-GROUP-SUM"]
    return finding_key(finding)


def recheck(report: CorpusReport) -> None:
    """Check the stored report again, its findings replaced by what checking says now (in the
    reverse order, and reworded: neither makes a finding another)."""
    found = check_report(report_from_json(report.body))
    report.findings = [
        {**f.model_dump(mode="json", exclude_none=True), "message": f"（重新校验）{f.message}"}
        for f in reversed(found)
    ]


def test_a_judgement_is_kept_across_re_ingest_and_re_checking(store, tmp_path: Path) -> None:
    path = write_faulty(tmp_path / "in")
    assert ingest(store, [str(tmp_path / "in")]).reports == 1
    with transaction(store) as s:
        report = the_report(s, path)
        key = group_sum_key(report)
        judge(s, report, key, "确认", actor="张三")
    assert ingest(store, [str(tmp_path / "in")]).held == 1  # a re-run reads nothing again
    with transaction(store) as s:
        report = the_report(s, path)
        recheck(report)
        [listed] = [item for item in judged_findings(s, report) if item.key == key]
        assert listed.finding["message"].startswith("（重新校验）")
        assert (listed.judgement.verdict, listed.judgement.judged_by) == ("confirmed", "张三")
        # the corpus taken in afresh, another file first: new rows, new ids, the same report
        old_id = report.id
        s.execute(delete(CorpusReport))
        s.execute(delete(CorpusSource))
    write_faulty(tmp_path / "first", upheld=7)
    assert ingest(store, [str(tmp_path / "first")]).new == 1
    assert ingest(store, [str(tmp_path / "in")]).new == 1
    with transaction(store) as s:
        report = the_report(s, path)
        assert report.id != old_id
        assert judgements_of(s, report)[key].verdict == "confirmed"
        assert [i.judgement is not None for i in judged_findings(s, report)] == [
            finding_key(f) == key for f in report.findings
        ]


def test_a_changed_finding_is_a_new_finding_not_judged(store, tmp_path: Path) -> None:
    path = write_faulty(tmp_path / "in", upheld=5)
    other = write_faulty(tmp_path / "other", upheld=6)
    ingest(store, [str(tmp_path / "in"), str(tmp_path / "other")])
    with transaction(store) as s:
        report, changed = the_report(s, path), the_report(s, other)
        key = group_sum_key(report)
        judge(s, report, key, "已整改", actor="张三")
        # checked again, the finding has other values (the same rule and cells: 6 found, not 5)
        report.findings = changed.findings
        new_key = group_sum_key(report)
        assert new_key != key
        [item] = [i for i in judged_findings(s, report) if i.key == new_key]
        assert item.judgement is None
        assert judgements_of(s, report)[key].verdict == "fixed"  # kept, should the old one return
        with pytest.raises(Refused, match="没有这条问题"):
            judge(s, report, key, "确认", actor="张三")
        # the same finding on another report is that report's: not judged there
        assert judgements_of(s, changed) == {}


def test_not_a_problem_needs_a_reason(store, tmp_path: Path) -> None:
    path = write_faulty(tmp_path / "in")
    ingest(store, [str(tmp_path / "in")])
    with transaction(store) as s:
        report = the_report(s, path)
        key = group_sum_key(report)
        for reason in ("", "  \n "):
            with pytest.raises(Refused, match="须写明理由"):
                judge(s, report, key, "不是问题", reason=reason, actor="张三")
        with pytest.raises(Refused, match="无法识别"):
            judge(s, report, key, "没问题", reason="口径不同", actor="张三")
        with pytest.raises(Refused, match="没有这条问题"):
            judge(s, report, "0" * 64, "确认", actor="张三")
        assert s.scalars(select(FindingJudgement)).all() == []
        assert judge(s, report, key, "not_a_problem", reason=" 口径不同 ", actor="张三").reason == "口径不同"


def test_every_judgement_is_kept_and_audited(store, tmp_path: Path) -> None:
    path = write_faulty(tmp_path / "in")
    ingest(store, [str(tmp_path / "in")])
    with transaction(store) as s:
        report = the_report(s, path)
        key = group_sum_key(report)
        judge(s, report, key, "确认", actor="张三")
        judge(s, report, key, "不是问题", reason="复议总计另含转办件", actor="李四")
    with transaction(store) as s:
        report = the_report(s, path)
        current = judgements_of(s, report)[key]
        assert (current.verdict, current.reason, current.judged_by) == (
            "not_a_problem",
            "复议总计另含转办件",
            "李四",
        )
        history = history_of(s, report, key)
        assert [(h.verdict, h.judged_by) for h in history] == [
            ("confirmed", "张三"),
            ("not_a_problem", "李四"),
        ]
        entries = s.scalars(
            select(AuditEntry).where(AuditEntry.entity == "finding_judgement").order_by(AuditEntry.id)
        ).all()
        assert [(e.actor, e.entity_id, e.before) for e in entries] == [
            ("张三", str(history[0].id), None),
            ("李四", str(history[1].id), {"verdict": "confirmed", "reason": ""}),
        ]
        assert entries[1].after["verdict"] == "not_a_problem" and entries[1].after["finding_key"] == key
