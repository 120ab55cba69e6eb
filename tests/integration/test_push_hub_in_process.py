"""Push hub in process: the envelope and its parameters, sizing from settings, bad payloads, seq per
channel with replay and resync, slow subscribers cut off, disconnection by predicate."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from callcenter.adapters.push.hub import PushHub
from callcenter.adapters.push.protocol import (
    ProtocolError,
    agent_channel,
    close_code,
    decode,
    encode,
    parse_since,
)
from callcenter.settings import load_settings
from support.push_serving import STEP


def test_envelope_and_parameters() -> None:
    payload = {
        "caller": "李伟",
        "total": Decimal("9.90"),
        "at": date(2026, 11, 20),
        "tags": {"vip"},
    }
    text = encode("screen_pop", 3, "g1", payload)
    assert json.loads(text) == {
        "type": "screen_pop",
        "seq": 3,
        "gen": "g1",
        "caller": "李伟",
        "total": "9.90",
        "at": "2026-11-20",
        "tags": ["vip"],
    }
    assert "李伟" in text  # UTF-8 kept, not \u-escaped
    with pytest.raises(ProtocolError, match="reserved keys: seq"):
        encode("x", 1, "g", {"seq": 9})
    for bad in ("not json", "[1]", '{"seq": 1}', '{"type": "x", "seq": -1}', '{"type":"x"}'):
        with pytest.raises(ProtocolError):
            decode(bad)
    assert parse_since(None) is None
    assert parse_since("") is None
    assert parse_since(" 42 ") == 42
    for bad in ("-1", "1.5", "abc", "٣"):
        with pytest.raises(ProtocolError):
            parse_since(bad)
    assert agent_channel("1001") == "agent:1001"
    with pytest.raises(ProtocolError):
        agent_channel("")
    assert close_code("too_slow") == 1013
    assert close_code("revoked") == 1008


def test_hub_is_sized_from_settings() -> None:
    hub = PushHub.from_settings(load_settings(ws_backlog=42, ws_queue_size=7))
    assert (hub.backlog_size, hub.queue_size) == (42, 7)
    assert PushHub.from_settings(load_settings()).backlog_size == 500
    with pytest.raises(ValueError, match="at least 1"):
        PushHub(backlog=0)


async def test_bad_payload_is_refused_and_uses_no_seq() -> None:
    hub = PushHub(generation="g")
    assert hub.publish("wallboard", "wallboard", {"groups": []}) == 1
    with pytest.raises(ProtocolError):
        hub.publish("wallboard", "wallboard", {"type": "sneaky"})
    with pytest.raises(TypeError):
        hub.publish("wallboard", "wallboard", {"obj": object()})
    assert hub.publish("wallboard", "wallboard", {"groups": []}) == 2
    with pytest.raises(ProtocolError):
        hub.subscribe("wallboard", since=-1)


async def test_replay_resync_and_seq_per_channel_in_process() -> None:
    hub = PushHub(backlog=3, generation="g")
    for n in range(5):
        hub.publish("agent:1001", "call_update", {"n": n})
    hub.publish("agent:1002", "call_update", {"n": 0})
    assert (hub.current_seq("agent:1001"), hub.current_seq("agent:1002")) == (5, 1)

    async def first(sub: Any) -> dict[str, Any]:
        return decode(await asyncio.wait_for(sub.__anext__(), STEP))

    # backlog holds 3..5: since=2 is still exact, since=1 is not
    exact = hub.subscribe("agent:1001", since=2)
    assert [(await first(exact))["seq"] for _ in range(3)] == [3, 4, 5]
    for since, gen in ((1, None), (6, None), (5, "other-generation")):
        message = await first(hub.subscribe("agent:1001", since=since, generation=gen))
        assert (message["type"], message["seq"]) == ("resync", 5)
    current = hub.subscribe("agent:1001", since=5, generation="g")
    hub.publish("agent:1001", "call_update", {"n": 5})
    assert (await first(current))["seq"] == 6
    assert hub.stats.resyncs == 3


async def test_full_queue_cuts_off_only_that_subscriber() -> None:
    hub = PushHub(queue_size=2, generation="g")
    slow = hub.subscribe("wallboard")
    fast = hub.subscribe("wallboard")
    got: list[int] = []
    for _ in range(5):
        hub.publish("wallboard", "wallboard", {})  # never awaits, whoever is listening
        got.extend([decode(await fast.__anext__())["seq"]])
    assert got == [1, 2, 3, 4, 5]
    assert slow.close_reason == "too_slow"
    assert [m async for m in slow] == []  # unsent messages dropped: it will reconnect with since
    assert hub.stats.cut_off == 1
    assert hub.subscriber_count("wallboard") == 1


async def test_disconnect_by_predicate_and_close_channel() -> None:
    hub = PushHub(generation="g")
    revoked = hub.subscribe("agent:1001", token_id=7)
    other = hub.subscribe("agent:1002", token_id=8)
    wall = hub.subscribe("wallboard", token_id=9)
    hub.publish("agent:1001", "agent_state", {"state": "ringing"})
    assert hub.disconnect(lambda sub: sub.token_id == 7) == 1
    assert revoked.close_reason == "revoked"
    assert [m async for m in revoked] == []  # nothing more is delivered after revocation
    assert hub.close_channel("wallboard") == 1
    assert wall.close_reason == "closed"
    assert not other.closed
    other.close()
    other.close()  # closing twice is harmless
    assert hub.subscriber_count() == 0
