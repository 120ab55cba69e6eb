"""Initial schema: customers, phones, orders, complaints, contacts, agents, groups, tokens, calls.

Revision ID: 0001
Revises:
Create Date: 2026-11-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)

# The seven functional groups, in entry-point order (8001..8007). Overflow targets never form a
# cycle, so following overflow_group always ends.
GROUPS = [
    ("member-hotline", "Member hotline", "书友热线组", "8001", "online-service", 25),
    ("online-service", "Online service", "在线服务组", "8002", None, None),
    ("telemarketing", "Telemarketing", "电话营销组", "8003", None, None),
    ("letters", "Letters", "信件回复组", "8004", "documents", 90),
    ("documents", "Documents", "单据处理组", "8005", None, None),
    ("finance", "Finance", "金融服务组", "8006", "member-hotline", 60),
    ("data-maintenance", "Data maintenance", "数据维护组", "8007", "online-service", 90),
]


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _id() -> sa.Column[int]:
    return sa.Column("id", ID, primary_key=True, autoincrement=True)


def upgrade() -> None:
    groups = op.create_table(
        "groups",
        sa.Column("slug", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("name_zh", sa.String(40), nullable=False),
        sa.Column("queue", sa.String(80), nullable=False, unique=True),
        sa.Column("entry_point", sa.String(20), nullable=False, unique=True),
        sa.Column("sl_target_seconds", sa.Integer, nullable=False),
        sa.Column("sl_target_percent", sa.Integer, nullable=False),
        sa.Column("overflow_group", sa.String(40), sa.ForeignKey("groups.slug"), nullable=True),
        sa.Column("overflow_after_s", sa.Integer, nullable=True),
    )
    op.bulk_insert(
        groups,
        [
            {
                "slug": slug,
                "name": name,
                "name_zh": name_zh,
                "queue": slug,
                "entry_point": entry,
                "sl_target_seconds": 20,
                "sl_target_percent": 80,
                "overflow_group": None,
                "overflow_after_s": None,
            }
            for slug, name, name_zh, entry, _overflow, _after in GROUPS
        ],
    )
    # overflow targets reference other rows, so they are set once every group exists
    for slug, _name, _name_zh, _entry, overflow, after in GROUPS:
        if overflow is not None:
            op.execute(
                groups.update()
                .where(groups.c.slug == slug)
                .values(overflow_group=overflow, overflow_after_s=after)
            )
    op.create_table(
        "agents",
        _id(),
        sa.Column("code", sa.String(20), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("interface", sa.String(120), nullable=False),
        sa.Column("state_interface", sa.String(120), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "agent_skills",
        sa.Column("agent_id", ID, sa.ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("group_slug", sa.String(40), sa.ForeignKey("groups.slug"), primary_key=True),
        sa.Column("level", sa.Integer, nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 10", name="level"),
    )
    op.create_table(
        "customers",
        _id(),
        sa.Column("member_number", sa.String(20), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("segment", sa.String(10), nullable=False),
        sa.Column("roles", sa.String(60), nullable=False),
        sa.Column("member_since", sa.Date, nullable=False),
        sa.Column("birthday", sa.Date, nullable=True),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("city", sa.String(80), nullable=True),
        sa.Column("preferred_genres", sa.JSON, nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("do_not_call", sa.Boolean, nullable=False),
        sa.Column("credit_rating", sa.String(1), nullable=True),
        sa.Column("credit_hold", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint(_in("segment", ("regular", "senior", "vip")), name="segment"),
        sa.CheckConstraint(
            "credit_rating IS NULL OR credit_rating IN ('A', 'B', 'C', 'D')", name="credit_rating"
        ),
    )
    op.create_index(
        "ix_customers_name", "customers", ["name"], postgresql_ops={"name": "text_pattern_ops"}
    )
    op.create_table(
        "phone_numbers",
        _id(),
        sa.Column(
            "customer_id", ID, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("raw", sa.String(64), nullable=False),
        sa.Column("e164", sa.String(20), nullable=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("is_primary", sa.Boolean, nullable=False),
        sa.CheckConstraint(_in("kind", ("mobile", "landline", "work", "other")), name="kind"),
    )
    op.create_index("ix_phone_numbers_e164", "phone_numbers", ["e164"])
    op.create_index("ix_phone_numbers_customer_id", "phone_numbers", ["customer_id"])
    op.create_table(
        "orders",
        _id(),
        sa.Column(
            "customer_id", ID, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("order_number", sa.String(30), nullable=False, unique=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("total", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("placed_at", TS, nullable=False),
        sa.CheckConstraint(
            _in(
                "channel",
                ("postal_remittance", "sms", "phone", "email", "web", "telemarketing", "bookstore"),
            ),
            name="channel",
        ),
        sa.CheckConstraint(
            _in("status", ("placed", "paid", "shipped", "delivered", "returned", "cancelled")),
            name="status",
        ),
    )
    op.create_index("ix_orders_customer_id_placed_at", "orders", ["customer_id", "placed_at"])
    op.create_table(
        "order_items",
        _id(),
        sa.Column("order_id", ID, sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("isbn", sa.String(17), nullable=True),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("unit_price", sa.Numeric(12, 2), nullable=False),
        sa.CheckConstraint("quantity > 0", name="quantity"),
    )
    op.create_index("ix_order_items_order_id", "order_items", ["order_id"])
    op.create_table(
        "complaints",
        _id(),
        sa.Column(
            "customer_id", ID, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("order_id", ID, sa.ForeignKey("orders.id", ondelete="SET NULL"), nullable=True),
        sa.Column("category", sa.String(12), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("sla_due_at", TS, nullable=False),
        sa.Column("owner_group", sa.String(40), sa.ForeignKey("groups.slug"), nullable=False),
        sa.Column(
            "owner_agent_id", ID, sa.ForeignKey("agents.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("escalation_level", sa.String(14), nullable=False),
        sa.Column("book_title", sa.String(200), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint(
            _in("category", ("delivery", "quality", "billing", "membership", "editorial")),
            name="category",
        ),
        sa.CheckConstraint(_in("severity", ("low", "medium", "high", "critical")), name="severity"),
        sa.CheckConstraint(
            _in("status", ("open", "in_progress", "escalated", "resolved", "closed")),
            name="status",
        ),
        sa.CheckConstraint(
            _in("escalation_level", ("hotline", "editor", "author_expert")),
            name="escalation_level",
        ),
    )
    op.create_index("ix_complaints_customer_id_status", "complaints", ["customer_id", "status"])
    op.create_table(
        "complaint_events",
        _id(),
        sa.Column(
            "complaint_id", ID, sa.ForeignKey("complaints.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("at", TS, nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("from_status", sa.String(12), nullable=True),
        sa.Column("to_status", sa.String(12), nullable=True),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.CheckConstraint(
            _in("kind", ("created", "transition", "escalated", "note")), name="kind"
        ),
    )
    op.create_index("ix_complaint_events_complaint_id", "complaint_events", ["complaint_id"])
    op.create_table(
        "contacts",
        _id(),
        sa.Column(
            "customer_id", ID, sa.ForeignKey("customers.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("group_slug", sa.String(40), sa.ForeignKey("groups.slug"), nullable=True),
        sa.Column("agent_id", ID, sa.ForeignKey("agents.id", ondelete="SET NULL"), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("disposition_code", sa.String(40), nullable=True),
        sa.Column("settled_first_contact", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("call_linkedid", sa.String(64), nullable=True),
        sa.Column("pbx", sa.String(64), nullable=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
        sa.CheckConstraint(
            _in("channel", ("call", "email", "letter", "sms", "web")), name="channel"
        ),
        sa.CheckConstraint(_in("direction", ("inbound", "outbound")), name="direction"),
    )
    op.create_index("ix_contacts_customer_id_started_at", "contacts", ["customer_id", "started_at"])
    op.create_table(
        "api_tokens",
        _id(),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("agent_id", ID, sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=True),
        sa.Column("label", sa.String(120), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.CheckConstraint(_in("role", ("admin", "supervisor", "agent", "dialplan")), name="role"),
    )
    op.create_table(
        "call_records",
        _id(),
        sa.Column("pbx", sa.String(64), nullable=False),
        sa.Column("linkedid", sa.String(64), nullable=False),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("caller", sa.String(20), nullable=True),
        sa.Column("caller_name", sa.String(120), nullable=True),
        sa.Column(
            "customer_id", ID, sa.ForeignKey("customers.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("queues", sa.JSON, nullable=False),
        sa.Column("agent", sa.String(120), nullable=True),
        sa.Column("agent_id", ID, sa.ForeignKey("agents.id", ondelete="SET NULL"), nullable=True),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("wait_s", sa.Float, nullable=False),
        sa.Column("talk_s", sa.Float, nullable=False),
        sa.Column("ring_attempts", sa.Integer, nullable=False),
        sa.Column("transferred", sa.Boolean, nullable=False),
        sa.Column("routing", sa.JSON, nullable=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("answered_at", TS, nullable=True),
        sa.Column("ended_at", TS, nullable=False),
        sa.Column("wrapup_s", sa.Float, nullable=True),
        sa.Column("disposition_code", sa.String(40), nullable=True),
        sa.Column("settled_first_contact", sa.Boolean, nullable=True),
        sa.UniqueConstraint("pbx", "linkedid"),
        sa.CheckConstraint(_in("direction", ("inbound", "outbound")), name="direction"),
        sa.CheckConstraint(_in("outcome", ("answered", "abandoned", "timeout")), name="outcome"),
    )
    op.create_index(
        "ix_call_records_customer_id_started_at", "call_records", ["customer_id", "started_at"]
    )
    op.create_index("ix_call_records_started_at", "call_records", ["started_at"])
    op.create_table(
        "work_items",
        _id(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column(
            "customer_id", ID, sa.ForeignKey("customers.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("caller", sa.String(20), nullable=True),
        sa.Column("group_slug", sa.String(40), sa.ForeignKey("groups.slug"), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("due_at", TS, nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_work_items_status_due_at", "work_items", ["status", "due_at"])


def downgrade() -> None:
    for table in (
        "work_items",
        "call_records",
        "api_tokens",
        "contacts",
        "complaint_events",
        "complaints",
        "order_items",
        "orders",
        "phone_numbers",
        "customers",
        "agent_skills",
        "agents",
        "groups",
    ):
        op.drop_table(table)
