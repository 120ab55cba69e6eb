"""Agents' work-group logins: per (agent, group), logged in to its work items or out, as the
agent (or a supervisor) last chose, apart from the voice queues.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agent_work_logins",
        sa.Column("agent_code", sa.String(20), nullable=False),
        sa.Column("group_slug", sa.String(40), nullable=False),
        sa.Column("logged_in", sa.Boolean, nullable=False),
        sa.Column("changed_at", Stamp, nullable=False),
        sa.Column("changed_by", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("agent_code", "group_slug", name=op.f("pk_agent_work_logins")),
        sa.ForeignKeyConstraint(
            ["agent_code"],
            ["agents.code"],
            name=op.f("fk_agent_work_logins_agent_code_agents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["group_slug"],
            ["groups.slug"],
            name=op.f("fk_agent_work_logins_group_slug_groups"),
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("agent_work_logins")
