"""Quality scoring: scorecards per group (weighted criteria) and supervisors' evaluations of calls.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "quality_scorecards",
        sa.Column("id", Id, primary_key=True),
        sa.Column("group_slug", sa.String(40), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("scale", sa.Integer, nullable=False),
        sa.Column("criteria", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_scorecards")),
        sa.ForeignKeyConstraint(
            ["group_slug"], ["groups.slug"], name=op.f("fk_quality_scorecards_group_slug_groups")
        ),
        sa.UniqueConstraint(
            "group_slug", "name", name=op.f("uq_quality_scorecards_group_slug_name")
        ),
    )
    op.create_table(
        "quality_evaluations",
        sa.Column("id", Id, primary_key=True),
        sa.Column("scorecard_id", Id, nullable=False),
        sa.Column("pbx", sa.String(64), nullable=False),
        sa.Column("linkedid", sa.String(64), nullable=False),
        sa.Column("agent_code", sa.String(20), nullable=False),
        sa.Column("group_slug", sa.String(40), nullable=False),
        sa.Column("scorer", sa.String(80), nullable=False),
        sa.Column("ratings", sa.JSON, nullable=False),
        sa.Column("total", sa.Float, nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("recording", sa.String(255), nullable=True),
        sa.Column("scored_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_evaluations")),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["quality_scorecards.id"],
            name=op.f("fk_quality_evaluations_scorecard_id_quality_scorecards"),
        ),
        sa.UniqueConstraint(
            "scorecard_id",
            "pbx",
            "linkedid",
            "scorer",
            name=op.f("uq_quality_evaluations_scorecard_id_pbx_linkedid_scorer"),
        ),
    )
    op.create_index(
        "ix_quality_evaluations_pbx_linkedid", "quality_evaluations", ["pbx", "linkedid"]
    )
    op.create_index(
        "ix_quality_evaluations_agent_code_scored_at",
        "quality_evaluations",
        ["agent_code", "scored_at"],
    )
    op.create_index(
        "ix_quality_evaluations_group_slug_scored_at",
        "quality_evaluations",
        ["group_slug", "scored_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_quality_evaluations_group_slug_scored_at", "quality_evaluations")
    op.drop_index("ix_quality_evaluations_agent_code_scored_at", "quality_evaluations")
    op.drop_index("ix_quality_evaluations_pbx_linkedid", "quality_evaluations")
    op.drop_table("quality_evaluations")
    op.drop_table("quality_scorecards")
