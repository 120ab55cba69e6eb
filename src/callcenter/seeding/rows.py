"""The shape of generated rows: table columns in COPY order, id slots, and the chunk holder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from callcenter.seeding.catalog import words

Row = tuple[Any, ...]

COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": words(
        "id member_number name segment roles member_since birthday email city preferred_genres "
        "language do_not_call credit_rating credit_hold created_at updated_at"
    ),
    "phone_numbers": words("id customer_id raw e164 kind is_primary"),
    "orders": words("id customer_id order_number channel status total currency placed_at"),
    "order_items": words("id order_id title isbn quantity unit_price"),
    "complaints": words(
        "id customer_id order_id category severity status subject description sla_due_at "
        "owner_group owner_agent_id escalation_level book_title created_at updated_at"
    ),
    "complaint_events": words("id complaint_id at kind from_status to_status actor note"),
    "contacts": words(
        "id customer_id channel direction group_slug agent_id outcome disposition_code "
        "settled_first_contact note call_linkedid pbx started_at ended_at"
    ),
}
TABLES = tuple(COLUMNS)  # in foreign-key order
JSON_COLUMNS = {("customers", "preferred_genres")}

# Row ids derive from the customer id (order id = customer id * ORDER_SLOTS + n, ...), so
# every chunk can be made on its own and ids never collide.
ORDER_SLOTS = 32  # orders per customer at most
ITEM_SLOTS = 8  # items per order
COMPLAINT_SLOTS = 4
EVENT_SLOTS = 8  # log entries per complaint
CONTACT_SLOTS = 16
PHONE_SLOTS = 4


@dataclass
class Chunk:
    """Rows for every seeded table, in COLUMNS order."""

    index: int
    rows: dict[str, list[Row]] = field(default_factory=lambda: {t: [] for t in TABLES})

    @property
    def customers(self) -> int:
        """How many customers this chunk holds."""
        return len(self.rows["customers"])
