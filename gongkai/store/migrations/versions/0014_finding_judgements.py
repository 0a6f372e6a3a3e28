"""finding_judgements: a person's judgement on a finding of a corpus report — 确认, 不是问题 (with a
reason), 已整改 — by whom and when, every judgement kept (issue 17 §4)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finding_judgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("finding_key", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("judged_by", sa.String(length=100), nullable=False),
        sa.Column("judged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_finding_judgements_report", "finding_judgements", ["source_sha256", "position"])


def downgrade() -> None:
    op.drop_index("ix_finding_judgements_report", table_name="finding_judgements")
    op.drop_table("finding_judgements")
