"""The wallboard service: live figures from facts, rebuild equality, agents by state, day roll-over,
and coalesced publishing (driven by an injected clock and sleep, never by wall time)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

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

SH = ZoneInfo("Asia/Shanghai")
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


def test_every_recorded_trace_gives_the_hand_counted_figures() -> None:
    board = Board(DAY_END)
    for facts in ALL.values():
        board.feed(facts)
    hotline, finance = board.group("member-hotline"), board.group("finance")
    # 15 calls entered the hotline (the overflowed and the transferred one among them); the
    # overflowed call ended in online-service and the transferred one in finance.
    assert (hotline["offered"], hotline["answered"], hotline["abandoned"]) == (15, 10, 3)
    # waits of the 10 answered: 3 2 19 2 4 3 11 26 22 2 -> 8 within 20 s
    assert (hotline["answered_within_sl"], hotline["sl_percent"]) == (8, 80.0)
    assert hotline["asa_s"] == 9.4
    assert (finance["offered"], finance["answered"], finance["abandoned"]) == (7, 1, 6)
    assert board.group("online-service")["answered"] == 7  # 6 own + the overflowed call
    assert board.group("telemarketing")["offered"] == 0  # the outbound call counts nowhere
    assert all(g["waiting"] == 0 for g in board.service.snapshot()["groups"])
    agents = {a["code"]: a for a in board.service.snapshot()["agents"]}
    assert agents["1001"]["answered"] == 7  # Wang Fang, by member name
    assert agents["1009"]["answered"] == 1  # Wu Xia took the transferred call


def test_restart_mid_day_rebuilt_figures_equal_live_ones() -> None:
    names = sorted(ALL)
    before, after = names[: len(names) // 2], names[len(names) // 2 :]
    live = Board(DAY_END)
    for name in names:
        live.feed(ALL[name])
    # The restarted process counts what was stored before it went down, then carries on live.
    restarted = Board(DAY_END)
    for name in before:
        for record in ended(ALL[name]):
            assert restarted.service.add_record(record)
    for name in after:
        restarted.feed(ALL[name])
    assert restarted.figures() == live.figures()
    assert live.figures()["member-hotline"]["offered"] == 15  # not an empty comparison


def test_waiting_now_longest_wait_and_calls_in_progress() -> None:
    t = datetime(2026, 11, 22, 10, 0, tzinfo=UTC).timestamp()
    board = Board(t + 30)
    offered = [
        f.CallOffered("pbx1", t, "a", "member-hotline", "+8613800138000", None),
        f.CallOffered("pbx1", t + 5, "b", "member-hotline", None, None),
    ]
    board.feed(offered)  # type: ignore[arg-type]
    hotline = board.group("member-hotline")
    assert (hotline["waiting"], hotline["longest_wait_s"], hotline["offered"]) == (2, 30.0, 2)
    assert hotline["answered"] == 0
    board.feed([f.CallAnswered("pbx1", t + 12, "a", "Wang Fang", "Local/1001@agents/n", "", 12.0)])
    hotline = board.group("member-hotline")
    assert (hotline["waiting"], hotline["longest_wait_s"], hotline["offered"]) == (1, 25.0, 2)
    record = CallRecord(
        pbx="pbx1",
        linkedid="a",
        direction="inbound",
        caller="+8613800138000",
        caller_name=None,
        queues=("member-hotline",),
        agent="Wang Fang",
        outcome="answered",
        wait_s=12.0,
        talk_s=8.0,
        ring_attempts=1,
        transferred=False,
        started_at=datetime.fromtimestamp(t, UTC),
        ended_at=datetime.fromtimestamp(t + 20, UTC),
    )
    board.feed([f.CallEnded("pbx1", t + 20, "a", record, None, None)])
    hotline = board.group("member-hotline")
    assert (hotline["offered"], hotline["answered"], hotline["waiting"]) == (2, 1, 1)
    assert hotline["aht_s"] == 18.0  # 8 s talk + the queue's 10 s wrap-up


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


def test_agents_by_state_per_group_with_time_in_state() -> None:
    t = datetime(2026, 11, 22, 10, 0, tzinfo=UTC).timestamp()
    board = Board(t + 100)
    both = ("member-hotline", "online-service")
    board.feed(
        [
            agent_fact(t, "1001", "available", ("member-hotline",)),
            agent_fact(t, "1002", "paused", ("member-hotline",), reason="Lunch break",
                       paused_in=("member-hotline",)),
            # paused in one queue only: paused there, available in the other
            agent_fact(t, "1003", "available", both, paused_in=("online-service",)),
            agent_fact(t, "1011", "available", ("member-hotline",)),
            agent_fact(t + 40, "1011", "logged_out", ()),
            agent_fact(t + 60, "1001", "on_call", ("member-hotline",)),
        ]
    )  # fmt: skip
    hotline, online = board.group("member-hotline"), board.group("online-service")
    assert hotline["agents"] == {
        "available": 1,
        "ringing": 0,
        "on_call": 1,
        "wrap_up": 0,
        "paused": 1,
        "logged_out": 1,  # still shown in the group it was last logged into
    }
    assert hotline["paused_by_reason"] == {"Lunch break": 1}
    assert (online["agents"]["paused"], online["agents"]["available"]) == (1, 0)
    assert online["paused_by_reason"] == {"No reason": 1}
    agents = {a["code"]: a for a in board.service.snapshot()["agents"]}
    assert agents["1001"]["state"] == "on_call"
    assert agents["1001"]["time_in_state_s"] == 40.0
    assert agents["1002"]["reason"] == "Lunch break"


def test_day_rolls_over_at_the_configured_hour() -> None:
    # business day starts 06:00 Shanghai; it is 05:59:30 on 23 Nov, still the 22nd's day
    start = datetime(2026, 11, 23, 5, 59, 30, tzinfo=SH).timestamp()
    board = Board(start, day_start_hour=6)
    assert board.service.day.isoformat() == "2026-11-22"
    records = ended(ALL["answered_caller_hangs_up"])
    late = [replace(r, started_at=datetime.fromtimestamp(start - 60, UTC)) for r in records]
    assert board.service.add_record(late[0])
    board.feed([f.CallOffered("pbx1", start + 20, "w", "finance", None, None)])
    assert board.group("member-hotline")["answered"] == 1
    board.clock.now = start + 31  # 06:00:01
    snap = board.service.snapshot()
    assert snap["day"] == "2026-11-23"
    hotline, finance = board.group("member-hotline"), board.group("finance")
    assert (hotline["offered"], hotline["answered"]) == (0, 0)
    # the caller offered before 06:00 still waits, but was offered in yesterday's figures
    assert (finance["waiting"], finance["offered"]) == (1, 0)
    assert not board.service.add_record(late[0])  # a call of yesterday never lands in today


def test_disposition_counts_towards_fcr() -> None:
    board = Board(DAY_END)
    board.feed(ALL["answered_caller_hangs_up"])
    assert board.group("member-hotline")["fcr_percent"] is None
    (record,) = ended(ALL["answered_caller_hangs_up"])
    assert board.service.on_disposition(
        pbx=record.pbx, linkedid=record.linkedid, code="order_status", settled=True
    )
    assert board.group("member-hotline")["fcr_percent"] == 100.0
    assert not board.service.on_disposition(pbx="x", linkedid="y", code="other", settled=False)


def test_many_facts_give_one_message_and_nothing_changed_gives_none() -> None:
    board = Board(DAY_END)
    board.feed(ALL["concurrent_burst"])  # 120 facts
    assert board.notifier.sent == []  # nothing is sent from on_fact itself
    assert board.service.flush()
    assert not board.service.flush()
    assert len(board.notifier.sent) == 1
    channel, type_, payload = board.notifier.sent[0]
    assert (channel, type_) == ("wallboard", "wallboard")
    assert payload["day"] == "2026-11-22" and payload["timezone"] == "Asia/Shanghai"
    assert next(g for g in payload["groups"] if g["slug"] == "member-hotline")["offered"] == 8
    board.feed(ALL["abandoned_in_queue"])
    assert board.service.flush()
    assert len(board.notifier.sent) == 2


async def test_publisher_sends_at_most_one_message_per_interval() -> None:
    board = Board(DAY_END)
    gate = asyncio.Event()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await gate.wait()  # the test decides when the interval is over
        gate.clear()
        board.clock.now += seconds

    board.service = WallboardService(
        notifier=board.notifier,
        presence=board.presence,
        groups=GROUPS,
        clock=board.clock,
        sleep=sleep,
    )
    board.service.start()
    try:
        board.feed(ALL["answered_caller_hangs_up"])
        while not board.notifier.sent:  # the first change goes out at once
            await asyncio.sleep(0)
        board.feed(ALL["concurrent_burst"])
        while not slept:  # the publisher now waits out the rest of the interval
            await asyncio.sleep(0)
        board.feed(ALL["abandoned_in_queue"])
        for _ in range(20):
            await asyncio.sleep(0)
        assert len(board.notifier.sent) == 1
        assert slept == [1.0]
        gate.set()
        while len(board.notifier.sent) < 2:
            await asyncio.sleep(0)
        last = board.notifier.sent[-1][2]
        finance = next(g for g in last["groups"] if g["slug"] == "finance")
        assert finance["abandoned"] == 6  # both batches in the one coalesced message
    finally:
        await board.service.aclose()
    assert len(board.notifier.sent) == 2
