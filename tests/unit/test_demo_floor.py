"""The demo's simulated floor follows the database's agents; its traffic follows the floor."""

from __future__ import annotations

from callcenter.commands.demo_floor import TARGET_OCCUPANCY, busy_but_green, staff_floor
from callcenter.domain.agents.records import Agent
from callcenter.seeding.known import KNOWN_AGENTS
from callcenter.sim.model import LISTING_ORDER, PbxModel, interface_of

WRAPUP = {"member-hotline": 10.0, "online-service": 5.0, "finance": 10.0}


def agents() -> list[Agent]:
    return [
        Agent(i, k.code, k.name, interface_of(k.code), None, True, k.skills)
        for i, k in enumerate(KNOWN_AGENTS, 1)
    ]


def test_simulated_agents_are_in_exactly_their_skills_queues_with_their_names() -> None:
    model = PbxModel(epoch=1_700_000_000)
    staff_floor(model, agents(), {q: q for q in LISTING_ORDER}, WRAPUP)
    for known in KNOWN_AGENTS:
        iface = interface_of(known.code)
        queues = {q.name: q.members[iface] for q in model.queues.values() if iface in q.members}
        assert {s.group_slug: s.penalty for s in known.skills} == {
            name: member.penalty for name, member in queues.items()
        }
        assert {m.agent.name for m in queues.values()} == {known.name}
    sun_hui = interface_of("1011")
    assert sun_hui not in model.queues["letters"].members  # not one of her skills
    assert model.queues["member-hotline"].wrapuptime == 10
    assert model.queues["online-service"].wrapuptime == 5


def test_traffic_is_shared_by_staff_and_sized_below_the_floor_capacity() -> None:
    model = PbxModel(epoch=1_700_000_000)
    staff_floor(model, agents(), {q: q for q in LISTING_ORDER}, WRAPUP)
    traffic = busy_but_green(model, None)
    assert traffic.weights is not None
    assert abs(sum(traffic.weights.values()) - len(KNOWN_AGENTS)) < 1e-9
    assert traffic.weights["member-hotline"] > traffic.weights["documents"]
    # offered load (calls/s x talk) stays under the share of agents the target allows
    assert traffic.rate * traffic.talk_median_s < TARGET_OCCUPANCY * len(KNOWN_AGENTS)
    assert busy_but_green(model, 0.5).rate == 0.5
