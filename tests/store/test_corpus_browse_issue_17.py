"""The corpus as the console browses it (issue 17 §4, §8), on SQLite and PostgreSQL: two people
judging the same finding at once from the same page give one judgement and one refusal, never two
records; pages filtered by their findings walk every match once."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import clean_report_2021
from sqlalchemy import select
from support.textwriter import write_tab_text
from test_races_issue_14 import race

from gongkai.batch_ingest import ingest
from gongkai.checks import check_report
from gongkai.model.report import report_to_json
from gongkai.store import corpus_browse
from gongkai.store.accounts import Role, Scope
from gongkai.store.corpus import SourceFile, organ_names, record_source, years_held
from gongkai.store.corpus_browse import (
    CorpusFilter,
    CorpusView,
    corpus_filter,
    corpus_page,
    count_corpus,
    judge_as_seen,
    place_in_view,
    regions_in_view,
    view_of,
)
from gongkai.store.db import transaction
from gongkai.store.judgements import finding_key, judge, judged_findings
from gongkai.store.records import CONFLICT, NotFound, Refused, add_organ, find_organ
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


def walk(session, view, chosen, limit: int) -> list[int]:
    """Every report id the pages give, following each page's cursor."""
    ids, after = [], 0
    while True:
        listed, after = corpus_page(session, view, chosen, after=after, limit=limit)
        assert len(listed) <= limit
        ids += [item.id for item in listed]
        if after is None:
            return ids


def test_pages_filtered_by_their_findings_walk_every_match_once(store, monkeypatch) -> None:
    """The filter on unjudged errors looks at a window of ids a page (here 5, in queries of 2): its
    pages may be short or empty, and walking them still gives every match, once, in order; the
    rule filter is exact and counted."""
    monkeypatch.setattr(corpus_browse, "SCAN_WINDOW", 5)
    monkeypatch.setattr(corpus_browse, "SCAN_BATCH", 2)
    clean, broken = clean_report_2021(), clean_report_2021(**{"requests.new.natural": 9})
    with transaction(store) as s:
        add_organ(s, "xq", "某某区人民政府", kind="region", actor="t")
        add_organ(s, "kj", "某某区科学技术局", parent="xq", actor="t")
        for i in range(13):
            report = (broken if i % 4 == 1 else clean).model_copy(
                update={"agency": "某某区科学技术局" if i % 3 else "某某区某局", "year": 2020 + i % 3}
            )
            found = [f.model_dump(mode="json", exclude_none=True) for f in check_report(report)]
            result = {"agency": report.agency, "year": report.year, "format": "2021", "findings": found}
            record_source(
                s,
                SourceFile(f"{i:064x}", f"{i}.txt", 1, "text"),
                [{**result, "report": report_to_json(report)}],
                organ_names(s),
            )
    with transaction(store) as s:
        rows = s.scalars(select(CorpusReport).order_by(CorpusReport.id)).all()
        every = [r.id for r in rows]
        balance = [r.id for r in rows if any(f["rule"] == "T3-BALANCE" for f in r.findings)]
        erring = [r.id for r in rows if any(f["severity"] == "error" for f in r.findings)]
        assert 0 < len(balance) < len(erring) < len(every)
        admin, supervisor = CorpusView(None, None), CorpusView(frozenset({find_organ(s, "kj").id}), "某某区")
        assert (
            view_of(s, Scope(0, Role.SUPERVISOR, supervisor.organ_ids, find_organ(s, "xq").id)) == supervisor
        )
        for limit in (1, 2, 5):
            assert walk(s, admin, CorpusFilter(), limit) == every
            assert walk(s, admin, CorpusFilter(rule="T3-BALANCE"), limit) == balance
            assert walk(s, admin, CorpusFilter(unjudged_errors=True), limit) == erring
            assert (
                walk(s, supervisor, CorpusFilter(rule="T3-BALANCE"), limit) == balance
            )  # kj's and 某某区某局's
        judged = next(r for r in rows if r.id == erring[0])
        for item in judged_findings(s, judged):
            if item.finding["severity"] == "error":
                judge(s, judged, item.key, "确认", actor="t")
        assert walk(s, admin, CorpusFilter(unjudged_errors=True), 2) == erring[1:]
        assert count_corpus(s, admin, CorpusFilter(year=2021)) == sum(1 for r in rows if r.year == 2021)
        assert count_corpus(s, admin, CorpusFilter(rule="T3-BALANCE")) == len(balance)
        assert count_corpus(s, admin, CorpusFilter(unjudged_errors=True)) is None


