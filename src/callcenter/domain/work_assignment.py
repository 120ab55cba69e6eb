"""Which agent is offered which work item: one agent at a time, by skill, priority and age.

Pure: the offering service hands in the open items and the floor as it is now, and gets back
the offers to make. Two channels share an agent: `voice` (callbacks, and the phone itself) and
`work` (back-office items: letters, slips, mail, SMS, web forms, data changes). Each group says
how many of each an agent may hold at once and whether it blends them; an agent holding work
of a group that does not blend is kept out of voice (paused with reason `back-office`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

VOICE = "voice"
WORK = "work"
BACK_OFFICE = "back-office"  # the pause reason Asterisk logs while an agent does back-office work
OFFERABLE = frozenset({"new"})  # triage items wait for a person to fix them first
HELD = frozenset({"offered", "accepted", "in_progress"})
FAR_FUTURE = float("inf")


def channel_of(kind: str) -> str:
    """A callback takes the agent's phone; every other kind is back-office work."""
    return VOICE if kind == "callback" else WORK


@dataclass(frozen=True, slots=True)
class Capacity:
    """Per agent, in one group: voice items, back-office items, and whether both run at once."""

    voice: int = 1
    work: int = 3
    blend: bool = False


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An item waiting for an agent; times are epoch seconds."""

    id: int
    group: str
    kind: str
    priority: int
    created_at: float
    due_at: float | None = None
    declined: frozenset[str] = frozenset()  # agents who rejected it or let the offer time out
    not_before: float = 0.0  # a callback's next attempt
    preferred: str | None = None  # the sticky agent the router named: offered first if free

    def sort_key(self) -> tuple[int, float, float, int]:
        """Higher priority first, then the soonest due, then the oldest."""
        due = FAR_FUTURE if self.due_at is None else self.due_at
        return (-self.priority, due, self.created_at, self.id)


@dataclass(slots=True)
class AgentLoad:
    """One agent as the policy sees it: skills, whether reachable, what they hold now."""

    code: str
    skills: Mapping[str, int]  # group -> level 1..10
    ready: bool = True  # logged in and not paused for a reason of their own
    on_phone: bool = False  # ringing, on a call or in wrap-up
    voice: int = 0  # callbacks held (offered, accepted, in progress)
    work: int = 0  # back-office items held
    unblended_work: int = 0  # ... of which in groups that do not blend
    idle_since: float = 0.0

    def room_for(self, channel: str, cap: Capacity) -> bool:
        """Whether one more item of this channel fits, under the item's group's capacity."""
        if not self.ready:
            return False
        if channel == VOICE:
            busy_elsewhere = self.unblended_work > 0 or (self.work > 0 and not cap.blend)
            return not self.on_phone and self.voice < cap.voice and not busy_elsewhere
        on_voice = self.on_phone or self.voice > 0
        return self.work < cap.work and (cap.blend or not on_voice)

    def take(self, channel: str, cap: Capacity, now: float) -> None:
        """Count one more item held."""
        if channel == VOICE:
            self.voice += 1
        else:
            self.work += 1
            self.unblended_work += 0 if cap.blend else 1
        self.idle_since = now


@dataclass(frozen=True, slots=True)
class Offer:
    """Offer item `item_id` to agent `agent`."""

    item_id: int
    agent: str


@dataclass
class Floor:
    """The agents by group (best level first), built once per pass and reused per decision."""

    agents: dict[str, AgentLoad]
    by_group: dict[str, list[AgentLoad]] = field(default_factory=dict)

    @classmethod
    def of(cls, agents: Iterable[AgentLoad]) -> Floor:
        """Index the agents by each group they have a skill in."""
        known = {a.code: a for a in agents}
        by_group: dict[str, list[AgentLoad]] = {}
        for agent in known.values():
            for group in agent.skills:
                by_group.setdefault(group, []).append(agent)
        for group, members in by_group.items():
            members.sort(key=lambda a, g=group: (-a.skills[g], a.code))  # type: ignore[misc]
        return cls(agents=known, by_group=by_group)


def choose(
    item: OpenItem, floor: Floor, capacity: Capacity, *, exclude: str | None = None
) -> AgentLoad | None:
    """The agent to offer `item` to: skilled in its group, with room, not declined before.

    The item's preferred agent first when they qualify; else best skill level first; among
    equals the least loaded, then the longest idle, then by code.
    """
    channel = channel_of(item.kind)
    sticky = floor.agents.get(item.preferred) if item.preferred else None
    if (
        sticky is not None
        and item.group in sticky.skills
        and sticky.code != exclude
        and sticky.code not in item.declined
        and sticky.room_for(channel, capacity)
    ):
        return sticky
    best: AgentLoad | None = None
    best_key: tuple[int, float, str] | None = None
    for agent in floor.by_group.get(item.group, ()):
        if best is not None and agent.skills[item.group] < best.skills[item.group]:
            break  # sorted by level: nobody further down can beat the one found
        if agent.code == exclude or agent.code in item.declined:
            continue
        if not agent.room_for(channel, capacity):
            continue
        key = (agent.voice + agent.work, agent.idle_since, agent.code)
        if best_key is None or key < best_key:
            best, best_key = agent, key
    return best


def plan(
    items: Sequence[OpenItem],
    floor: Floor,
    capacities: Mapping[str, Capacity],
    *,
    now: float,
    default: Capacity = Capacity(),
) -> list[Offer]:
    """Offers for the waiting items, most urgent first; each item to one agent, within capacity.

    `floor` is updated as offers are made (an offer holds a place like an accepted item).
    Items whose `not_before` lies ahead are skipped.
    """
    offers: list[Offer] = []
    for item in sorted(items, key=OpenItem.sort_key):
        if item.not_before > now:
            continue
        capacity = capacities.get(item.group, default)
        agent = choose(item, floor, capacity)
        if agent is None:
            continue
        agent.take(channel_of(item.kind), capacity, now)
        offers.append(Offer(item.id, agent.code))
    return offers


def groups_with_room(
    floor: Floor, capacities: Mapping[str, Capacity], default: Capacity = Capacity()
) -> set[str]:
    """The groups where some agent has room for an item of either channel: only their items
    can be offered this pass (a backlog in a group nobody can take is not sorted every pass)."""
    found = set()
    for group, members in floor.by_group.items():
        cap = capacities.get(group, default)
        if any(a.room_for(VOICE, cap) or a.room_for(WORK, cap) for a in members):
            found.add(group)
    return found


def keeps_voice_paused(held_work_groups: Iterable[str], capacities: Mapping[str, Capacity]) -> bool:
    """Whether an agent holding back-office work in these groups stays out of the voice queues."""
    return any(not capacities.get(g, Capacity()).blend for g in held_work_groups)


def reservation_over(expires_at: float, now: float) -> bool:
    """An offer not answered by its deadline goes to the next agent."""
    return now >= expires_at
