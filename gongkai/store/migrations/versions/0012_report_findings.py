"""reports: the findings of an uploaded report, as its reading gave them (issue 15 §2), so that the
console shows what ``gongkai check`` says of the same file — the layout rules that need the source
and every READ-* warning included — rather than re-checking the JSON it was read into

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as table:
        table.add_column(sa.Column("findings", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as table:
        table.drop_column("findings")
