"""reports.errors/warnings/figures, report_rules: each organ's report summed up beside its body —
its findings counted by severity and by rule, the figures the console lists and charts — so that
the console over a province's reports reads no body (issue 17 §8); filled in for the reports held

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

PAGE = 500


def upgrade() -> None:
    with op.batch_alter_table("reports") as table:
        table.add_column(sa.Column("errors", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("warnings", sa.Integer(), nullable=False, server_default="0"))
        table.add_column(sa.Column("figures", sa.JSON(), nullable=True))
    op.create_table(
        "report_rules",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "rule", "severity"),
    )
    _fill()


def _fill() -> None:
    """Sum up the reports already held, a page at a time, as the store does on every change."""
    # the store's own summary, so that the backfill and a report filed later agree (checks included)
    from gongkai.store.reports import report_summary

    bind = op.get_bind()
    reports = sa.table(
        "reports",
        sa.column("id"),
        sa.column("body", sa.JSON),
        sa.column("findings", sa.JSON),
        sa.column("errors"),
        sa.column("warnings"),
        sa.column("figures", sa.JSON),
    )
    rules = sa.table(
        "report_rules", sa.column("report_id"), sa.column("rule"), sa.column("severity"), sa.column("count")
    )
    last = 0
    while True:
        page = bind.execute(
            sa.select(reports.c.id, reports.c.body, reports.c.findings)
            .where(reports.c.id > last)
            .order_by(reports.c.id)
            .limit(PAGE)
        ).all()
        if not page:
            return
        rows = []
        for report_id, body, findings in page:
            try:
                summary = report_summary(body, findings)
            except ValueError:  # a body that is no canonical report (none is written so): left at 0
                continue
            bind.execute(
                reports.update()
                .where(reports.c.id == report_id)
                .values(errors=summary.errors, warnings=summary.warnings, figures=summary.figures)
            )
            rows += [
                {"report_id": report_id, "rule": rule, "severity": severity, "count": n}
                for (rule, severity), n in summary.rules.items()
            ]
        if rows:
            bind.execute(rules.insert(), rows)
        last = page[-1][0]


def downgrade() -> None:
    op.drop_table("report_rules")
    with op.batch_alter_table("reports") as table:
        table.drop_column("figures")
        table.drop_column("warnings")
        table.drop_column("errors")