def test_a_large_scope_asked_for_in_sql_lists_what_its_ids_do(store, monkeypatch) -> None:
    """A scope of more than INDEXED_ORGANS organs is asked for as its root's subtree in SQL (as
    every matched report when it is every organ), never as its ids: here every scope is large. The
    pages, counts (stopping past COUNT_CAP), years, regions and names give what the ids give."""
    monkeypatch.setattr(corpus_browse, "INDEXED_ORGANS", 0)
    monkeypatch.setattr(corpus_browse, "COUNT_CAP", 3)
    report = clean_report_2021()
    with transaction(store) as s:
        add_organ(s, "xq", "某某区人民政府", kind="region", actor="t")
        add_organ(s, "kj", "某某区科学技术局", parent="xq", actor="t")
        add_organ(s, "yq", "另一区人民政府", kind="region", actor="t")
        add_organ(s, "wj", "另一区卫生健康委员会", parent="yq", actor="t")
        agencies = ["某某区科学技术局", "另一区卫生健康委员会", "某某区旧局", "无名局"] * 2
        for i, agency in enumerate(agencies):
            body = report.model_copy(update={"agency": agency, "year": 2020 + i // 4})
            result = {"agency": agency, "year": body.year, "format": "2021", "findings": []}
            record_source(
                s,
                SourceFile(f"{i:064x}", f"{i}.txt", 1, "text"),
                [{**result, "report": report_to_json(body)}],
                organ_names(s),
            )
    with transaction(store) as s:
        xq, kj, yq = (find_organ(s, code) for code in ("xq", "kj", "yq"))
        rows = s.scalars(select(CorpusReport).order_by(CorpusReport.id)).all()
        district = view_of(s, Scope(0, Role.SUPERVISOR, frozenset({xq.id, kj.id}), xq.id))
        assert district.roots == {xq.id} and not district.every_organ
        ours = [r.id for r in rows if r.organ_id == kj.id or r.organ_key.startswith("某某区")]
        assert walk(s, district, CorpusFilter(), 1) == ours and len(ours) == 4
        assert count_corpus(s, district, CorpusFilter()) == 4  # past the cap of 3: "more than 3"
        assert count_corpus(s, district, CorpusFilter(year=2021)) == 2
        assert years_held(s, district.condition()) == [2021, 2020]
        assert regions_in_view(s, district) == [("xq", "某某区人民政府")]
        assert place_in_view(s, district, "某某区科学技术局") == kj
        with pytest.raises(NotFound):
            place_in_view(s, district, "wj")
        every = frozenset(o.id for o in (xq, kj, yq, find_organ(s, "wj")))
        province = view_of(s, Scope(0, Role.SUPERVISOR, every, xq.id, every_organ=True))
        assert province.every_organ
        assert walk(s, province, corpus_filter(s, province, yq), 2) == [
            r.id for r in rows if r.organ_key == "另一区卫生健康委员会"
        ]
        listed, _ = corpus_page(s, province, CorpusFilter(year=2020))
        assert [(item.organ_code, item.region) for item in listed if item.organ_id] == [
            ("kj", "某某区人民政府"),
            ("wj", "另一区人民政府"),
        ]
        add_organ(s, "kj2", "某某区科学技术局", parent="yq", actor="t")
        with pytest.raises(Refused):  # two of that name: the code says which
            place_in_view(s, CorpusView(None, None), "某某区科学技术局")
