"""Calls in progress are journalled (live_calls) so a restarted process stores every one; call
records say whether the call ended while no process watched the PBX.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_calls",
        sa.Column("pbx", sa.String(64), primary_key=True),
        sa.Column("linkedid", sa.String(64), primary_key=True),
        sa.Column("snapshot", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("call_records") as batch:
        batch.add_column(
            sa.Column("ended_during_outage", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("call_records") as batch:
        batch.drop_column("ended_during_outage")
    op.drop_table("live_calls")
