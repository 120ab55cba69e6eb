"""Telemarketing campaigns: campaigns, their list records and attempts, the do-not-call list.

Revision ID: 0009
Revises: 0007 (chain it after 0008 when both are merged)
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


MODES = ("preview", "progressive", "predictive")
STATES = ("draft", "running", "paused", "stopped", "finished")
AMD = ("hangup", "message", "agent")
RECORD_STATUSES = ("queued", "dialing", "done")
OUTCOMES = ("connected", "dropped", "busy", "no_answer", "machine", "congestion", "failed")


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", Id, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("group_slug", sa.String(40), nullable=False),
        sa.Column("mode", sa.String(12), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("window_start", sa.String(5), nullable=False),
        sa.Column("window_end", sa.String(5), nullable=False),
        sa.Column("window_days", sa.String(7), nullable=False),
        sa.Column("max_attempts", sa.Integer, nullable=False),
        sa.Column("retry_delays", sa.JSON, nullable=False),
        sa.Column("abandon_cap_pct", sa.Float, nullable=False),
        sa.Column("connect_within_s", sa.Float, nullable=False),
        sa.Column("amd_action", sa.String(10), nullable=False),
        sa.Column("amd_false_positive_is_abandon", sa.Boolean, nullable=False),
        sa.Column("caller_id_number", sa.String(32), nullable=False),
        sa.Column("caller_id_name", sa.String(80), nullable=False),
        sa.Column("script", sa.Text, nullable=False),
        sa.Column("offer", sa.Text, nullable=False),
        sa.Column("source", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.ForeignKeyConstraint(
            ["group_slug"], ["groups.slug"], name=op.f("fk_campaigns_group_slug_groups")
        ),
        sa.CheckConstraint(_one_of("mode", MODES), name=op.f("ck_campaigns_mode")),
        sa.CheckConstraint(_one_of("state", STATES), name=op.f("ck_campaigns_state")),
        sa.CheckConstraint(_one_of("amd_action", AMD), name=op.f("ck_campaigns_amd_action")),
    )
    op.create_table(
        "campaign_records",
        sa.Column("id", Id, primary_key=True),
        sa.Column("campaign_id", Id, nullable=False),
        sa.Column("customer_id", Id, nullable=True),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("name", sa.String(120), nullable=True),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", Stamp, nullable=False),
        sa.Column("last_outcome", sa.String(12), nullable=True),
        sa.Column("closed_reason", sa.String(20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_records")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_records_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_campaign_records_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint(
            "campaign_id", "number", name=op.f("uq_campaign_records_campaign_id_number")
        ),
        sa.CheckConstraint(
            _one_of("status", RECORD_STATUSES), name=op.f("ck_campaign_records_status")
        ),
    )
    op.create_index(
        "ix_campaign_records_campaign_id_status_next_at",
        "campaign_records",
        ["campaign_id", "status", "next_at"],
    )
    op.create_table(
        "campaign_attempts",
        sa.Column("id", Id, primary_key=True),
        sa.Column("campaign_id", Id, nullable=False),
        sa.Column("record_id", Id, nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("started_at", Stamp, nullable=False),
        sa.Column("ended_at", Stamp, nullable=True),
        sa.Column("outcome", sa.String(12), nullable=True),
        sa.Column("answered_at", Stamp, nullable=True),
        sa.Column("connected_at", Stamp, nullable=True),
        sa.Column("agent", sa.String(80), nullable=True),
        sa.Column("linkedid", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_attempts")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_attempts_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["campaign_records.id"],
            name=op.f("fk_campaign_attempts_record_id_campaign_records"),
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR " + _one_of("outcome", OUTCOMES),
            name=op.f("ck_campaign_attempts_outcome"),
        ),
    )
    op.create_index(
        "ix_campaign_attempts_campaign_id_answered_at",
        "campaign_attempts",
        ["campaign_id", "answered_at"],
    )
    op.create_index("ix_campaign_attempts_record_id", "campaign_attempts", ["record_id"])
    op.create_table(
        "dnc_numbers",
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("added_at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_dnc_numbers")),
    )


def downgrade() -> None:
    op.drop_table("dnc_numbers")
    op.drop_index("ix_campaign_attempts_record_id", "campaign_attempts")
    op.drop_index("ix_campaign_attempts_campaign_id_answered_at", "campaign_attempts")
    op.drop_table("campaign_attempts")
    op.drop_index("ix_campaign_records_campaign_id_status_next_at", "campaign_records")
    op.drop_table("campaign_records")
    op.drop_table("campaigns")
