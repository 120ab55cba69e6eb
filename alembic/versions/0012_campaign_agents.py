"""Campaigns for agents and supervisors: a dial level cap a supervisor may
change while running, and each attempt's disposition (for the per-agent report).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("dial_level_cap", sa.Float(), nullable=True))
    with op.batch_alter_table("campaign_attempts") as batch:
        batch.add_column(sa.Column("disposition", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaign_attempts") as batch:
        batch.drop_column("disposition")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("dial_level_cap")
