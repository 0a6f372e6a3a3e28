"""publications: indexes behind the public 公开目录's pages (issue 14 §11), so that a page, its
count and its categories read an index, not 100,000 rows, whatever the organ has published

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# name → columns; the same as on gongkai.store.tables.Publication
INDEXES = {
    # every category: WHERE organ_id, NOT withdrawn ORDER BY published_on DESC, id DESC
    "ix_publications_catalogue": ["organ_id", "withdrawn", "published_on", "id"],
    # one category, and the count of each category (GROUP BY category)
    "ix_publications_catalogue_category": ["organ_id", "withdrawn", "category", "published_on", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "publications", columns)


def downgrade() -> None:
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="publications")
