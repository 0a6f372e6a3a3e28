"""publications.index_number, doc_number, issuer, url: what the public 政府信息公开目录 shows of an
entry (索引号, 文号, 发布机构, and a link to the document), issue 13; empty for the entries before

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = (("index_number", 64), ("doc_number", 100), ("issuer", 200), ("url", 500))


def upgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        for name, length in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
