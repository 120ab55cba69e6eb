"""Work items found by their last change: the offering loop's and the wallboard's change feed
reads only the items changed since it last looked (`updated_at > since`), never a full scan.

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_work_items_updated_at", "work_items", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_work_items_updated_at", table_name="work_items")
