"""The demo's simulated floor as the database has it, and traffic sized to keep it busy but green.

The simulated agents are the database's agents (names, and one dynamic membership per skill with
penalty 10 - level), the queues' wrap-up times are the backend's `QUEUE_WRAPUP_S` (as queues.conf's
`wrapuptime`), and calls arrive at each queue in proportion to the agents who can take them.
"""

from __future__ import annotations

from collections.abc import Mapping

from callcenter.domain.agents.records import Agent
from callcenter.sim.generator import Traffic
from callcenter.sim.model import Member, PbxModel, interface_of

TARGET_OCCUPANCY = 0.7  # share of the staffed time agents spend on calls (incl. wrap-up)
TALK_MEDIAN_S = 30.0
TALK_SIGMA = 0.6
RING_AND_MISS_S = 6.0  # average ringing, including the odd agent who lets it ring


async def database_agents(url: str, count: int) -> tuple[list[Agent], dict[str, str]]:
    """The first `count` active agents by code, and group slug -> queue."""
    from callcenter.bootstrap import open_database

    async with open_database(url) as db, db.uow() as uow:
        agents = await uow.agents.list_all(active_only=True)
        queues = {g.slug: g.queue for g in await uow.groups.list_all()}
    return sorted(agents, key=lambda a: a.code)[:count], queues


def staff_floor(
    model: PbxModel, agents: list[Agent], queues: Mapping[str, str], wrapup_s: Mapping[str, float]
) -> None:
    """Replace the simulator's default members with the database's agents and their skills."""
    for queue in model.queues.values():
        queue.members.clear()
        queue.wrapuptime = int(wrapup_s.get(queue.name, queue.wrapuptime))
    for agent in agents:
        sim_agent = model.agent(interface_of(agent.code), agent.name, f"Custom:agent{agent.code}")
        sim_agent.name = agent.name
        for skill in agent.skills:
            skilled = model.queues.get(queues.get(skill.group_slug, skill.group_slug))
            if skilled is not None:
                skilled.members[sim_agent.interface] = Member(
                    agent=sim_agent, penalty=skill.penalty, login_time=model.epoch
                )


def busy_but_green(model: PbxModel, rate: float | None) -> Traffic:
    """Traffic for this floor: each queue's share follows its staff (a shared agent counts
    for each queue in part); the rate keeps agents about TARGET_OCCUPANCY busy unless given."""
    share: dict[str, float] = {}
    for queue in model.queues.values():
        for member in queue.members.values():
            skills = sum(1 for q in model.queues.values() if member.agent.interface in q.members)
            share[queue.name] = share.get(queue.name, 0.0) + 1.0 / skills
    agents = sum(share.values())
    talk_mean = TALK_MEDIAN_S * 2.718281828 ** (TALK_SIGMA**2 / 2)
    wrap = sum(q.wrapuptime * share.get(q.name, 0.0) for q in model.queues.values())
    handle = talk_mean + RING_AND_MISS_S + (wrap / agents if agents else 0.0)
    sized = TARGET_OCCUPANCY * agents / handle if agents else 0.1
    return Traffic(
        rate=rate or round(sized, 3),
        queues=[q for q in share if share[q] > 0],
        talk_median_s=TALK_MEDIAN_S,
        talk_sigma=TALK_SIGMA,
        weights=share,
    )
