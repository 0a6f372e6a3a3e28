"""ended_sessions: the sessions ended by signing out, so that a copy of their cookie no longer counts
while the person's other sessions go on (issue 14)

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ended_sessions",
        sa.Column("session_id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ended_sessions_ended_at", "ended_sessions", ["ended_at"])


def downgrade() -> None:
    op.drop_index("ix_ended_sessions_ended_at", table_name="ended_sessions")
    op.drop_table("ended_sessions")
