"""The demo data of ``make run`` (issue 6), on SQLite and PostgreSQL: organs, accounts, a year of
requests whose tables pass every check, and the seed reports filed as published."""

from __future__ import annotations

from conftest import SEEDS, load_json, needs_seeds
from sqlalchemy import func, select

from gongkai import clock
from gongkai.checks import check_report
from gongkai.demo import ACCOUNTS, DEMO_PASSWORD, ORGANS, has_demo, make_demo
from gongkai.model.report import report_cells, report_from_json
from gongkai.store.accounts import authenticate
from gongkai.store.annual import build_year
from gongkai.store.db import transaction
from gongkai.store.records import find_organ
from gongkai.store.tables import AuditEntry, ReportRecord, Request


def test_the_demo_is_made_once_and_its_tables_pass_every_check(store) -> None:
    year = clock.today().year
    with transaction(store) as s:
        assert not has_demo(s)
        lines = make_demo(s, year=year, seeds=None)
        assert len(lines) == 2 * len(ORGANS)
        assert sum("经审核、审签发布" in line for line in lines) == len(ORGANS)
    with transaction(store) as s:
        assert has_demo(s)
        for account in ACCOUNTS:
            assert authenticate(s, account.login, DEMO_PASSWORD) is not None
        for code, _ in ORGANS:
            organ = find_organ(s, code)
            assert (
                s.scalar(select(func.count()).select_from(Request).where(Request.organ_id == organ.id)) > 50
            )
            for built_year in (year - 1, year):
                report = build_year(s, organ, built_year)
                assert [f.rule for f in check_report(report) if not f.rule.startswith("SEC-")] == []
            # last year's report went through the review, and its published form has no error
            row = s.scalars(select(ReportRecord).where(ReportRecord.organ_id == organ.id)).one()
            assert (row.year, row.status, row.source) == (year - 1, "published", "workspace")
            published = report_from_json(row.body)
            assert [f.rule for f in check_report(published) if f.severity.value == "error"] == []
            assert report_cells(published) == report_cells(build_year(s, organ, year - 1))  # computed
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "report").order_by(AuditEntry.id)
        ).all()
        assert actions.count("publish") == len(ORGANS) and actions.count("submit") == len(ORGANS)


@needs_seeds
def test_the_seed_reports_are_filed_as_published_cell_exact(store) -> None:
    with transaction(store) as s:
        make_demo(s, year=clock.today().year, seeds=SEEDS)
    with transaction(store) as s:
        rows = s.scalars(
            select(ReportRecord).where(ReportRecord.source == "uploaded").order_by(ReportRecord.source_name)
        ).all()
        assert len(rows) == len(list(SEEDS.glob("*.txt")))
        for row in rows:
            gold = load_json(SEEDS / row.source_name.replace(".txt", ".json"))
            assert row.status == "published"
            assert report_cells(report_from_json(row.body)) == report_cells(report_from_json(gold))
