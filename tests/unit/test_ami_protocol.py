"""The AMI protocol: UTF-8 split across reads arrives whole; junk is logged and skipped."""

from __future__ import annotations

import logging

import pytest
from panoramisk.message import Message

from callcenter.adapters.ami.pipeline import AmiPipeline
from callcenter.adapters.ami.protocol import CallCenterAMIProtocol, MessageDispatcher

BANNER = b"Asterisk Call Manager/13.0.0\r\n"


def frame(**headers: str) -> bytes:
    return ("".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode()


def join(name: str, caller_name: str) -> bytes:
    return frame(
        Event="QueueCallerJoin",
        Channel="Local/s@caller-sim-00000000;1",
        CallerIDNum="+8613761234567",
        CallerIDName=caller_name,
        Uniqueid="1795343992.0",
        Linkedid="1795343992.0",
        Queue=name,
        Position="1",
    )


def collect() -> tuple[CallCenterAMIProtocol, list[Message]]:
    got: list[Message] = []
    protocol = CallCenterAMIProtocol()
    protocol.connection_made(None)
    protocol.factory = MessageDispatcher(got.append)
    return protocol, got


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7])
def test_chinese_name_split_between_reads_arrives_whole(chunk: int) -> None:
    protocol, got = collect()
    data = BANNER + join("finance", "刘德明") + join("documents", "Müller")
    for i in range(0, len(data), chunk):
        protocol.data_received(data[i : i + chunk])
    assert [m["CallerIDName"] for m in got] == ["刘德明", "Müller"]
    assert protocol.version == "13.0.0"


def test_frames_without_event_or_response_are_skipped_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    protocol, got = collect()
    caplog.set_level(logging.WARNING)
    junk = b"Garbage line without colon\r\nmore junk\r\n\r\n"
    binary = bytes(range(0, 256)) + b"\r\n\r\n"
    protocol.data_received(BANNER + junk + binary + join("finance", "Li Na"))
    assert [m["Queue"] for m in got] == ["finance"]
    assert protocol.skipped == 2
    assert "no Event or Response" in caplog.text


def test_a_truncated_frame_that_runs_into_the_next_is_skipped_not_misread() -> None:
    protocol, got = collect()
    truncated = b"Event: Hangup\r\nChannel: Local/x;1\r\n"  # its blank line never came
    protocol.data_received(truncated + join("finance", "A") + join("documents", "B"))
    assert [m["Queue"] for m in got] == ["documents"]
    assert protocol.skipped == 1


def test_a_truncated_frame_at_the_end_of_a_stream_is_dropped() -> None:
    protocol, got = collect()
    protocol.data_received(join("finance", "A") + b"Event: Hangup\r\nChann")
    protocol.flush()
    assert [m["Queue"] for m in got] == ["finance"]
    assert protocol.skipped == 1


def test_a_failing_consumer_does_not_stop_later_frames() -> None:
    seen: list[str] = []

    def consumer(message: Message) -> None:
        if message["Queue"] == "boom":
            raise RuntimeError("consumer bug")
        seen.append(message["Queue"])

    protocol = CallCenterAMIProtocol()
    protocol.connection_made(None)
    protocol.factory = MessageDispatcher(consumer)
    protocol.data_received(join("boom", "A") + join("finance", "B"))
    assert seen == ["finance"]
    assert protocol.skipped == 1


def test_a_frame_that_never_ends_is_dropped_instead_of_buffered_forever() -> None:
    protocol, got = collect()
    protocol.data_received(b"Event: X\r\nJunk: " + b"a" * (1 << 20) + b"\r\n")
    protocol.data_received(b"\r\n" + join("finance", "A"))
    assert [m["Queue"] for m in got] == ["finance"]
    assert protocol.skipped >= 1


def test_pipeline_survives_unknown_events_and_missing_headers() -> None:
    pipeline = AmiPipeline(pbx="p")
    data = (
        BANNER
        + frame(Event="SomethingNew", Foo="bar")
        + frame(Event="QueueCallerJoin", Channel="Local/s@c-1;1")  # no Linkedid, no Queue
        + frame(Event="AgentConnect", Queue="q")  # nothing to correlate with
        + frame(
            Event="Newchannel", Channel="C;1", Uniqueid="1.0", Linkedid="1.0", Context="inbound"
        )
        + frame(Event="Hangup", Channel="C;1", Uniqueid="1.0", Linkedid="1.0", Cause="16")
    )
    pipeline.feed_bytes(data, chunk_size=3)
    facts = pipeline.drain()
    assert [type(x).__name__ for x in facts] == ["CallEnded"]
    assert pipeline.messages == 5
    assert pipeline.failed == 0


def test_parsed_messages_answer_missing_headers_with_the_default_and_ignore_case() -> None:
    """What the translation relies on: a header absent from the frame reads as the default
    (no exception), names match whatever their case, a repeated header is a list."""
    from callcenter.adapters.ami.protocol import AmiMessage

    message = AmiMessage.from_line("Event: Hangup\r\nUniqueid: 1.2\r\nX: a\r\nX: b")
    assert message.get("UniqueID") == "1.2" and message["event"] == "Hangup"
    assert message.get("DestUniqueid") is None and message.get("Cause", "0") == "0"
    assert message.get("X") == ["a", "b"]
