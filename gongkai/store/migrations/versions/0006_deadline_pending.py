"""requests.answer_due_pending_year and answer_due_provisional: an answer date that reaches a year
whose holidays nobody has entered is 待定 (the year is kept, so that such requests can be listed and
recomputed when the year is entered); one counted across a year entered only in part is provisional;
requests.filing: the number of the first 件 when one filing is split into several (一事一申请, 办法第四条)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("answer_due_pending_year", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("answer_due_provisional", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("filing", sa.String(32), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("filing")
        batch.drop_column("answer_due_provisional")
        batch.drop_column("answer_due_pending_year")
