"""Push message envelope: JSON text `{"type": ..., "seq": N, "gen": ..., ...payload}`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

import orjson

from callcenter.ports.push import (
    AgentState,
    CallUpdate,
    ScreenPop,
    WallboardFigures,
    WorkOffered,
    WorkUpdate,
)

RESYNC = "resync"
WALLBOARD = "wallboard"
RESERVED_KEYS: frozenset[str] = frozenset({"type", "seq", "gen"})

# Why a subscription ended -> websocket close code the route should send.
CLOSE_CODES: dict[str, int] = {
    "closed": 1000,  # the channel was closed on purpose
    "shutdown": 1001,  # going away
    "revoked": 1008,  # policy violation: the token is no longer valid
    "too_slow": 1013,  # try again later: reconnect with `since` to catch up
}


class ProtocolError(ValueError):
    """A message or parameter that does not follow the push protocol."""


def agent_channel(agent_code: str) -> str:
    """The channel an agent's desktop listens on."""
    if not agent_code or any(ch.isspace() for ch in agent_code):
        raise ProtocolError(f"bad agent code {agent_code!r}")
    return f"agent:{agent_code}"


def screen_pop_payload(message: ScreenPop) -> dict[str, Any]:
    """The `screen_pop` message's payload (contracts: state, call, complete, caller, bundle)."""
    call = message.call
    payload: dict[str, Any] = {
        "state": "ringing",
        "call": {
            "linkedid": call.linkedid,
            "pbx": call.pbx,
            "caller": call.caller,
            "caller_name": call.caller_name,
            "queue": call.queue,
            "waited_s": call.waited_s,
            "ringing_since": call.ringing_since,
            "routing_reason": call.routing_reason,
            "priority": call.priority,
            "direction": call.direction,
        },
        "complete": message.complete,
        "caller": message.caller,
        "bundle": message.bundle,
    }
    if message.error:
        payload["error"] = message.error
    if message.campaign is not None:
        payload["campaign"] = dict(message.campaign)
    return payload


def call_update_payload(message: CallUpdate) -> dict[str, Any]:
    """The `call_update` message's payload; an ended call also says how it ended."""
    payload: dict[str, Any] = {
        "state": message.state,
        "linkedid": message.linkedid,
        "pbx": message.pbx,
    }
    if message.ended is not None:
        payload["outcome"] = message.ended.outcome
        payload["talk_s"] = message.ended.talk_s
        payload["customer_id"] = message.ended.customer_id
        payload["disposition_required"] = message.ended.disposition_required
    return payload


def agent_state_payload(message: AgentState) -> dict[str, Any]:
    """The `agent_state` message's payload."""
    return {
        "agent": message.agent,
        "state": message.state,
        "reason": message.reason,
        "queues": list(message.queues),
        "paused_in": list(message.paused_in),
        "since": message.since,
    }


def wallboard_payload(message: WallboardFigures) -> Mapping[str, Any]:
    """The `wallboard` message's payload: the snapshot as it is."""
    return message.figures


def work_offer_payload(message: WorkOffered) -> dict[str, Any]:
    """The `work_offer` message's payload: the item, and until when it is reserved."""
    return {
        "item_id": message.item_id,
        "kind": message.kind,
        "group": message.group,
        "customer_id": message.customer_id,
        "caller": message.caller,
        "note": message.note,
        "priority": message.priority,
        "due_at": message.due_at,
        "expires_at": message.expires_at,
        "timeout_s": message.timeout_s,
        "attempts": message.attempts,
    }


def work_update_payload(message: WorkUpdate) -> dict[str, Any]:
    """The `work_update` message's payload."""
    return {
        "item_id": message.item_id,
        "state": message.state,
        "outcome": message.outcome,
        "customer_id": message.customer_id,
        "caller": message.caller,
        "group": message.group,
    }


def encode(type_: str, seq: int, generation: str, payload: Mapping[str, Any] | None = None) -> str:
    """The JSON text of one message; payload keys may not shadow the envelope's."""
    if not type_:
        raise ProtocolError("message type is empty")
    message: dict[Any, Any] = {"type": type_, "seq": seq, "gen": generation}
    if payload:
        clash = RESERVED_KEYS & payload.keys()
        if clash:
            raise ProtocolError(f"payload uses reserved keys: {', '.join(sorted(clash))}")
        message.update(payload)
    return dumps(message)


def dumps(value: Any) -> str:
    """Compact JSON text, non-ASCII as is (orjson: C speed, one pass, no intermediate objects).

    Numbers and strings come out as `json.dumps` writes them; NaN and infinities become null
    (JSON has neither); a string that is not valid Unicode raises here, not at the socket.
    """
    try:
        return orjson.dumps(value, default=_default, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError as exc:
        raise TypeError(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class Template:
    """A message encoded but for its seq and generation, which may be given elsewhere (Redis)."""

    head: str  # '{"type":...,"seq":'
    rest: str  # '}' or ',<payload keys>}'

    @classmethod
    def of(cls, type_: str, payload: Mapping[str, Any] | None = None) -> Template:
        """Encode now (a bad payload raises here, in the publisher's frame)."""
        text = encode(type_, 0, "", payload)
        head, _, after = text.partition(',"seq":0,"gen":""')
        return cls(head=head + ',"seq":', rest=after)

    def text(self, seq: int, generation: str) -> str:
        """The full message text; equals `encode(type_, seq, generation, payload)`."""
        return f'{self.head}{seq},"gen":{_quoted(generation)}{self.rest}'


@lru_cache(maxsize=8)
def _quoted(generation: str) -> str:
    """A generation as a JSON string (one per hub, so encoded once, not per message)."""
    return json.dumps(generation)


def decode(text: str | bytes) -> dict[str, Any]:
    """Parse a message (clients and tests); checks the envelope, not the payload."""
    try:
        message = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ProtocolError(f"not JSON: {exc}") from exc
    if not isinstance(message, dict):
        raise ProtocolError("message is not a JSON object")
    if not isinstance(message.get("type"), str) or not message["type"]:
        raise ProtocolError("message has no type")
    seq = message.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ProtocolError("message has no valid seq")
    return message


def parse_since(value: str | None) -> int | None:
    """The `since` query parameter: absent means a fresh start; else a non-negative integer."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        raise ProtocolError(f"since must be a non-negative integer, got {value!r}")
    return int(text)


def close_code(reason: str | None) -> int:
    """The websocket close code for why a subscription ended (normal closure if unknown)."""
    return CLOSE_CODES.get(reason or "closed", 1000)


def _default(value: object) -> object:
    """JSON for the few non-JSON types payloads carry."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
