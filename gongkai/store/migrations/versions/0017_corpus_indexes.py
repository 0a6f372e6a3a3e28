"""organs.parent_id and corpus_reports (year, organ_id): indexes behind the console over a
province's corpus (issue 17 §8), so that a region's subtree (a recursive query on every supervisor's
page) and a year's reports (coverage, lists and counts by year) read an index, not every row

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# (table, name, columns); the same as on gongkai.store.tables
INDEXES = (
    ("organs", "ix_organs_parent", ["parent_id"]),
    ("corpus_reports", "ix_corpus_reports_year_organ", ["year", "organ_id"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
