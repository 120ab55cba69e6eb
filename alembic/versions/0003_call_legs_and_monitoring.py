"""Call records keep legs, ChanSpy sessions, recordings, AMD and whether the caller ID verified;
outcomes add callback_requested and the outbound ones (busy, no_answer, congestion, failed,
machine).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OLD_OUTCOMES = ("answered", "abandoned", "timeout")
NEW_OUTCOMES = (
    *OLD_OUTCOMES,
    "callback_requested",
    "busy",
    "no_answer",
    "congestion",
    "failed",
    "machine",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("call_records") as batch:
        batch.drop_constraint(op.f("ck_call_records_outcome"), type_="check")
        batch.alter_column(
            "outcome", existing_type=sa.String(10), type_=sa.String(20), existing_nullable=False
        )
        batch.add_column(sa.Column("legs", sa.JSON, nullable=True))
        batch.add_column(sa.Column("monitored", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("recordings", sa.JSON, nullable=True))
        batch.add_column(sa.Column("amd", sa.String(10), nullable=True))
        batch.add_column(sa.Column("caller_verified", sa.Boolean, nullable=True))
        batch.create_check_constraint("outcome", _in("outcome", NEW_OUTCOMES))


def downgrade() -> None:
    # Outcomes the old schema cannot hold become the nearest old ones.
    op.execute("UPDATE call_records SET outcome = 'abandoned' WHERE outcome = 'callback_requested'")
    op.execute(
        "UPDATE call_records SET outcome = 'timeout' "
        "WHERE outcome IN ('busy', 'no_answer', 'congestion', 'failed', 'machine')"
    )
    with op.batch_alter_table("call_records") as batch:
        batch.drop_constraint(op.f("ck_call_records_outcome"), type_="check")
        batch.drop_column("caller_verified")
        batch.drop_column("amd")
        batch.drop_column("recordings")
        batch.drop_column("monitored")
        batch.drop_column("legs")
        batch.alter_column(
            "outcome", existing_type=sa.String(20), type_=sa.String(10), existing_nullable=False
        )
        batch.create_check_constraint("outcome", _in("outcome", OLD_OUTCOMES))
