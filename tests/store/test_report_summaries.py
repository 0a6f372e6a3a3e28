"""Each organ's report summed up beside its body (issue 17 §8): its findings counted by severity and
by rule, and the figures the console lists and charts, kept current by every writer of a report and
filled in by migration 0018 for the reports held before it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from conftest import clean_report_2021
from sqlalchemy import select, text
from support.databases import migrated_to

from gongkai.model.report import report_cells, report_to_json
from gongkai.store.db import transaction
from gongkai.store.records import add_organ
from gongkai.store.report_queries import file_uploaded_report
from gongkai.store.reports import findings_of, open_workspace, save_sections
from gongkai.store.tables import ReportRecord, ReportRule

ACTOR = "t"


def _summed_up(session, row: ReportRecord) -> tuple[int, int, dict[tuple[str, str], int]]:
    rules = {
        (r.rule, r.severity): r.count
        for r in session.scalars(select(ReportRule).where(ReportRule.report_id == row.id))
    }
    return row.errors, row.warnings, rules


def _expected(row: ReportRecord) -> tuple[int, int, dict[tuple[str, str], int]]:
    counts = Counter((f.rule, f.severity.value) for f in findings_of(row))
    errors = sum(n for (_, s), n in counts.items() if s == "error")
    warnings = sum(n for (_, s), n in counts.items() if s == "warning")
    return errors, warnings, dict(counts)


def test_a_report_is_summed_up_whenever_its_body_or_findings_change(store) -> None:
    with transaction(store) as s:
        organ = add_organ(s, "kj", "某某区科学技术局", actor=ACTOR)
        draft = open_workspace(s, organ, 2025, actor=ACTOR)  # checked from its body: no findings kept
        assert draft.findings is None and draft.errors + draft.warnings > 0  # an empty draft is wanting
        assert _summed_up(s, draft) == _expected(draft)
        before = _summed_up(s, draft)
        save_sections(s, draft, {"problems": "存在信息更新不够及时的问题。下一步将加强审核。"}, actor=ACTOR)
        assert _summed_up(s, draft) == _expected(draft) != before  # a section written: a finding fewer

        broken = clean_report_2021(**{"requests.new.natural": 9})
        found = [
            {"rule": "T3-BALANCE", "severity": "error", "message": "a", "cells": []},
            {"rule": "T3-BALANCE", "severity": "error", "message": "b", "cells": []},
            {"rule": "READ-OCR", "severity": "warning", "message": "c", "cells": []},
        ]
        row = file_uploaded_report(s, organ, 2024, report_to_json(broken), found, "kj.pdf", actor=ACTOR)
        assert _summed_up(s, row) == (2, 1, {("T3-BALANCE", "error"): 2, ("READ-OCR", "warning"): 1})
        cells = report_cells(broken)
        assert row.figures["new.natural"] == 9 == cells["requests.new.natural"]
        assert row.figures["new.total"] == cells["requests.new.total"]
        assert row.figures["outcome.granted"] == cells["requests.granted.total"]
        # uploaded again, read without a finding: the old rules are gone, not added to
        row = file_uploaded_report(
            s, organ, 2024, report_to_json(clean_report_2021()), [], "kj2.pdf", actor=ACTOR
        )
        assert _summed_up(s, row) == (0, 0, {}) and row.figures["new.natural"] == 5


def test_the_migration_sums_up_the_reports_already_held(tmp_path: Path) -> None:
    """Migration 0018 fills the counts, the figures and report_rules of reports kept before it: an
    upload's from its kept findings, a draft's from checking its body."""
    from gongkai.store.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    kept = [
        {"rule": "T3-BALANCE", "severity": "error", "message": "a"},
        {"rule": "READ-OCR", "severity": "warning", "message": "b"},
    ]
    drafted = clean_report_2021(**{"requests.new.natural": 9})
    with migrated_to(engine, "0017") as connection:
        connection.execute(
            text(
                "INSERT INTO organs (id, code, name, kind, created_at) VALUES (1, 'kj', '科技局', 'organ', '2026-01-01')"
            )
        )
        for report_id, year, body, findings in (
            (1, 2024, report_to_json(clean_report_2021()), json.dumps(kept)),
            (2, 2025, report_to_json(drafted.model_copy(update={"year": 2025})), None),
        ):
            connection.execute(
                text(
                    "INSERT INTO reports (id, organ_id, year, status, source, source_name, body, findings, "
                    "version, updated_at) VALUES (:id, 1, :year, 'draft', 'workspace', '', :body, :findings, 1, "
                    "'2026-01-01')"
                ),
                {"id": report_id, "year": year, "body": json.dumps(body), "findings": findings},
            )
    with migrated_to(engine, "head") as connection:
        counts = connection.execute(
            text("SELECT id, errors, warnings, figures FROM reports ORDER BY id")
        ).all()
        rules = connection.execute(
            text(
                "SELECT report_id, rule, severity, count FROM report_rules WHERE report_id = 1 ORDER BY rule"
            )
        ).all()
        drafted_rules = (
            connection.execute(text("SELECT rule FROM report_rules WHERE report_id = 2")).scalars().all()
        )
    engine.dispose()
    assert tuple(counts[0][:3]) == (1, 1, 1)
    assert [tuple(row) for row in rules] == [(1, "READ-OCR", "warning", 1), (1, "T3-BALANCE", "error", 1)]
    assert counts[1][1] >= 1 and "T3-BALANCE" in drafted_rules  # its body checked: the balance broken
    assert json.loads(counts[0][3])["new.total"] == report_cells(clean_report_2021())["requests.new.total"]
    assert json.loads(counts[1][3])["new.natural"] == 9
