"""The hook keeps time for writing its answer: more when the event loop's turns are long.

A lookup that runs out of time falls back early enough for the answer to be written within the
deadline. When the loop's recent turns are long (a reconnect storm, a restart) the answer waits
about a turn to be written, so the lookup gets less of the deadline, or none (fallback at once).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from callcenter.domain.routing.inputs import CustomerSnapshot
from callcenter.services.routing import RoutingService, load_rules

RULES = load_rules(None)
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LI_WEI = CustomerSnapshot(customer_id=7, segment="senior", name="Li Wei")


class TakesFiftyMs:
    async def snapshot_for(self, e164: str) -> CustomerSnapshot | None:
        await asyncio.sleep(0.05)
        return LI_WEI


def _router(lag_s: float | None) -> RoutingService:
    return RoutingService(
        rules=RULES,
        snapshots=TakesFiftyMs(),
        deadline_s=0.15,
        loop_lag=None if lag_s is None else (lambda: lag_s),
    )


async def _route(router: RoutingService) -> str:
    decision = await router.route(caller_raw="+8613800138000", did="8001", menu=None, now=MONDAY_10)
    return f"{decision.reason}|{decision.customer_id}"


async def test_a_quiet_loop_keeps_a_fifth_of_the_deadline_for_the_answer() -> None:
    """Figure: 150 ms deadline, turns of 5 ms, a 50 ms lookup -> the customer is used (120 ms
    given to the lookup, as with no loop figure at all)."""
    for router in (_router(0.005), _router(None)):
        assert (await _route(router)).endswith("|7")
        assert router.stats.fallbacks == 0


async def test_long_turns_take_from_the_lookups_time_and_it_falls_back_in_time() -> None:
    """Figure: turns of 55 ms -> 110 ms kept for the answer, the 50 ms lookup gets 40 ms and
    the call falls back ('not ready in 0.040 s'), counted as a fallback, not shed."""
    router = _router(0.055)
    answer = await _route(router)
    assert answer.startswith("fallback|")
    assert router.stats.fallbacks == 1 and router.stats.shed == 0


async def test_turns_too_long_for_any_lookup_answer_the_fallback_at_once() -> None:
    """Figure: turns of 70 ms -> 140 ms kept, 10 ms left (under a fifth of the deadline): the
    fallback at once, counted as shed; the source is never asked."""
    router = _router(0.07)
    answer = await _route(router)
    assert answer.startswith("fallback|")
    assert router.stats.shed == 1


async def test_the_reserve_never_exceeds_the_deadline() -> None:
    """Figure: a loop away for 2 s -> shed at once, no negative waits, no error."""
    router = _router(2.0)
    assert (await _route(router)).startswith("fallback|")
    assert router.stats.shed == 1
