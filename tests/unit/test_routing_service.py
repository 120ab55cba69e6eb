"""RoutingService: caller parsing, deadline fallback, failing ports, callbacks, call memory."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from callcenter.domain.routing.inputs import CustomerSnapshot, GroupStaff, LiveAgents
from callcenter.services.routing import RoutingService, load_rules
from callcenter.services.routing_sources import InMemorySnapshots

RULES = load_rules(None)
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SUNDAY_10 = datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LI_WEI = CustomerSnapshot(customer_id=7, segment="senior", name="Li Wei")


class NeverAnswers:
    """A database that hangs: the call must not wait for it."""

    def __init__(self) -> None:
        self.cancelled = False

    async def snapshot_for(self, e164: str) -> CustomerSnapshot | None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        return None


class Broken:
    async def snapshot_for(self, e164: str) -> CustomerSnapshot | None:
        raise ConnectionRefusedError("database down")


class Presence:
    def __init__(self, live: LiveAgents | None = None, fail: bool = False) -> None:
        self.live = live or {}
        self.fail = fail

    async def live_agents(self) -> LiveAgents:
        if self.fail:
            raise RuntimeError("AMI listener not connected")
        return self.live


class Callbacks:
    def __init__(self) -> None:
        self.items: list[dict[str, object]] = []

    async def request_callback(
        self, *, group: str, caller: str | None, did: str | None, reason: str, at: datetime
    ) -> None:
        self.items.append({"group": group, "caller": caller, "did": did, "reason": reason})


def service(snapshots: object = None, **kw: object) -> RoutingService:
    source = snapshots or InMemorySnapshots({"+8613800138000": LI_WEI})
    return RoutingService(rules=RULES, snapshots=source, deadline_s=0.05, **kw)  # type: ignore[arg-type]


async def test_raw_caller_shapes_are_normalized_before_lookup() -> None:
    svc = service(presence=Presence({"member-hotline": GroupStaff(frozenset({"1001"}))}))
    for raw in ("+8613800138000", "008613800138000", "+86 138-0013-8000", "8613800138000"):
        decision = await svc.route(caller_raw=raw, did="8001", menu=None, now=MONDAY_10)
        assert (decision.customer_id, decision.segment) == (7, "senior"), raw
        assert decision.preferred_agent == "1001"
    assert svc.stats.routed == 4
    assert svc.stats.fallbacks == 0


async def test_withheld_and_garbage_callers_are_unknown_callers() -> None:
    svc = service()
    for raw in (None, "", "anonymous", "<unknown>", "8002", "\x00\xff junk", "9" * 400):
        decision = await svc.route(caller_raw=raw, did="8002", menu=None, now=MONDAY_10)
        assert decision.queue == "online-service", raw
        assert decision.customer_id is None
        assert decision.reason == "new caller"


async def test_snapshot_source_that_never_answers_gives_the_did_queue_as_fallback() -> None:
    slow = NeverAnswers()
    svc = service(slow)
    decision = await svc.route(caller_raw="+8613800138000", did="8006", menu=None, now=MONDAY_10)
    assert decision.queue == "finance"
    assert decision.reason == "fallback"
    assert decision.customer_id is None
    assert "not ready" in decision.trace[0].detail
    # The lookup gave up with a fifth of the deadline left for sending the fallback.
    assert "not ready in 0.040 s (deadline 0.050 s" in decision.trace[0].detail
    assert slow.cancelled  # the abandoned lookup does not linger
    assert svc.stats.fallbacks == 1


async def test_failing_snapshot_source_gives_fallback_and_is_counted() -> None:
    svc = service(Broken())
    first = await svc.route(caller_raw="+8613800138000", did="8001", menu="3", now=MONDAY_10)
    assert (first.queue, first.reason) == ("member-hotline", "fallback")
    assert "ConnectionRefusedError" in first.trace[0].detail
    await svc.route(caller_raw="+8613800138000", did="8002", menu=None, now=MONDAY_10)
    assert svc.stats.fallbacks == 2


async def test_no_lookup_is_needed_for_a_withheld_caller_even_if_database_hangs() -> None:
    svc = service(NeverAnswers())
    decision = await svc.route(caller_raw="anonymous", did="8001", menu=None, now=MONDAY_10)
    assert decision.reason == "new caller"
    assert svc.stats.fallbacks == 0


async def test_failing_presence_routes_without_preferred_agents() -> None:
    svc = service(presence=Presence(fail=True))
    decision = await svc.route(caller_raw="+8613800138000", did="8001", menu=None, now=MONDAY_10)
    assert (decision.customer_id, decision.priority) == (7, 60)
    assert decision.preferred_agent is None
    assert svc.stats.fallbacks == 0


async def test_out_of_hours_call_becomes_a_work_item_for_letters() -> None:
    sink = Callbacks()
    svc = service(callbacks=sink)
    decision = await svc.route(caller_raw="+8613800138000", did="8006", menu=None, now=SUNDAY_10)
    await svc.aclose()
    assert decision.action == "callback"
    assert sink.items == [
        {
            "group": "letters",
            "caller": "+8613800138000",
            "did": "8006",
            "reason": "outside hours (senior member)",
        }
    ]
    assert svc.stats.callbacks == 1


async def test_decisions_are_remembered_per_call_and_the_oldest_forgotten() -> None:
    svc = service(remember=2)
    for call_id, did in (("1795343813.0", "8001"), ("1795343814.0", "8002"), ("c3", "8006")):
        await svc.route(
            caller_raw="+8613800138000", did=did, menu=None, now=MONDAY_10, call_id=call_id
        )
    assert svc.decision_for("1795343813.0") is None
    kept = svc.decision_for("1795343814.0")
    assert kept is not None
    assert kept.queue == "online-service"
    assert svc.decision_for("c3") is not None
    assert svc.decision_for("never-seen") is None


class SlowCallbacks(Callbacks):
    """A sink whose writes take a while; notes how many ran at once."""

    def __init__(self) -> None:
        super().__init__()
        self.running = 0
        self.most_at_once = 0

    async def request_callback(self, **kw: object) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        await asyncio.sleep(0.001)
        await super().request_callback(**kw)  # type: ignore[arg-type]
        self.running -= 1


async def test_a_burst_of_out_of_hours_calls_is_answered_before_its_callbacks_are_filed() -> None:
    """Figure: 50 out-of-hours calls at once -> 50 callback answers while at most one callback
    is being written; all 50 filed, in order, by aclose; none dropped."""
    sink = SlowCallbacks()
    svc = service(callbacks=sink)
    callers = [f"+86139{i:08d}" for i in range(50)]
    decisions = await asyncio.gather(
        *(svc.route(caller_raw=c, did="8006", menu=None, now=SUNDAY_10) for c in callers)
    )
    assert [d.action for d in decisions] == ["callback"] * 50
    assert len(sink.items) < 50  # the answers did not wait for the work items
    await svc.aclose()
    assert [i["caller"] for i in sink.items] == callers
    assert sink.most_at_once == 1
    assert svc.stats.callbacks_dropped == 0


async def test_callback_requests_over_the_bound_are_counted_not_silently_lost() -> None:
    """Figure: the callback store hangs while 6 out-of-hours calls are routed with room for 3
    waiting -> every route is answered at once, 2 or 3 requests (the writer may already hold
    one) are counted as dropped, and the rest are written once the store answers."""

    class Hangs(Callbacks):
        def __init__(self) -> None:
            super().__init__()
            self.answer = asyncio.Event()

        async def request_callback(self, **kw: object) -> None:
            await self.answer.wait()
            await super().request_callback(**kw)  # type: ignore[arg-type]

    sink = Hangs()
    svc = service(callbacks=sink, max_callbacks_waiting=3)
    for i in range(6):
        decision = await svc.route(
            caller_raw=f"+86139{i:08d}", did="8006", menu=None, now=SUNDAY_10
        )
        assert decision.callback_group is not None
    assert svc.stats.callbacks_dropped in (2, 3)
    sink.answer.set()
    await svc.aclose()
    assert len(sink.items) + svc.stats.callbacks_dropped == 6


async def test_warm_up_walks_the_lookup_once_counts_nothing_and_never_hangs() -> None:
    asked: list[str] = []

    class Counting(InMemorySnapshots):
        async def snapshot_for(self, e164: str) -> CustomerSnapshot | None:
            asked.append(e164)
            return await super().snapshot_for(e164)

    source = Counting({})
    svc = service(source)
    await svc.warm_up()
    assert asked == ["+8613800138000"]
    assert (svc.stats.routed, svc.stats.fallbacks, svc.stats.shed) == (0, 0, 0)
    hung = service(NeverAnswers())
    await hung.warm_up(timeout_s=0.01)  # a database that never answers does not hold start-up
    assert hung.stats.routed == 0


class Stalls:
    """A database that hangs until released, then answers."""

    def __init__(self) -> None:
        self.released = asyncio.Event()
        self.started = 0

    async def snapshot_for(self, e164: str) -> CustomerSnapshot | None:
        self.started += 1
        await self.released.wait()
        return LI_WEI


async def test_during_a_stall_only_the_first_call_waits_and_data_returns_with_the_database() -> (
    None
):
    stalled = Stalls()
    svc = service(stalled)
    loop = asyncio.get_running_loop()
    first = await svc.route(caller_raw="+8613800138000", did="8006", menu=None, now=MONDAY_10)
    assert "not ready" in first.trace[0].detail
    took = []
    for _ in range(5):
        started = loop.time()
        later = await svc.route(caller_raw="+8613800138000", did="8006", menu=None, now=MONDAY_10)
        took.append(loop.time() - started)
        assert (later.queue, later.reason, later.customer_id) == ("finance", "fallback", None)
        assert "unavailable" in later.trace[0].detail
    # answered without waiting for the database: far inside the deadline (0.05 s)
    assert max(took) < 0.02, took
    await asyncio.sleep(0.01)
    assert stalled.started == 2  # the first call's lookup, then one in the background, not six
    assert svc.stats.fallbacks == 6
    stalled.released.set()
    async with asyncio.timeout(5):
        while (await svc.route(caller_raw="+8613800138000", did="8006", menu=None, now=MONDAY_10)
               ).customer_id is None:  # fmt: skip
            await asyncio.sleep(0.01)
    await svc.aclose()
