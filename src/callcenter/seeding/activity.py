"""Orders, complaints and contacts of one generated customer."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from callcenter.seeding import catalog as cat
from callcenter.seeding.rows import (
    COMPLAINT_SLOTS,
    CONTACT_SLOTS,
    EVENT_SLOTS,
    ITEM_SLOTS,
    ORDER_SLOTS,
    Chunk,
)

ORDER_COUNT_WEIGHTS = (30, 27, 17, 10, 7, 4, 3, 2)
CONTACT_COUNT_WEIGHTS = (35, 35, 15, 10, 5)
CHANNELS = ("postal_remittance", "sms", "phone", "email", "web", "telemarketing", "bookstore")
CHANNEL_WEIGHTS = (10, 8, 20, 7, 35, 10, 10)
PRICES = [Decimal(p) for p in ("29.80", "35.00", "39.90", "45.00", "49.80", "59.80", "68.00")]
COMPLAINT_FLOW = ("open", "in_progress", "escalated", "resolved", "closed")
COMPLAINT_STATUS_WEIGHTS = (20, 15, 12, 23, 30)
OWNER_GROUP = {
    "delivery": "member-hotline",
    "quality": "documents",
    "billing": "finance",
    "membership": "member-hotline",
    "editorial": "letters",
}
SLA_DAYS = {"low": 5, "medium": 3, "high": 2, "critical": 1}
CONTACT_CHANNELS = ("call", "email", "letter", "sms", "web")
CONTACT_WEIGHTS = (60, 12, 10, 8, 10)
CALL_GROUPS = (
    "member-hotline",
    "online-service",
    "finance",
    "documents",
    "data-maintenance",
    "telemarketing",
)
CALL_GROUP_WEIGHTS = (50, 20, 10, 8, 6, 6)


class Activity:
    """Mixed into the chunk generator: what a customer did (needs rng, chunk, today, agents)."""

    rng: random.Random
    chunk: Chunk
    today: date
    as_of: datetime
    agents_by_group: dict[str, list[int]]

    def _at(self, days_back: float) -> datetime:
        """A moment `days_back` days before as_of, in business hours-ish."""
        return self.as_of - timedelta(days=days_back, seconds=self.rng.randrange(8 * 3600))

    def orders(self, cid: int, since: date) -> list[int]:
        rng, rows = self.rng, self.chunk.rows
        count = rng.choices(range(len(ORDER_COUNT_WEIGHTS)), ORDER_COUNT_WEIGHTS)[0]
        window = min(3 * 365, (self.today - since).days)
        ids = []
        for n in range(count):
            oid = cid * ORDER_SLOTS + n
            days_back = rng.random() * window
            placed = self._at(days_back)
            status = _order_status(rng, days_back)
            total = Decimal("0.00")
            for k in range(rng.choices((1, 2, 3, 4), (55, 25, 12, 8))[0]):
                title, isbn = rng.choice(cat.BOOKS)
                price = PRICES[int(isbn[-3:]) % len(PRICES)]  # a book always costs the same
                qty = 1 if rng.random() < 0.9 else rng.randrange(2, 4)
                total += price * qty
                rows["order_items"].append((oid * ITEM_SLOTS + k, oid, title, isbn, qty, price))
            channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
            rows["orders"].append(
                (oid, cid, f"BK{oid:011d}", channel, status, total, "CNY", placed)
            )
            ids.append(oid)
        return ids

    def complaints(self, cid: int, orders: list[int]) -> None:
        rng, rows = self.rng, self.chunk.rows
        if rng.random() >= 0.07:
            return
        for n in range(1 if rng.random() < 0.8 else 2):
            kid = cid * COMPLAINT_SLOTS + n
            category = rng.choice(tuple(OWNER_GROUP))
            severity = rng.choices(tuple(SLA_DAYS), (40, 35, 20, 5))[0]
            status = rng.choices(COMPLAINT_FLOW, COMPLAINT_STATUS_WEIGHTS)[0]
            level = "hotline"
            if status == "escalated" or (status in ("resolved", "closed") and rng.random() < 0.3):
                level = (
                    "author_expert" if category == "editorial" and rng.random() < 0.4 else "editor"
                )
            created = self._at(rng.random() * 120)
            group = OWNER_GROUP[category]
            staff = self.agents_by_group.get(group, [])
            owner = rng.choice(staff) if staff and rng.random() < 0.6 else None
            book = rng.choice(cat.BOOKS)[0] if category in ("editorial", "quality") else None
            steps = COMPLAINT_FLOW[: COMPLAINT_FLOW.index(status) + 1]
            if status in ("resolved", "closed") and level == "hotline":
                steps = tuple(s for s in steps if s != "escalated")
            at = created
            for k, step in enumerate(steps):
                kind = "created" if k == 0 else "escalated" if step == "escalated" else "transition"
                prev = steps[k - 1] if k else None
                rows["complaint_events"].append(
                    (kid * EVENT_SLOTS + k, kid, at, kind, prev, step, "seed", None)
                )
                at += timedelta(hours=rng.randrange(1, 48))
            subject = rng.choice(cat.COMPLAINT_SUBJECTS[category])
            rows["complaints"].append(
                (
                    kid,
                    cid,
                    rng.choice(orders) if orders and category != "editorial" else None,
                    category,
                    severity,
                    status,
                    subject,
                    f"{subject}（会员来电反映）",
                    created + timedelta(days=SLA_DAYS[severity]),
                    group,
                    owner,
                    level,
                    book,
                    created,
                    at - timedelta(hours=1) if len(steps) > 1 else created,
                )
            )

    def contacts(self, cid: int) -> None:
        rng, out = self.rng, self.chunk.rows["contacts"]
        for n in range(rng.choices(range(len(CONTACT_COUNT_WEIGHTS)), CONTACT_COUNT_WEIGHTS)[0]):
            channel = rng.choices(CONTACT_CHANNELS, CONTACT_WEIGHTS)[0]
            started = self._at(rng.random() * 365)
            if channel == "call":
                group = rng.choices(CALL_GROUPS, CALL_GROUP_WEIGHTS)[0]
            else:
                group = "letters" if channel == "letter" else "online-service"
            staff = self.agents_by_group.get(group, [])
            agent = rng.choice(staff) if staff else None
            outbound = group == "telemarketing" or rng.random() < 0.05
            is_call = channel == "call"
            out.append(
                (
                    cid * CONTACT_SLOTS + n,
                    cid,
                    channel,
                    "outbound" if outbound else "inbound",
                    group,
                    agent,
                    "answered" if is_call else "handled",
                    rng.choice(cat.DISPOSITIONS),
                    rng.random() < 0.7,
                    None,
                    f"{int(started.timestamp())}.{cid % 10_000}" if is_call else None,
                    "pbx1" if is_call else None,
                    started,
                    started + timedelta(seconds=rng.randrange(30, 900)),
                )
            )


def _order_status(rng: random.Random, days_back: float) -> str:
    if days_back < 3:
        return rng.choice(("placed", "paid", "paid", "shipped"))
    if days_back < 14:
        return rng.choice(("shipped", "delivered", "delivered"))
    return rng.choices(("delivered", "returned", "cancelled"), (85, 8, 7))[0]
