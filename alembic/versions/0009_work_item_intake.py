"""Work items grow into letters, slips, e-mail, SMS, web forms, data changes and callbacks: subject,
body, sender and its customer match, channel, source, priority, owner, outcome; every change is
logged (work_item_events) and files are kept with hash and size (work_item_attachments). Tokens
gain the `intake` role; contacts gain the `callback` channel. Stored `open` items become `new`.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)

KINDS = ("letter", "remittance_slip", "email", "sms", "web", "data_change", "callback")
STATUSES = ("new", "triage", "offered", "accepted", "in_progress", "done", "cancelled", "failed")
WORK_CHANNELS = ("letter", "email", "sms", "web", "callback")
SOURCES = ("rest", "smtp", "sms", "router", "desktop")
MATCHES = ("matched", "ambiguous", "unknown")
OLD_ROLES = ("admin", "supervisor", "agent", "dialplan")
OLD_CHANNELS = ("call", "email", "letter", "sms", "web")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.execute("UPDATE work_items SET status = 'new' WHERE status = 'open'")
    op.execute(
        "UPDATE work_items SET status = 'cancelled'"
        f" WHERE status NOT IN ({', '.join(repr(s) for s in STATUSES)})"
    )
    with op.batch_alter_table("work_items") as batch:
        batch.add_column(sa.Column("subject", sa.String(500), nullable=False, server_default=""))
        batch.add_column(sa.Column("body", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("sender_email", sa.String(320), nullable=True))
        batch.add_column(sa.Column("sender_member_no", sa.String(40), nullable=True))
        batch.add_column(
            sa.Column("match_status", sa.String(10), nullable=False, server_default="unknown")
        )
        batch.add_column(sa.Column("candidates", sa.JSON, nullable=True))
        batch.add_column(sa.Column("channel", sa.String(10), nullable=False, server_default="web"))
        batch.add_column(sa.Column("source", sa.String(10), nullable=False, server_default="rest"))
        batch.add_column(sa.Column("priority", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("preferred_agent", sa.String(20), nullable=True))
        batch.add_column(
            sa.Column(
                "owner_agent_id",
                Id,
                sa.ForeignKey(
                    "agents.id", name="fk_work_items_owner_agent_id_agents", ondelete="SET NULL"
                ),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("outcome", sa.String(40), nullable=True))
        batch.add_column(sa.Column("disposition_code", sa.String(40), nullable=True))
        batch.add_column(sa.Column("updated_at", Stamp, nullable=True))
        batch.create_check_constraint("kind", _in("kind", KINDS))
        batch.create_check_constraint("status", _in("status", STATUSES))
        batch.create_check_constraint("channel", _in("channel", WORK_CHANNELS))
        batch.create_check_constraint("source", _in("source", SOURCES))
        batch.create_check_constraint("match_status", _in("match_status", MATCHES))
        batch.create_index("ix_work_items_group_slug_status", ["group_slug", "status"])
    # items filed by the out-of-hours router before this revision
    op.execute("UPDATE work_items SET channel = 'callback', source = 'router' WHERE kind = 'callback'")
    op.create_table(
        "work_item_events",
        sa.Column("id", Id, primary_key=True),
        sa.Column("work_item_id", Id, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("from_status", sa.String(12), nullable=True),
        sa.Column("to_status", sa.String(12), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("at", Stamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_item_events")),
        sa.ForeignKeyConstraint(
            ["work_item_id"],
            ["work_items.id"],
            name=op.f("fk_work_item_events_work_item_id_work_items"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_work_item_events_work_item_id_id", "work_item_events", ["work_item_id", "id"]
    )
    op.create_table(
        "work_item_attachments",
        sa.Column("id", Id, primary_key=True),
        sa.Column("work_item_id", Id, nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(120), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("stored_as", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_item_attachments")),
        sa.ForeignKeyConstraint(
            ["work_item_id"],
            ["work_items.id"],
            name=op.f("fk_work_item_attachments_work_item_id_work_items"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_work_item_attachments_work_item_id", "work_item_attachments", ["work_item_id"]
    )
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint(op.f("ck_api_tokens_role"), type_="check")
        batch.create_check_constraint("role", _in("role", (*OLD_ROLES, "intake")))
    with op.batch_alter_table("contacts") as batch:
        batch.drop_constraint(op.f("ck_contacts_channel"), type_="check")
        batch.create_check_constraint("channel", _in("channel", (*OLD_CHANNELS, "callback")))


def downgrade() -> None:
    # What the old schema cannot hold: intake tokens are revoked (deleted), callback contacts
    # become calls, and the statuses fold into the old open / in_progress / done words.
    op.execute("DELETE FROM api_tokens WHERE role = 'intake'")
    op.execute("UPDATE contacts SET channel = 'call' WHERE channel = 'callback'")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_constraint(op.f("ck_contacts_channel"), type_="check")
        batch.create_check_constraint("channel", _in("channel", OLD_CHANNELS))
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_constraint(op.f("ck_api_tokens_role"), type_="check")
        batch.create_check_constraint("role", _in("role", OLD_ROLES))
    op.drop_index("ix_work_item_attachments_work_item_id", "work_item_attachments")
    op.drop_table("work_item_attachments")
    op.drop_index("ix_work_item_events_work_item_id_id", "work_item_events")
    op.drop_table("work_item_events")
    with op.batch_alter_table("work_items") as batch:
        batch.drop_index("ix_work_items_group_slug_status")
        for name in ("kind", "status", "channel", "source", "match_status"):
            batch.drop_constraint(op.f(f"ck_work_items_{name}"), type_="check")
        batch.drop_constraint("fk_work_items_owner_agent_id_agents", type_="foreignkey")
        for column in (
            "updated_at", "disposition_code", "outcome", "owner_agent_id", "preferred_agent",
            "priority", "source", "channel", "candidates", "match_status", "sender_member_no",
            "sender_email", "body", "subject",
        ):
            batch.drop_column(column)
    op.execute("UPDATE work_items SET status = 'open' WHERE status IN ('new', 'triage', 'offered')")
    op.execute("UPDATE work_items SET status = 'in_progress' WHERE status = 'accepted'")
