"""A wallboard fed the way CallTracking feeds it, for the wallboard service's tests: the groups and
agents of the seeded floor, every recorded trace read once into facts, and an injected clock."""

from __future__ import annotations

from typing import Any

from callcenter.adapters.ami.pipeline import AmiPipeline, RecordedClock
from callcenter.domain.agents.directory import AgentDirectory, KnownAgent
from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.routing.groups import Group
from callcenter.seeding.known import KNOWN_AGENTS
from callcenter.services.wallboard import WallboardService
from fakes import FakeNotifier
from support import TRACES

SLUGS = (
    "member-hotline",
    "online-service",
    "telemarketing",
    "letters",
    "documents",
    "finance",
    "data-maintenance",
)
GROUPS = [Group(s, s.title(), "组", s, str(8001 + i), 20, 80) for i, s in enumerate(SLUGS)]
FIGURES = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "answered_within_sl",
    "sl_percent",
    "sl2_percent",
    "asa_s",
    "aht_s",
    "abandon_rate",
    "fcr_percent",
)
DIRECTORY = AgentDirectory(
    KnownAgent(code=a.code, name=a.name, interface=a.interface, state_interface=a.state_interface)
    for a in KNOWN_AGENTS
)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Board:
    """A wallboard fed the way CallTracking feeds it: presence first, then the listener."""

    def __init__(self, now: float, **kw: Any) -> None:
        self.clock = Clock(now)
        self.notifier = FakeNotifier()
        self.presence = PresenceBoard()
        self.service = WallboardService(
            notifier=self.notifier,
            presence=self.presence,
            groups=GROUPS,
            wrapup_s={"member-hotline": 10.0},
            agent_code=lambda name: DIRECTORY.code_for(name, name),
            clock=self.clock,
            **kw,
        )

    def feed(self, facts: list[f.Fact]) -> None:
        for fact in facts:
            if isinstance(fact, f.AgentStateChanged):
                code = DIRECTORY.code_for(fact.interface, fact.member_name)
                assert code is not None
                self.presence.apply(fact, code)
            self.service.on_fact(fact)

    def group(self, slug: str) -> dict[str, Any]:
        return next(g for g in self.service.snapshot()["groups"] if g["slug"] == slug)

    def figures(self) -> dict[str, dict[str, Any]]:
        return {g["slug"]: {k: g[k] for k in FIGURES} for g in self.service.snapshot()["groups"]}


def trace_facts(name: str) -> list[f.Fact]:
    path = TRACES / f"{name}.ami"
    clock = RecordedClock.from_jsonl(path.with_suffix(".jsonl").read_text("utf-8").splitlines())
    pipeline = AmiPipeline(pbx=f"pbx-{name}", clock=clock)  # keeps the traces' Linkedids apart
    pipeline.feed_bytes(path.read_bytes())
    return pipeline.drain()


ALL = {p.stem: trace_facts(p.stem) for p in sorted(TRACES.glob("*.ami"))}
DAY_END = max(x.at for facts in ALL.values() for x in facts) + 60  # every trace is one afternoon


def ended(facts: list[f.Fact]) -> list[CallRecord]:
    return [x.record for x in facts if isinstance(x, f.CallEnded)]


def agent_fact(at: float, code: str, state: str, queues: tuple[str, ...], **kw: Any) -> f.Fact:
    return f.AgentStateChanged(
        pbx="pbx1",
        at=at,
        interface=f"Local/{code}@agents/n",
        member_name=None,
        state=state,
        reason=kw.get("reason"),
        queues=queues,
        paused_in=kw.get("paused_in", ()),
    )
