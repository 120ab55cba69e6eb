"""Push frames as the desktop parses them: same JSON as before the C encoder, encoded once."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from callcenter.adapters.push.hub import PushHub
from callcenter.adapters.push.protocol import Template, decode, encode

PAYLOAD: dict[str, Any] = {
    "call": {"caller": "+8613800138000", "caller_name": '李伟 "VIP" \\ \u2028', "waited_s": 4.25},
    "caller": {"id": 7, "tags": ["金卡"], "balance": Decimal("12.50"), "flags": {"x"}},
    "ringing_since": datetime(2026, 12, 1, 2, 0, 4, 120, tzinfo=UTC),
    "birthday": date(1990, 5, 17),
    "by_hour": {9: 3, 10: 0},
    "small": 1e-05,
    "big": 12345678901234,
    "none": None,
    "ok": True,
}


def _as_json_module_encodes(seq: int, gen: str) -> dict[str, Any]:
    reference = {"type": "screen_pop", "seq": seq, "gen": gen, **PAYLOAD}
    text = json.dumps(reference, ensure_ascii=False, default=_stdlib_default)
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def _stdlib_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set):
        return list(value)
    raise TypeError(value)


def test_a_frame_parses_to_what_the_json_module_would_have_sent() -> None:
    text = encode("screen_pop", 3, "g1", PAYLOAD)
    assert json.loads(text) == _as_json_module_encodes(3, "g1")
    assert "李伟" in text and text.startswith('{"type":"screen_pop","seq":3,"gen":"g1",')
    assert list(json.loads(text))[:3] == ["type", "seq", "gen"]


def test_the_template_gives_the_same_text_for_any_seq_and_generation() -> None:
    template = Template.of("screen_pop", PAYLOAD)
    for seq, gen in ((1, "g1"), (250, 'odd"gen'), (7, "g1")):
        assert template.text(seq, gen) == encode("screen_pop", seq, gen, PAYLOAD)
        assert decode(template.text(seq, gen))["seq"] == seq


def test_numbers_json_cannot_carry_become_null_instead_of_breaking_the_client() -> None:
    message = json.loads(encode("wallboard", 1, "g", {"sla": float("nan"), "asa": float("inf")}))
    assert message["sla"] is None and message["asa"] is None


async def test_text_that_is_not_unicode_is_refused_at_publish_and_uses_no_seq() -> None:
    hub = PushHub(generation="g1")
    sub = hub.subscribe("agent:1001")
    with pytest.raises(TypeError):
        hub.publish("agent:1001", "screen_pop", {"caller_name": "bad \ud800 half"})
    assert hub.current_seq("agent:1001") == 0
    assert hub.publish("agent:1001", "screen_pop", {"caller_name": "李伟"}) == 1
    async with asyncio.timeout(1):
        assert json.loads(await anext(sub))["caller_name"] == "李伟"
