"""The synthetic book club: deterministic by seed, with the promised mix of people and data."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.customers.numbers import to_e164
from callcenter.seeding.generator import COLUMNS, TABLES, Chunk, SeedPlan, generate_chunk
from callcenter.seeding.known import KNOWN_AGENTS, KNOWN_CALLERS

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
AGENT_IDS = {a.code: n for n, a in enumerate(KNOWN_AGENTS, start=1)}


def generate(customers: int, seed: int) -> dict[str, list[dict[str, object]]]:
    plan = SeedPlan(
        customers=customers, seed=seed, as_of=AS_OF, agent_ids=AGENT_IDS, chunk_size=1000
    )
    chunks: list[Chunk] = [generate_chunk(plan, i) for i in range(plan.chunks)]
    return {
        t: [dict(zip(COLUMNS[t], row, strict=True)) for c in chunks for row in c.rows[t]]
        for t in TABLES
    }


@pytest.fixture(scope="module")
def club() -> dict[str, list[dict[str, object]]]:
    return generate(3000, seed=11)


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    assert generate(300, seed=5) == generate(300, seed=5)
    other = generate(300, seed=6)
    assert other != generate(300, seed=5)
    # the trace callers are fixed whatever the seed
    assert [c["name"] for c in other["customers"][: len(KNOWN_CALLERS)]] == [
        k.name for k in KNOWN_CALLERS
    ]


def test_chunks_do_not_depend_on_each_other() -> None:
    plan = SeedPlan(customers=3000, seed=2, as_of=AS_OF, chunk_size=1000)
    assert generate_chunk(plan, 2).rows == generate_chunk(plan, 2).rows
    ids = [row[0] for i in range(3) for row in generate_chunk(plan, i).rows["orders"]]
    assert len(ids) == len(set(ids))


def test_segments_and_roles(club: dict[str, list[dict[str, object]]]) -> None:
    customers = club["customers"]
    segments = Counter(c["segment"] for c in customers)
    assert 0.27 < segments["senior"] / len(customers) < 0.40  # about a third
    assert 0.02 < segments["vip"] / len(customers) < 0.08
    two_years_ago = AS_OF.date().replace(year=AS_OF.year - 2)
    for c in customers:
        if c["segment"] == "senior":
            assert c["member_since"] < two_years_ago  # type: ignore[operator]
        if c["segment"] == "regular":
            assert c["member_since"] >= two_years_ago  # type: ignore[operator]
    roles = Counter(r for c in customers for r in str(c["roles"]).split(","))
    assert roles["author"] >= 20 and roles["distributor"] >= 15 and roles["online"] > 900
    distributors = [c for c in customers if "distributor" in str(c["roles"])]
    assert all(c["credit_rating"] in ("A", "B", "C", "D") for c in distributors)
    on_hold = [c for c in customers if c["credit_hold"]]
    assert on_hold and all(c["credit_rating"] == "D" for c in on_hold)
    assert len(on_hold) < len(distributors) / 3  # a few
    names = [str(c["name"]) for c in customers]
    assert sum(any("\u4e00" <= ch <= "\u9fff" for ch in n) for n in names) > 2000
    assert any(n in names for n in ("Hans Müller", "Anna Schmidt", "John Smith"))
    assert len({c["city"] for c in customers}) > 12


def test_phones_raw_shapes_e164_and_sharing(club: dict[str, list[dict[str, object]]]) -> None:
    phones = club["phone_numbers"]
    for p in phones[:500]:
        assert p["e164"] == to_e164(str(p["raw"]))
    raws = [str(p["raw"]) for p in phones]
    assert any(r.startswith("+86 1") for r in raws)
    assert any(r.startswith("0086") for r in raws)
    assert any(r.startswith("86") and r.isdigit() for r in raws)
    assert any(r.startswith("(0") for r in raws)
    assert any(r.startswith("+49") or r.startswith("0049") for r in raws)
    assert sum(p["e164"] is None for p in phones) < len(phones) * 0.01  # a few typos
    holders: dict[object, set[object]] = {}
    for p in phones:
        if p["e164"] is not None:
            holders.setdefault(p["e164"], set()).add(p["customer_id"])
    shared = [n for n, who in holders.items() if len(who) > 1]
    assert 0.01 < len(shared) / len(club["customers"]) < 0.04  # about 2 %
    primaries = Counter(p["customer_id"] for p in phones if p["is_primary"])
    assert set(primaries.values()) == {1} and len(primaries) == len(club["customers"])


def test_trace_callers_are_findable_by_their_trace_number() -> None:
    rows = generate(len(KNOWN_CALLERS), seed=1)
    by_e164 = {p["e164"]: p for p in rows["phone_numbers"]}
    names = {c["id"]: c["name"] for c in rows["customers"]}
    trace = {
        "+8613800138000": "Li Wei",
        "+8613912345678": "Zhao Min",
        "+4915112345678": "Hans Müller",
        "+8618612345678": "Sun Li",
        "+85291234567": "Chan Tai Man",
        "+8613611112222": "Wu Gang",
        "+8613761234567": "刘德明",
        "+4930123456789": "Peter Schmidt",
        "+8613122223333": "黄晓燕",
    }
    for e164, name in trace.items():
        phone = by_e164[e164]
        assert names[phone["customer_id"]] == name
        assert phone["raw"] != e164  # stored in another shape than the trace's
    shared = [p for p in rows["phone_numbers"] if p["e164"] == "+861062751234"]
    assert len(shared) == 2  # 01062751234 calls in the traces: a shared switchboard


def test_orders_complaints_contacts(club: dict[str, list[dict[str, object]]]) -> None:
    orders = club["orders"]
    assert {o["channel"] for o in orders} == {
        "postal_remittance",
        "sms",
        "phone",
        "email",
        "web",
        "telemarketing",
        "bookstore",
    }
    placed = [o["placed_at"] for o in orders]
    assert min(placed) > AS_OF - timedelta(days=3 * 365 + 1)  # type: ignore[operator]
    assert max(placed) - min(placed) > timedelta(days=2 * 365)  # type: ignore[operator]
    items_by_order = Counter(i["order_id"] for i in club["order_items"])
    assert all(items_by_order[o["id"]] >= 1 for o in orders)
    complaints = club["complaints"]
    assert {c["escalation_level"] for c in complaints} == {"hotline", "editor", "author_expert"}
    assert {c["status"] for c in complaints} == {
        "open",
        "in_progress",
        "escalated",
        "resolved",
        "closed",
    }
    overdue = [
        c
        for c in complaints
        if c["status"] in ("open", "in_progress", "escalated") and c["sla_due_at"] < AS_OF  # type: ignore[operator]
    ]
    assert overdue
    events = Counter(e["complaint_id"] for e in club["complaint_events"])
    assert all(events[c["id"]] >= 1 for c in complaints)
    contacts = club["contacts"]
    assert {c["channel"] for c in contacts} == {"call", "email", "letter", "sms", "web"}
    assert len(contacts) > len(club["customers"]) / 2


def test_agents_match_the_trace_queue_memberships() -> None:
    agents = {a.code: a for a in KNOWN_AGENTS}
    assert [agents[f"10{n:02d}"].name for n in range(1, 11)] == [
        "Wang Fang",
        "Zhang Wei",
        "Liu Yang",
        "Chen Jing",
        "Yang Li",
        "Zhao Lei",
        "Huang Min",
        "Zhou Jie",
        "Wu Xia",
        "Xu Tao",
    ]
    penalties = {(code, s.group_slug): s.penalty for code, a in agents.items() for s in a.skills}
    assert penalties[("1003", "online-service")] == 1
    assert penalties[("1005", "finance")] == 2
    assert penalties[("1004", "data-maintenance")] == 1
    assert penalties[("1001", "member-hotline")] == 0
    assert agents["1001"].interface == "Local/1001@agents/n"
    assert agents["1001"].state_interface == "Custom:agent1001"
