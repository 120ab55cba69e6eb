"""Builders for the AMI events the simulated PBX emits, header order as recorded from Asterisk."""

from __future__ import annotations

from callcenter.sim.model import Channel, Member, Message, Queue

CALL = "call,all"
AGENT = "agent,all"
DIALPLAN = "dialplan,all"

PRES_ALLOWED = "0 (Presentation Allowed, Not Screened)"
PRES_PROHIBITED = "35 (Presentation Prohibited, Network Number)"
CAUSE_TEXT = {"0": "Unknown", "16": "Normal Clearing", "17": "User busy"}
DEVICE_TEXT = {"1": "NOT_INUSE", "2": "INUSE", "6": "RINGING"}
HINT_TEXT = {"1": ("0", "Idle"), "2": ("1", "InUse"), "6": ("8", "Ringing")}


def event(name: str, privilege: str | None, *blocks: Message) -> Message:
    """An event: `Event`, optional `Privilege`, then the given header blocks in order."""
    out: Message = [("Event", name)]
    if privilege:
        out.append(("Privilege", privilege))
    for block in blocks:
        out.extend(block)
    return out


def chan_event(name: str, ch: Channel, *extra: tuple[str, str], priv: str = CALL) -> Message:
    """An event about one channel followed by its own fields."""
    return event(name, priv, ch.headers(), list(extra))


def newexten(ch: Channel, app: str, data: str = "") -> Message:
    """Newexten: the channel runs a dialplan application."""
    ch.application, ch.app_data = app, data
    extra = [("Extension", ch.exten), ("Application", app), ("AppData", data)]
    return event("Newexten", DIALPLAN, ch.headers(), extra)


def varset(ch: Channel, variable: str, value: str) -> Message:
    """VarSet of a channel variable."""
    return event("VarSet", DIALPLAN, ch.headers(), [("Variable", variable), ("Value", value)])


def device_state(device: str, state: str) -> Message:
    """DeviceStateChange (Queue:…, Local/…, Custom:… devices)."""
    return event("DeviceStateChange", CALL, [("Device", device), ("State", state)])


def extension_status(extension: str, status: str) -> Message:
    """ExtensionStatus of the BLF hint `agent-hints,NNNN` for a member's device status."""
    code, text = HINT_TEXT.get(status, ("4", "Unavailable"))
    return event(
        "ExtensionStatus",
        CALL,
        [
            ("Exten", extension),
            ("Context", "agent-hints"),
            ("Hint", f"Custom:agent{extension}"),
            ("Status", code),
            ("StatusText", text),
        ],
    )


def dial(name: str, caller: Channel | None, dest: Channel, *extra: tuple[str, str]) -> Message:
    """DialBegin/DialState/DialEnd; Originate's own dials have only the Dest block."""
    blocks = [caller.headers()] if caller is not None else []
    return event(name, CALL, *blocks, dest.headers("Dest"), list(extra))


def local_bridge(one: Channel, two: Channel) -> Message:
    """LocalBridge between the two halves of a Local channel."""
    extra = [("Context", one.context), ("Exten", one.exten), ("LocalOptimization", "No")]
    return event("LocalBridge", CALL, one.headers("LocalOne"), two.headers("LocalTwo"), extra)


def hangup(ch: Channel, cause: str = "16") -> Message:
    """Hangup with its cause text."""
    return chan_event("Hangup", ch, ("Cause", cause), ("Cause-txt", CAUSE_TEXT.get(cause, "")))


def bridge_fields(bridge_id: str, count: int) -> Message:
    """The Bridge* block of bridge events."""
    return [
        ("BridgeUniqueid", bridge_id),
        ("BridgeType", "basic"),
        ("BridgeTechnology", "simple_bridge"),
        ("BridgeCreator", "<unknown>"),
        ("BridgeName", "<unknown>"),
        ("BridgeNumChannels", str(count)),
        ("BridgeVideoSourceMode", "none"),
    ]


def bridge_event(name: str, bridge_id: str, count: int, ch: Channel | None = None) -> Message:
    """BridgeCreate/Destroy (no channel) or BridgeEnter/Leave (bridge block, then channel)."""
    blocks = [bridge_fields(bridge_id, count)]
    if ch is not None:
        blocks.append(ch.headers())
    return event(name, CALL, *blocks)


def member_event(name: str, queue: Queue, member: Member) -> Message:
    """QueueMemberStatus/Added/Removed/Pause/Penalty."""
    return event(name, AGENT, member.headers(queue))


def agent_event(
    name: str,
    caller: Channel | None,
    dest: Channel,
    queue: Queue,
    member: Member,
    *extra: tuple[str, str],
    dest_override: dict[str, str] | None = None,
) -> Message:
    """AgentCalled/Connect/Complete/RingNoAnswer: caller block, Dest block, queue and member."""
    blocks = [caller.headers()] if caller is not None else []
    blocks.append(dest.headers("Dest", **(dest_override or {})))
    fields: Message = [
        ("Queue", queue.name),
        ("Interface", member.agent.interface),
        ("MemberName", member.agent.name),
    ]
    return event(name, AGENT, *blocks, fields, list(extra))


def queue_caller(name: str, caller: Channel, queue: Queue, *extra: tuple[str, str]) -> Message:
    """QueueCallerJoin/Leave/Abandon."""
    return event(name, AGENT, caller.headers(), [("Queue", queue.name)], list(extra))
