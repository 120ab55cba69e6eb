"""Typed builders of the AMI actions we send, and readers of their list replies.

Besides translate.py, the only module that knows AMI field names. Values are strings as they go on
the wire; a repeated header (Originate's Variable) is a list, which panoramisk sends line by line.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from callcenter.domain.calls.monitoring import SPY_MODE_KEYS

AmiAction = dict[str, str | list[str]]

TRANSFER_CONTEXT = "cc-transfer"
OUTBOUND_CONTEXT = "outbound"
CUSTOMER_FIRST_CONTEXT = "outbound-connect"  # AMD, then the campaign's queue
CUSTOMER_DIAL_CONTEXT = "cc-dial-out"  # dials the trunk; busy / congestion propagate back
ORIGINATE_TIMEOUT_MS = 30_000
# One AMI header line: a CR or LF inside a value would start a new header (header injection).
_LINE_BREAK = re.compile(r"[\r\n]+")
_LOCAL_CUSTOMER = re.compile(rf"^Local/(?P<dial>[^@/]+)@{CUSTOMER_DIAL_CONTEXT}-[0-9a-f]+;[12]$")
_LOCAL_AGENT = re.compile(r"^Local/(?P<exten>[^@/]+)@agents(?:/n)?$", re.IGNORECASE)


def _clean(value: str) -> str:
    return _LINE_BREAK.sub(" ", value).strip()


def _yes(flag: bool) -> str:
    return "true" if flag else "false"


def new_action_id(kind: str) -> str:
    """A unique ActionID, so a later OriginateResponse can be told apart."""
    return f"cc-{kind}-{uuid.uuid4().hex[:16]}"


def queue_add(
    *,
    queue: str,
    interface: str,
    member_name: str,
    state_interface: str | None,
    penalty: int,
    paused: bool = False,
) -> AmiAction:
    """QueueAdd: a dynamic member with its name, device-state interface and penalty."""
    action: AmiAction = {
        "Action": "QueueAdd",
        "Queue": _clean(queue),
        "Interface": _clean(interface),
        "Penalty": str(max(0, penalty)),
        "Paused": _yes(paused),
        "MemberName": _clean(member_name),
    }
    if state_interface:
        action["StateInterface"] = _clean(state_interface)
    return action


def queue_remove(*, queue: str, interface: str) -> AmiAction:
    """QueueRemove of one membership."""
    return {"Action": "QueueRemove", "Queue": _clean(queue), "Interface": _clean(interface)}


def queue_pause(
    *, interface: str, paused: bool, reason: str | None = None, queue: str | None = None
) -> AmiAction:
    """QueuePause (or unpause) in one queue, or in every queue of the member when queue is None."""
    action: AmiAction = {"Action": "QueuePause", "Interface": _clean(interface)}
    if queue:
        action["Queue"] = _clean(queue)
    action["Paused"] = _yes(paused)
    if paused and reason:
        action["Reason"] = _clean(reason)
    return action


def originate_channel(interface: str) -> str:
    """The channel that rings the agent's own phone for an outbound call.

    A queue-member interface `Local/NNNN@agents/n` maps to `Local/NNNN@agent-phone/n` (the
    dialplan's context for outbound legs); a device interface such as PJSIP/1001 is used as is.
    """
    match = _LOCAL_AGENT.match(interface.strip())
    if match:
        return f"Local/{match.group('exten')}@agent-phone/n"
    return interface.strip()


def customer_originate_channel(dial: str) -> str:
    """The channel that rings a customer's line first (campaigns): a Local leg into the trunk."""
    return f"Local/{_clean(dial)}@{CUSTOMER_DIAL_CONTEXT}/n"


def customer_dial_of(channel: str) -> str | None:
    """The trunk digits of a customer-first Local leg as Asterisk names it
    (`Local/013…@cc-dial-out-0000000b;1`); None for any other channel."""
    match = _LOCAL_CUSTOMER.match(channel)
    return match.group("dial") if match else None


def originate(
    *,
    channel: str,
    exten: str,
    caller_id: str,
    variables: Mapping[str, str],
    action_id: str,
    context: str = OUTBOUND_CONTEXT,
    timeout_ms: int = ORIGINATE_TIMEOUT_MS,
) -> AmiAction:
    """Originate (Async): ring `channel` first, then run `context`/`exten` on answer."""
    return {
        "Action": "Originate",
        "Channel": _clean(channel),
        "Context": _clean(context),
        "Exten": _clean(exten),
        "Priority": "1",
        "CallerID": _clean(caller_id),
        "Timeout": str(timeout_ms),
        "Variable": [f"{_clean(k)}={_clean(v)}" for k, v in variables.items()],
        "Async": "true",
        "ActionID": action_id,
    }


# ChanSpy options per mode: q quiet (no beep), w whisper, B barge; d lets DTMF 4/5/6 switch the
# running session (app_chanspy attaches its audiohooks up front only given w, B or d: d from start).
SPY_OPTIONS = {"listen": "qd", "whisper": "qwd", "barge": "qBd"}
SPY_MODE_DIGITS = {mode: key for key, mode in SPY_MODE_KEYS.items()}
DTMF_DURATION_MS = 120  # above Asterisk's 80 ms minimum, so the digit is never stretched


def originate_spy(
    *, channel: str, spied: str, mode: str, caller_id: str, action_id: str
) -> AmiAction:
    """Originate (Async) of the supervisor's phone into Application ChanSpy on `spied`."""
    options = SPY_OPTIONS.get(mode)
    if options is None:
        raise ValueError(f"unknown spy mode {mode!r}; one of {sorted(SPY_OPTIONS)}")
    return {
        "Action": "Originate",
        "Channel": _clean(channel),
        "Application": "ChanSpy",
        "Data": f"{_clean(spied)},{options}",
        "CallerID": _clean(caller_id),
        "Timeout": str(ORIGINATE_TIMEOUT_MS),
        "Async": "true",
        "ActionID": action_id,
    }


def spy_mode_dtmf(*, spyer_channel: str, mode: str) -> AmiAction:
    """PlayDTMF with Receive: the digit arrives on the supervisor's channel as if they pressed it,
    where ChanSpy (option d) reads it and switches mode; the supervisor never hears a tone."""
    digit = SPY_MODE_DIGITS.get(mode)
    if digit is None:
        raise ValueError(f"unknown spy mode {mode!r}; one of {sorted(SPY_MODE_DIGITS)}")
    return {
        "Action": "PlayDTMF",
        "Channel": _clean(spyer_channel),
        "Digit": digit,
        "Duration": str(DTMF_DURATION_MS),
        "Receive": "true",
    }


def mix_monitor_mute(*, channel: str, muted: bool) -> AmiAction:
    """MixMonitorMute of both directions of the recording on `channel`."""
    return {
        "Action": "MixMonitorMute",
        "Channel": _clean(channel),
        "Direction": "both",
        "State": "1" if muted else "0",
    }


def queue_withdraw_caller(*, queue: str, channel: str, info: str) -> AmiAction:
    """QueueWithdrawCaller: the caller leaves the queue at once, Queue() returning WITHDRAW."""
    action: AmiAction = {"Action": "QueueWithdrawCaller", "Queue": _clean(queue)}
    action.update(Caller=_clean(channel), WithdrawInfo=_clean(info))
    return action


def caller_id(name: str, number: str) -> str:
    """`"Name" <number>`, with quotes and angle brackets in the name dropped."""
    safe = re.sub(r'["<>]', "", _clean(name))
    return f'"{safe}" <{_clean(number)}>'


def redirect(*, channel: str, exten: str, context: str = TRANSFER_CONTEXT) -> AmiAction:
    """Redirect one channel to context/exten priority 1 (its bridged peer is hung up)."""
    return {
        "Action": "Redirect",
        "Channel": _clean(channel),
        "Context": _clean(context),
        "Exten": _clean(exten),
        "Priority": "1",
    }


def core_show_channels() -> AmiAction:
    """CoreShowChannels: one CoreShowChannel item per live channel."""
    return {"Action": "CoreShowChannels"}


def queue_status(*, queue: str | None = None, member: str | None = None) -> AmiAction:
    """QueueStatus, optionally for one queue and one member interface."""
    action: AmiAction = {"Action": "QueueStatus"}
    if queue:
        action["Queue"] = _clean(queue)
    if member:
        action["Member"] = _clean(member)
    return action


@dataclass(frozen=True)
class LiveChannel:
    """One channel from a CoreShowChannels reply."""

    name: str
    uniqueid: str
    linkedid: str
    state: str


@dataclass(frozen=True)
class QueueMembership:
    """One QueueMember item from a QueueStatus reply."""

    queue: str
    interface: str
    name: str
    penalty: int
    paused: bool
    reason: str


def _items(reply: Any, event: str) -> Iterable[Mapping[str, Any]]:
    messages = reply if isinstance(reply, list) else [reply]
    for message in messages:
        if str(message.get("Event", "")).lower() == event.lower():
            yield message


def live_channels(reply: Any) -> list[LiveChannel]:
    """The channels listed in a CoreShowChannels reply."""
    return [
        LiveChannel(
            name=str(m.get("Channel", "")),
            uniqueid=str(m.get("Uniqueid", "")),
            linkedid=str(m.get("Linkedid", "")),
            state=str(m.get("ChannelState", "")),
        )
        for m in _items(reply, "CoreShowChannel")
        if m.get("Channel")
    ]


def queue_memberships(reply: Any) -> list[QueueMembership]:
    """The members listed in a QueueStatus reply (its items use Name/Location)."""
    out = []
    for m in _items(reply, "QueueMember"):
        penalty = str(m.get("Penalty", ""))
        out.append(
            QueueMembership(
                queue=str(m.get("Queue", "")),
                interface=str(m.get("Location") or m.get("Interface") or ""),
                name=str(m.get("Name") or m.get("MemberName") or ""),
                penalty=int(penalty) if penalty.isdigit() else 0,
                paused=str(m.get("Paused", "0")) == "1",
                reason=str(m.get("PausedReason", "")),
            )
        )
    return out


def customer_channel(channels: Iterable[LiveChannel], linkedid: str, agent: str) -> str | None:
    """The customer's leg of call `linkedid`: the channel the call began with, if not the agent's.

    `agent` is the agent's interface; its own legs (Local/1001@agents-…;1, PJSIP/1001-…) are never
    the customer. For an outbound call the first leg is the agent's, so the other party is taken.
    """
    own = tuple({i.strip().removesuffix("/n") + "-" for i in (agent, originate_channel(agent))})
    legs = [c for c in channels if c.linkedid == linkedid and not c.name.startswith(own)]
    if not legs:
        return None
    first = [c for c in legs if c.uniqueid == linkedid]
    if first:
        return first[0].name
    # ";1" is the side of a Local pair that the dialplan runs on, the one a Redirect must move
    ones = [c for c in legs if c.name.endswith(";1")]
    return (ones or legs)[0].name
