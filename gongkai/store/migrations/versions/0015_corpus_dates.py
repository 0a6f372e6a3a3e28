"""corpus_reports: the report's publication date (where its page or a list given to ingest says it)
and the date it was signed, so that coverage can say which reports came late (issue 17 §5)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("corpus_reports") as table:
        table.add_column(sa.Column("published_on", sa.Date(), nullable=True))
        table.add_column(sa.Column("published_from", sa.String(length=8), nullable=True))
        table.add_column(sa.Column("signed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("corpus_reports") as table:
        table.drop_column("signed_on")
        table.drop_column("published_from")
        table.drop_column("published_on")
