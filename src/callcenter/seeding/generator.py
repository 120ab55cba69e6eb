"""Deterministic generation of one chunk of customers with everything that hangs off them.

Row ids are derived from the customer id (order id = customer id * 32 + n, ...), so every chunk
can be generated on its own, in any process, and the same seed always gives the same rows.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from callcenter.domain.numbers import to_e164
from callcenter.seeding import catalog as cat
from callcenter.seeding import phones as ph
from callcenter.seeding.catalog import words
from callcenter.seeding.known import KNOWN_AGENTS, KNOWN_CALLERS, KnownCaller

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

ORDER_SLOTS, ITEM_SLOTS, COMPLAINT_SLOTS, EVENT_SLOTS, CONTACT_SLOTS, PHONE_SLOTS = (
    32,
    8,
    4,
    8,
    16,
    4,
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


@dataclass(frozen=True)
class SeedPlan:
    """What to generate: how many customers, from which seed, relative to which day."""

    customers: int
    seed: int
    as_of: datetime  # aware; "today" for membership ages, order and complaint times
    agent_ids: Mapping[str, int] = field(default_factory=dict)
    chunk_size: int = 5000

    @property
    def chunks(self) -> int:
        """How many chunks the plan splits into."""
        return (self.customers + self.chunk_size - 1) // self.chunk_size


@dataclass
class Chunk:
    """Rows for every seeded table, in COLUMNS order."""

    index: int
    rows: dict[str, list[Row]] = field(default_factory=lambda: {t: [] for t in TABLES})

    @property
    def customers(self) -> int:
        """How many customers this chunk holds."""
        return len(self.rows["customers"])


def generate_chunk(plan: SeedPlan, index: int) -> Chunk:
    """The rows of chunk `index` of the plan: the same every time."""
    rng = random.Random(plan.seed * 1_000_003 + index)
    gen = _ChunkGen(plan, rng, Chunk(index))
    first = index * plan.chunk_size
    for i in range(first, min(first + plan.chunk_size, plan.customers)):
        known = KNOWN_CALLERS[i] if i < len(KNOWN_CALLERS) else None
        gen.customer(i + 1, known)
    return gen.chunk


class _ChunkGen:
    """Keeps one chunk's random state and agent lookups while customers are made."""

    def __init__(self, plan: SeedPlan, rng: random.Random, chunk: Chunk) -> None:
        self.plan, self.rng, self.chunk = plan, rng, chunk
        self.as_of = plan.as_of.astimezone(UTC)
        self.today = self.as_of.date()
        self.last_landline: tuple[str, str] | None = None
        by_group: dict[str, list[int]] = {}
        for agent in KNOWN_AGENTS:
            if agent.code in plan.agent_ids:
                for skill in agent.skills:
                    by_group.setdefault(skill.group_slug, []).append(plan.agent_ids[agent.code])
        self.agents_by_group = by_group

    def _at(self, days_back: float) -> datetime:
        """A moment `days_back` days before as_of, in business hours-ish."""
        return self.as_of - timedelta(days=days_back, seconds=self.rng.randrange(8 * 3600))

    def customer(self, cid: int, known: KnownCaller | None) -> None:
        rng, rows = self.rng, self.chunk.rows
        old_member = rng.random() < 0.35
        vip = rng.random() < 0.05
        if old_member or (vip and rng.random() < 0.7):
            since = self.today - timedelta(days=rng.randrange(2 * 365 + 1, 12 * 365))
        else:
            since = self.today - timedelta(days=rng.randrange(1, 2 * 365))
        segment = "vip" if vip else "senior" if since < _years_ago(self.today, 2) else "regular"
        roles = ["member"]
        if rng.random() < 0.4:
            roles.append("online")
        if rng.random() < 0.02:
            roles.append("author")
        rating: str | None = None
        r = rng.random()
        city, area, abroad = self._city()
        if known is not None:
            name, roles, segment, city = known.name, list(known.roles), known.segment, known.city
            rating, language = known.credit_rating, known.language
            # keep the fixed segment true to its definition (senior = member > 2 years)
            if segment == "senior" and since >= _years_ago(self.today, 2):
                since = self.today - timedelta(days=3 * 365)
            elif segment == "regular" and since < _years_ago(self.today, 2):
                since = self.today - timedelta(days=400)
        elif r < 0.01:
            roles = ["distributor"]
            rating = rng.choices("ABCD", (40, 30, 20, 10))[0]
            name = f"{city}{rng.choice(('新华', '博文', '书香', '文轩', '百草园'))}书店"
            language = "zh"
        else:
            name, language = self._name(abroad)
        birthday = None
        if "distributor" not in roles and rng.random() < 0.85:
            birthday = date(self.today.year - rng.randrange(18, 85), rng.randrange(1, 13), 1)
            birthday += timedelta(days=rng.randrange(28))
        genres = rng.sample(cat.GENRES, rng.randrange(0, 4))
        created = datetime(since.year, since.month, since.day, 10, tzinfo=UTC)
        member = f"M{cid:09d}"
        rows["customers"].append(
            (
                cid,
                member,
                name,
                segment,
                ",".join(sorted(set(roles))),
                since,
                birthday,
                f"{member.lower()}@example.com" if rng.random() < 0.7 else None,
                city,
                genres,
                language,
                rng.random() < 0.05,
                rating,
                rating == "D",
                created,
                created,
            )
        )
        self._phones(cid, known, area, abroad)
        orders = self._orders(cid, since)
        self._complaints(cid, orders)
        self._contacts(cid)

    def _city(self) -> tuple[str, str, tuple[str, tuple[str, ...], int] | None]:
        rng = self.rng
        if rng.random() < 0.03:
            city, cc, prefixes, digits, _lang = rng.choice(cat.CITIES_ABROAD)
            return city, "", (cc, prefixes, digits)
        city, area, _w = rng.choices(cat.CITIES_CN, [w for *_x, w in cat.CITIES_CN])[0]
        return city, area, None

    def _name(self, abroad: object) -> tuple[str, str]:
        rng = self.rng
        if abroad is not None or rng.random() < 0.02:
            return rng.choice(cat.FOREIGN_NAMES), rng.choice(("en", "de", "zh-HK"))
        if rng.random() < 0.1:
            return f"{rng.choice(cat.SURNAMES_PINYIN)} {rng.choice(cat.GIVEN_PINYIN)}", "zh"
        return rng.choice(cat.SURNAMES_ZH) + rng.choice(cat.GIVEN_ZH), rng.choice(cat.LANGUAGES_CN)

    def _phones(
        self,
        cid: int,
        known: KnownCaller | None,
        area: str,
        abroad: tuple[str, tuple[str, ...], int] | None,
    ) -> None:
        rng, out = self.rng, self.chunk.rows["phone_numbers"]
        numbers: list[tuple[str, str]] = []
        if known is not None:
            numbers.append((known.raw, known.kind))
        elif abroad is not None:
            cc, prefixes, digits = abroad
            rest = f"{rng.randrange(10**digits):0{digits}d}"
            numbers.append((ph.foreign_raw(rng, cc, rng.choice(prefixes), rest), "mobile"))
        else:
            mobile = ph.cn_mobile(rng)
            raw = ph.garbled(rng, mobile) if rng.random() < 0.003 else ph.cn_mobile_raw(rng, mobile)
            numbers.append((raw, "mobile"))
        if known is not None:
            pass  # exactly the trace's number, nothing random added
        elif area and rng.random() < 0.03 and self.last_landline is not None:
            # a family or a company switchboard: the number is already someone else's
            numbers.append((ph.cn_landline_raw(rng, *self.last_landline), "landline"))
        elif area and rng.random() < 0.25:
            local = ph.cn_landline(rng)
            self.last_landline = (area, local)
            kind = "work" if rng.random() < 0.3 else "landline"
            numbers.append((ph.cn_landline_raw(rng, area, local), kind))
        for n, (raw, kind) in enumerate(numbers):
            out.append((cid * PHONE_SLOTS + n, cid, raw, to_e164(raw), kind, n == 0))

    def _orders(self, cid: int, since: date) -> list[int]:
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

    def _complaints(self, cid: int, orders: list[int]) -> None:
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

    def _contacts(self, cid: int) -> None:
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


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _order_status(rng: random.Random, days_back: float) -> str:
    if days_back < 3:
        return rng.choice(("placed", "paid", "paid", "shipped"))
    if days_back < 14:
        return rng.choice(("shipped", "delivered", "delivered"))
    return rng.choices(("delivered", "returned", "cancelled"), (85, 8, 7))[0]
