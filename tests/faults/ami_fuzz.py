"""Hypothesis strategies for hostile AMI byte streams: near-real frames, truncations, junk."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

EVENTS = (
    "AgentCalled", "AgentComplete", "AgentConnect", "AgentRingNoAnswer", "BlindTransfer",
    "BridgeEnter", "BridgeLeave", "CoreShowChannel", "DeviceStateChange", "DialBegin",
    "DialEnd", "ExtensionStatus", "Hangup", "LocalBridge", "NewCallerid", "Newchannel",
    "Newstate", "OriginateResponse", "QueueCallerAbandon", "QueueCallerJoin",
    "QueueCallerLeave", "QueueEntry", "QueueMember", "QueueMemberAdded", "QueueMemberPause",
    "QueueMemberPenalty", "QueueMemberRemoved", "QueueMemberStatus", "VarSet", "Shutdown",
    "FullyBooted",
)  # fmt: skip
HEADERS = (
    "Channel", "Uniqueid", "Linkedid", "Queue", "Interface", "MemberName", "CallerIDNum",
    "CallerIDName", "DestChannel", "DestUniqueid", "DestLinkedid", "Position", "HoldTime",
    "TalkTime", "RingTime", "Reason", "Paused", "PausedReason", "Status", "Variable", "Value",
    "DialStatus", "Cause", "Context", "Exten", "Penalty", "InCall", "StateInterface",
    "TransfererLinkedid", "TransfereeLinkedid", "ActionID", "Response", "Message", "EventTV",
    "Event",
)  # fmt: skip
# Ids far from any trace's, so junk never poses as the good call that follows it.
VALUES = (
    "", " ", "1700000000.1", "1700000000.2", "1700000001.17", "Local/1001@agents-00000001;1",
    "Local/s@caller-sim-0000002a;2", "member-hotline", "online-service", "Local/1001@agents/n",
    "Wang Fang", "李伟", "+8613800138000", "<unknown>", "anonymous", "CC_QUEUE", "QUEUESTATUS",
    "DIALEDTIME_MS", "ANSWER", "TIMEOUT", "1", "0", "-1", "99999999999999999999", "NaN", "inf",
    "1e308", "true", "2026-11-23 10:00:00.123456",
)  # fmt: skip
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=40
)


@dataclass(frozen=True)
class Stream:
    """One hostile stream: its bytes, how many frames were meant, and where reads split it."""

    data: bytes
    frames: int
    cuts: tuple[int, ...]

    def chunks(self) -> list[bytes]:
        """The bytes as the reads that deliver them."""
        points = sorted({c % (len(self.data) + 1) for c in self.cuts})
        out, start = [], 0
        for point in [*points, len(self.data)]:
            if point > start:
                out.append(self.data[start:point])
                start = point
        return out


@st.composite
def _header_frame(draw: st.DrawFn) -> str:
    first = draw(
        st.one_of(
            st.sampled_from(EVENTS).map(lambda e: f"Event: {e}"),
            st.sampled_from(("Success", "Error", "Follows", "Goodbye")).map(
                lambda r: f"Response: {r}"
            ),
            TEXT,
        )
    )
    lines = [first]
    for _ in range(draw(st.integers(0, 14))):
        key = draw(st.one_of(st.sampled_from(HEADERS), TEXT))
        value = draw(st.one_of(st.sampled_from(VALUES), TEXT))
        sep = draw(st.sampled_from((": ", ":", " : ", "", ": : ")))
        lines.append(f"{key}{sep}{value}")
    return "\r\n".join(lines)


@st.composite
def _frame(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(("frame", "frame", "frame", "truncated", "binary", "bad-utf8")))
    if kind == "binary":
        return draw(st.binary(max_size=200))
    text = draw(_header_frame())
    data = text.encode("utf-8")
    if kind == "truncated":
        return data[: draw(st.integers(0, len(data)))]
    if kind == "bad-utf8":
        at = draw(st.integers(0, len(data)))
        return (
            data[:at]
            + draw(st.sampled_from((b"\xff", b"\xe6\x9d", b"\xc0\x80", b"\x00")))
            + data[at:]
        )
    return data


@st.composite
def streams(draw: st.DrawFn, min_frames: int = 10, max_frames: int = 50) -> Stream:
    """A stream of frames, each ended by a blank line, a lone line end or nothing at all."""
    frames = draw(st.lists(_frame(), min_size=min_frames, max_size=max_frames))
    ends = draw(
        st.lists(
            st.sampled_from((b"\r\n\r\n", b"\r\n\r\n", b"\r\n\r\n", b"\r\n", b"\n\n", b"")),
            min_size=len(frames),
            max_size=len(frames),
        )
    )
    data = b"".join(f + e for f, e in zip(frames, ends, strict=True))
    cuts = draw(st.lists(st.integers(0, max(0, len(data))), max_size=12))
    return Stream(data=data, frames=len(frames), cuts=tuple(cuts))
