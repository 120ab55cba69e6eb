"""Dispositions kept as history: one row per disposition given, the newest counts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "call_dispositions",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("pbx", sa.String(64), nullable=False),
        sa.Column("linkedid", sa.String(64), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("settled", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("agent_code", sa.String(20), nullable=False),
        sa.Column("set_by", sa.String(80), nullable=False),
        sa.Column("set_at", TS, nullable=False),
    )
    op.create_index("ix_call_dispositions_pbx_linkedid", "call_dispositions", ["pbx", "linkedid"])
    # What was stored before this revision becomes each call's first history entry.
    op.execute(
        "INSERT INTO call_dispositions"
        " (pbx, linkedid, code, settled, note, agent_code, set_by, set_at)"
        " SELECT r.pbx, r.linkedid, r.disposition_code, COALESCE(r.settled_first_contact, false),"
        " NULL, COALESCE(a.code, ''), 'before history', r.ended_at"
        " FROM call_records r LEFT JOIN agents a ON a.id = r.agent_id"
        " WHERE r.disposition_code IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_call_dispositions_pbx_linkedid", table_name="call_dispositions")
    op.drop_table("call_dispositions")
