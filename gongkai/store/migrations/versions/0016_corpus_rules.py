"""corpus_report_rules, corpus_reports.errors/warnings: each corpus report's findings summed up by
rule and severity, so that league tables and lists by rule stay one indexed query at 100,000 reports
(issue 17 §6, §8); filled in for the reports already held

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

PAGE = 1000
RANK = {"error": 3, "warning": 2, "info": 1}


def upgrade() -> None:
    with op.batch_alter_table("corpus_reports") as table:
        table.add_column(sa.Column("errors", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("warnings", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "corpus_report_rules",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["corpus_reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "rule"),
    )
    op.create_index("ix_corpus_report_rules_rule", "corpus_report_rules", ["rule", "report_id"])
    _fill()


def _fill() -> None:
    """Sum up the findings of the reports already held, a page at a time."""
    bind = op.get_bind()
    reports = sa.table(
        "corpus_reports",
        sa.column("id"),
        sa.column("findings", sa.JSON),
        sa.column("errors"),
        sa.column("warnings"),
    )
    rules = sa.table(
        "corpus_report_rules",
        sa.column("report_id"),
        sa.column("rule"),
        sa.column("severity"),
        sa.column("count"),
    )
    last = 0
    while True:
        page = bind.execute(
            sa.select(reports.c.id, reports.c.findings)
            .where(reports.c.id > last)
            .order_by(reports.c.id)
            .limit(PAGE)
        ).all()
        if not page:
            return
        rows = []
        for report_id, findings in page:
            counts: Counter[tuple[str, str]] = Counter(
                (str(f.get("rule", ""))[:40], str(f.get("severity", ""))[:8])
                for f in findings or ()
                if isinstance(f, dict)
            )
            by_rule: dict[
                str, tuple[str, int]
            ] = {}  # a rule once: its most severe severity, all its findings
            for (rule, severity), n in counts.items():
                before, total = by_rule.get(rule, (severity, 0))
                by_rule[rule] = (max(before, severity, key=lambda s: RANK.get(s, 0)), total + n)
            rows += [
                {"report_id": report_id, "rule": r, "severity": s, "count": n}
                for r, (s, n) in by_rule.items()
            ]
            errors = sum(n for (_, s), n in counts.items() if s == "error")
            warnings = sum(n for (_, s), n in counts.items() if s == "warning")
            if errors or warnings:
                bind.execute(
                    reports.update().where(reports.c.id == report_id).values(errors=errors, warnings=warnings)
                )
        if rows:
            bind.execute(rules.insert(), rows)
        last = page[-1][0]


def downgrade() -> None:
    op.drop_index("ix_corpus_report_rules_rule", table_name="corpus_report_rules")
    op.drop_table("corpus_report_rules")
    with op.batch_alter_table("corpus_reports") as table:
        table.drop_column("warnings")
        table.drop_column("errors")
