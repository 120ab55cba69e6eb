"""Work offers: the reservation of each open work item (agent, deadline, decliners, attempts).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "work_offers",
        sa.Column("item_id", Id, nullable=False),
        sa.Column("agent", sa.String(20), nullable=True),
        sa.Column("expires_at", Stamp, nullable=True),
        sa.Column("declined", sa.JSON, nullable=False),
        sa.Column("attempts", sa.Integer, server_default="0", nullable=False),
        sa.Column("not_before", Stamp, nullable=True),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_work_offers")),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["work_items.id"],
            name=op.f("fk_work_offers_item_id_work_items"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_work_offers_agent", "work_offers", ["agent"])


def downgrade() -> None:
    op.drop_index("ix_work_offers_agent", table_name="work_offers")
    op.drop_table("work_offers")
