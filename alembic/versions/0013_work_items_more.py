"""Work items, more: customers found by e-mail address in any case (a mail's sender), and the
order a remittance slip pays.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_index("ix_customers_email_lower", "customers", [sa.text("lower(email)")])
    with op.batch_alter_table("work_items") as batch:
        batch.add_column(sa.Column("order_id", Id, nullable=True))
        batch.create_foreign_key(
            "fk_work_items_order_id_orders", "orders", ["order_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("work_items") as batch:
        batch.drop_constraint("fk_work_items_order_id_orders", type_="foreignkey")
        batch.drop_column("order_id")
    op.drop_index("ix_customers_email_lower", table_name="customers")
