"""Deterministic generation of one chunk of customers with everything that hangs off them.

Every chunk can be generated on its own, in any process (see rows.py for how ids are chosen),
and the same seed always gives the same rows.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from callcenter.domain.customers.numbers import to_e164
from callcenter.seeding import catalog as cat
from callcenter.seeding import phones as ph
from callcenter.seeding.activity import Activity
from callcenter.seeding.known import KNOWN_AGENTS, KNOWN_CALLERS, KnownCaller
from callcenter.seeding.rows import COLUMNS, PHONE_SLOTS, TABLES, Chunk

__all__ = ["COLUMNS", "TABLES", "Chunk", "SeedPlan", "generate_chunk"]


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


def generate_chunk(plan: SeedPlan, index: int) -> Chunk:
    """The rows of chunk `index` of the plan: the same every time."""
    rng = random.Random(plan.seed * 1_000_003 + index)
    gen = _ChunkGen(plan, rng, Chunk(index))
    first = index * plan.chunk_size
    for i in range(first, min(first + plan.chunk_size, plan.customers)):
        known = KNOWN_CALLERS[i] if i < len(KNOWN_CALLERS) else None
        gen.customer(i + 1, known)
    return gen.chunk


class _ChunkGen(Activity):
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
        orders = self.orders(cid, since)
        self.complaints(cid, orders)
        self.contacts(cid)

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


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)
