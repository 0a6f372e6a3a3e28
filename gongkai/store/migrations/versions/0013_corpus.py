"""corpus_sources, corpus_reports, organ_aliases: a corpus of published reports taken in from files
(``gongkai ingest``), each file once by its content's hash, each report matched to an organ by its
name or a former name (issue 17 §1)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "corpus_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "corpus_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=True),
        sa.Column("organ_name", sa.String(length=200), nullable=False),
        sa.Column("organ_key", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["corpus_sources.id"]),
        sa.ForeignKeyConstraint(["organ_id"], ["organs.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "position"),
    )
    op.create_index("ix_corpus_reports_organ_year", "corpus_reports", ["organ_id", "year"])
    op.create_index("ix_corpus_reports_organ_key", "corpus_reports", ["organ_key"])
    op.create_table(
        "organ_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["organ_id"], ["organs.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alias"),
    )
    op.create_index("ix_organ_aliases_organ_id", "organ_aliases", ["organ_id"])


def downgrade() -> None:
    op.drop_table("organ_aliases")
    op.drop_index("ix_corpus_reports_organ_key", table_name="corpus_reports")
    op.drop_index("ix_corpus_reports_organ_year", table_name="corpus_reports")
    op.drop_table("corpus_reports")
    op.drop_table("corpus_sources")
