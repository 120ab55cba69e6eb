"""Reply building blocks shared by the AMI action handlers (manager.c's response layout)."""

from __future__ import annotations

from dataclasses import dataclass, field

from callcenter.sim import events as ev
from callcenter.sim.model import Message

Action = dict[str, str | list[str]]


@dataclass
class Reply:
    """What an action produced: messages to the caller first, then events to all sessions."""

    messages: list[Message] = field(default_factory=list)
    events: list[Message] = field(default_factory=list)


def get(action: Action, key: str) -> str:
    """A header value, case-insensitively; '' when missing (last one wins if repeated)."""
    for k, v in action.items():
        if k.lower() == key.lower():
            return v[-1] if isinstance(v, list) else v
    return ""


def response(action: Action, status: str, message: str, *extra: tuple[str, str]) -> Message:
    """Response: X / ActionID / (extra) / Message: …, the layout of manager.c's replies."""
    out: Message = [("Response", status)]
    if get(action, "ActionID"):
        out.append(("ActionID", get(action, "ActionID")))
    out.extend(extra)
    if message:
        out.append(("Message", message))
    return out


def error(action: Action, message: str) -> Reply:
    """A one-message `Response: Error` reply."""
    return Reply([response(action, "Error", message)])


def listing(action: Action, intro: str, items: list[Message], complete: str) -> Reply:
    """An EventList: start response, items tagged with the ActionID, then the …Complete event."""
    aid = get(action, "ActionID")
    tag: Message = [("ActionID", aid)] if aid else []
    start = response(action, "Success", intro, ("EventList", "start"))
    done = ev.event(
        complete, None, tag, [("EventList", "Complete"), ("ListItems", str(len(items)))]
    )
    return Reply([start, *[item + tag for item in items], done])


def truthy(text: str) -> bool:
    """Asterisk's ast_true."""
    return text.strip().lower() in ("yes", "true", "y", "t", "1", "on")
