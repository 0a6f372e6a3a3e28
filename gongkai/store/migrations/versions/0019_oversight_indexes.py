"""corpus_reports: covering indexes behind coverage and league tables over a province's corpus
(issue 17 §8): a year's reports with their dates, and a region's reports with their years and error
counts, read from the index alone (PostgreSQL's index-only scan) instead of 100,000 wide rows; the two
indexes they begin with (0013, 0017) dropped

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# (table, name, columns); the same as on gongkai.store.tables
INDEXES = (
    ("corpus_reports", "ix_corpus_reports_year_dates", ["year", "organ_id", "published_on", "signed_on"]),
    ("corpus_reports", "ix_corpus_reports_organ_errors", ["organ_id", "year", "errors", "id"]),
)


# Each the first columns of one above, which answers what it did: kept, they only cost every write.
REPLACED = (
    ("corpus_reports", "ix_corpus_reports_year_organ", ["year", "organ_id"]),
    ("corpus_reports", "ix_corpus_reports_organ_year", ["organ_id", "year"]),
)


def upgrade() -> None:
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns)
    for table, name, _ in REPLACED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for table, name, columns in REPLACED:
        op.create_index(name, table, columns)
    for table, name, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
