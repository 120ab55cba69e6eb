"""The typed pushed messages on the wire: the JSON the desktop and wallboard pages read."""

from __future__ import annotations

import asyncio
import json

from callcenter.adapters.push.hub import PushHub, Subscription
from callcenter.adapters.push.notifier import HubNotifier
from callcenter.ports.push import (
    AgentState,
    CallEndedOnDesk,
    CallUpdate,
    PoppedCall,
    ScreenPop,
    WallboardFigures,
)

CALL = PoppedCall(
    linkedid="1733.7",
    pbx="pbx1",
    caller="+8613800138000",
    caller_name="李伟",
    queue="member-hotline",
    waited_s=4.2,
    ringing_since="2026-12-01T02:00:04+00:00",
    routing_reason="vip",
    priority="5",
)


async def texts(subscription: Subscription, count: int) -> list[str]:
    async with asyncio.timeout(1):
        return [await anext(subscription) for _ in range(count)]


async def test_each_message_type_goes_out_with_the_documented_keys_in_order() -> None:
    hub = PushHub(generation="g1")
    notifier = HubNotifier(hub)
    desk_sub, board_sub = hub.subscribe("agent:1001"), hub.subscribe("wallboard")
    pending = {"status": "pending", "e164": "+8613800138000", "candidates": []}
    notifier.screen_pop(
        "1001", ScreenPop(CALL, False, pending, None, "customer record unavailable")
    )
    notifier.call_update("1001", CallUpdate("answered", "1733.7", "pbx1"))
    notifier.call_update(
        "1001",
        CallUpdate("ended", "1733.7", "pbx1", CallEndedOnDesk("answered", 61.5, 42, True)),
    )
    notifier.agent_state(
        "1001", AgentState("1001", "paused", "lunch", ("member-hotline",), ("member-hotline",), 9.5)
    )
    notifier.wallboard(WallboardFigures({"day": "2026-12-01", "groups": []}))
    desk = [json.loads(t) for t in await texts(desk_sub, 4)]
    assert [list(m) for m in desk] == [
        ["type", "seq", "gen", "state", "call", "complete", "caller", "bundle", "error"],
        ["type", "seq", "gen", "state", "linkedid", "pbx"],
        ["type", "seq", "gen", "state", "linkedid", "pbx", "outcome", "talk_s", "customer_id",
         "disposition_required"],
        ["type", "seq", "gen", "agent", "state", "reason", "queues", "paused_in", "since"],
    ]  # fmt: skip
    assert list(desk[0]["call"]) == [
        "linkedid", "pbx", "caller", "caller_name", "queue", "waited_s", "ringing_since",
        "routing_reason", "priority", "direction",
    ]  # fmt: skip
    assert desk[0]["call"]["caller_name"] == "李伟" and desk[0]["caller"] == pending
    assert desk[2]["customer_id"] == 42 and desk[2]["disposition_required"] is True
    assert desk[3]["queues"] == ["member-hotline"]
    (board,) = [json.loads(t) for t in await texts(board_sub, 1)]
    assert board == {"type": "wallboard", "seq": 1, "gen": "g1", "day": "2026-12-01", "groups": []}


async def test_a_complete_pop_has_no_error_key() -> None:
    hub = PushHub(generation="g1")
    desk = hub.subscribe("agent:1001")
    found = {"status": "matched", "e164": "+8613800138000", "candidates": []}
    HubNotifier(hub).screen_pop("1001", ScreenPop(CALL, True, found, {"profile": {}}))
    (text,) = await texts(desk, 1)
    assert "error" not in json.loads(text) and '"李伟"' in text  # UTF-8 kept, not \\u-escaped
