"""Callbacks owed to callers who left a queue: work items of source `queue` (a caller withdrawn
from the queue keeping their place, or a known caller who abandoned after a long wait), each
tied to the call that owes it by a unique `call_ref` so one call never files two.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OLD_SOURCES = ("rest", "smtp", "sms", "router", "desktop")
SOURCES = (*OLD_SOURCES, "queue")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("work_items") as batch:
        batch.add_column(sa.Column("call_ref", sa.String(160), nullable=True))
        batch.drop_constraint(op.f("ck_work_items_source"), type_="check")
        batch.create_check_constraint("source", _in("source", SOURCES))
    op.create_index("ux_work_items_call_ref", "work_items", ["call_ref"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_work_items_call_ref", table_name="work_items")
    op.execute("UPDATE work_items SET source = 'router' WHERE source = 'queue'")
    with op.batch_alter_table("work_items") as batch:
        batch.drop_constraint(op.f("ck_work_items_source"), type_="check")
        batch.create_check_constraint("source", _in("source", OLD_SOURCES))
        batch.drop_column("call_ref")
