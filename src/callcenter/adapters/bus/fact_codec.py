"""Facts to JSON and back, so every process can fold the facts of PBXs it does not listen to."""

from __future__ import annotations

import dataclasses
import json
import types
from datetime import datetime
from typing import Any, Union, get_args, get_origin, get_type_hints

from callcenter.domain.calls import facts
from callcenter.domain.calls.facts import Fact

KINDS: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        facts.CallOffered,
        facts.RingStarted,
        facts.AgentFoundOnCall,
        facts.RingNoAnswer,
        facts.CallAnswered,
        facts.CallAbandoned,
        facts.QueueLeftUnanswered,
        facts.CallOverflowed,
        facts.CallTransferred,
        facts.CallLeftAgent,
        facts.CallEnded,
        facts.AgentStateChanged,
        facts.SpyChanged,
        facts.SpyKeyed,
    )
}


class FactCodecError(ValueError):
    """A text that is not an encoded fact."""


def encode_fact(fact: Fact, *, code: str | None = None) -> str:
    """JSON for one fact; `code` is the agent code the sender resolved (agent facts)."""
    body = {"kind": type(fact).__name__, "code": code, "fact": _plain(fact)}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def decode_fact(text: str | bytes) -> tuple[Fact, str | None]:
    """The fact and agent code in a text made by `encode_fact`."""
    try:
        body = json.loads(text)
        cls = KINDS[body["kind"]]
        fact = _build(cls, body["fact"])
    except (ValueError, KeyError, TypeError) as exc:
        raise FactCodecError(f"not an encoded fact: {exc!r}") from exc
    code = body.get("code")
    return fact, code if isinstance(code, str) else None


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _build(cls: type[Any], data: dict[str, Any]) -> Any:
    hints = get_type_hints(cls)
    kwargs = {
        f.name: _convert(hints[f.name], data[f.name])
        for f in dataclasses.fields(cls)
        if f.name in data
    }
    return cls(**kwargs)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        return _convert(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        args = get_args(hint)
        inner = args[0] if args else Any
        return tuple(_convert(inner, v) for v in value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, value)
    return value
