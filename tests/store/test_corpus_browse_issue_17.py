"""Judging a corpus finding from a form (issue 17 §4), on SQLite and PostgreSQL: two people judging
the same finding at once from the same page give one judgement and one refusal, never two records."""

from __future__ import annotations

from pathlib import Path

from conftest import clean_report_2021
from sqlalchemy import select
from support.textwriter import write_tab_text
from test_races_issue_14 import race

from gongkai.batch_ingest import ingest
from gongkai.store.corpus_browse import judge_as_seen
from gongkai.store.db import transaction
from gongkai.store.judgements import finding_key
from gongkai.store.records import CONFLICT
from gongkai.store.tables import CorpusReport, FindingJudgement


def test_two_people_judging_one_finding_at_once_make_one_record(store, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    report = clean_report_2021(**{"appeals.review.upheld": 5})  # T4-GROUP-SUM: an error
    (folder / "r.txt").write_text(write_tab_text(report), encoding="utf-8")
    assert ingest(store, [str(folder)], jobs=1).reports == 1
    with transaction(store) as s:
        key = finding_key(
            next(f for f in s.scalars(select(CorpusReport)).one().findings if f["severity"] == "error")
        )

    def judging(actor: str, verdict: str):
        # both forms showed the finding not judged yet (seen 0)
        return lambda s, found: judge_as_seen(s, found, key, verdict, seen=0, reason="口径不同", actor=actor)

    results = race(
        store,
        [judging("甲", "确认"), judging("乙", "不是问题")],
        lambda s: s.scalars(select(CorpusReport)).one(),
    )
    assert sorted(results) == sorted(["ok", f"这条问题的判断{CONFLICT}"])
    with transaction(store) as s:
        assert len(s.scalars(select(FindingJudgement)).all()) == 1
