"""An audit log (supervisors' monitoring sessions, every recording access) and each call's
recording files with their size, duration, hash and pauses.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("agent_code", sa.String(20), nullable=True),
        sa.Column("pbx", sa.String(64), nullable=True),
        sa.Column("linkedid", sa.String(64), nullable=True),
        sa.Column("detail", sa.String(200), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
    )
    op.create_index("ix_audit_log_kind_started_at", "audit_log", ["kind", "started_at"])
    op.create_table(
        "call_recordings",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("pbx", sa.String(64), nullable=False),
        sa.Column("linkedid", sa.String(64), nullable=False),
        sa.Column("file", sa.String(255), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=True),
        sa.Column("duration_s", sa.Float, nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("pauses", sa.JSON, nullable=True),
        sa.Column("group_slug", sa.String(40), nullable=True),
        sa.Column("stored_at", TS, nullable=False),
        sa.UniqueConstraint("pbx", "linkedid", "file", name="uq_call_recordings_pbx_linkedid_file"),
    )


def downgrade() -> None:
    op.drop_table("call_recordings")
    op.drop_index("ix_audit_log_kind_started_at", table_name="audit_log")
    op.drop_table("audit_log")
