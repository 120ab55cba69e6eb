"""Work items sent to another group (the change log names the groups) and the work reports'
read of items closed or changed in a date range.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_item_events") as batch:
        batch.add_column(sa.Column("from_group", sa.String(40), nullable=True))
        batch.add_column(sa.Column("to_group", sa.String(40), nullable=True))
    op.create_index("ix_work_items_updated_at", "work_items", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_work_items_updated_at", table_name="work_items")
    with op.batch_alter_table("work_item_events") as batch:
        batch.drop_column("to_group")
        batch.drop_column("from_group")
