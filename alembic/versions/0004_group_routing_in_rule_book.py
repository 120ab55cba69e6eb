"""Groups lose overflow_group and overflow_after_s: the routing rule book alone says where a
group overflows (it is what the router obeys; the stored copy disagreed with it).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# What 0001 stored, so that a downgrade gives the old schema its old contents back.
OLD_OVERFLOW = {
    "member-hotline": ("online-service", 25),
    "letters": ("documents", 90),
    "finance": ("member-hotline", 60),
    "data-maintenance": ("online-service", 90),
}


def upgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.drop_constraint(op.f("fk_groups_overflow_group_groups"), type_="foreignkey")
        batch.drop_column("overflow_after_s")
        batch.drop_column("overflow_group")


def downgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("overflow_group", sa.String(40), nullable=True))
        batch.add_column(sa.Column("overflow_after_s", sa.Integer, nullable=True))
        batch.create_foreign_key(
            op.f("fk_groups_overflow_group_groups"), "groups", ["overflow_group"], ["slug"]
        )
    groups = sa.table(
        "groups",
        sa.column("slug", sa.String),
        sa.column("overflow_group", sa.String),
        sa.column("overflow_after_s", sa.Integer),
    )
    for slug, (target, after) in OLD_OVERFLOW.items():
        op.execute(
            groups.update()
            .where(groups.c.slug == slug)
            .values(overflow_group=target, overflow_after_s=after)
        )
