"""notices: the written notices of requests (文号, the letter as sent, its delivery), and each
organ's notice settings and its own template texts (issue 13 §4)

Revision ID: 0007
Revises: 0005 (re-chained after 0006 when merged)
Create Date: 2026-07-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_settings",
        sa.Column("organ_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["organ_id"], ["organs.id"]),
        sa.PrimaryKeyConstraint("organ_id"),
    )
    op.create_table(
        "notice_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["organ_id"], ["organs.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organ_id", "name"),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organ_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("series", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("letter", sa.JSON(), nullable=False),
        sa.Column("extras", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("delivery_channel", sa.String(length=16), nullable=True),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.Column("delivery_recorded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["organ_id"], ["organs.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organ_id", "number"),
        sa.UniqueConstraint("organ_id", "series", "seq"),
        sa.UniqueConstraint("request_id", "step"),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_request_id"), ["request_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_request_id"))
    op.drop_table("notices")
    op.drop_table("notice_templates")
    op.drop_table("notice_settings")
