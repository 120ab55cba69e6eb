"""`callcenter replay` end to end through the real CLI, whole and one byte per read."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from callcenter.cli import main
from support import TRACES

ALL = sorted(str(p.relative_to(TRACES).with_suffix("")) for p in TRACES.glob("**/*.ami"))
SUMMARIES = {
    "abandoned_in_queue": (1, 0, 1, 0),
    "agent_state_changes": (2, 1, 1, 0),
    "anonymous_caller": (2, 2, 0, 0),
    "answered_agent_hangs_up": (1, 1, 0, 0),
    "answered_caller_hangs_up": (1, 1, 0, 0),
    "concurrent_burst": (20, 10, 10, 0),
    "outbound_telemarketing": (1, 1, 0, 0),
    "queue_timeout_overflow": (1, 1, 0, 0),
    "ring_no_answer_next_agent": (1, 1, 0, 0),
    "transfer_to_other_queue": (1, 1, 0, 0),
    "features/amd_outbound": (2, 1, 0, 0),
    "features/attended_transfer": (1, 1, 0, 0),
    "features/chanspy_supervisor": (1, 1, 0, 0),
    "features/mixmonitor_recording": (2, 2, 0, 0),
    "features/outbound_outcomes": (10, 2, 0, 0),
    "features/queued_callback": (2, 1, 0, 0),
    "features/redirect_transfer": (1, 1, 0, 0),
}


def replay(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]]]:
    code = main(["replay", *args])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("name", ALL)
def test_replay_prints_calls_and_summary_identically_at_any_chunk_size(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(TRACES / f"{name}.ami")
    code, whole = replay(capsys, path)
    assert code == 0
    code, bytewise = replay(capsys, path, "--chunk-size", "1")
    assert code == 0
    assert bytewise == whole
    summary = whole[-1]["summary"]
    assert isinstance(summary, dict)
    assert (summary["calls"], summary["answered"], summary["abandoned"], summary["timeout"]) == (
        SUMMARIES[name]
    )
    for call in whole[:-1]:
        assert {
            "linkedid",
            "direction",
            "caller",
            "caller_name",
            "queues",
            "agent",
            "outcome",
            "wait_s",
            "talk_s",
            "ring_attempts",
            "transferred",
            "legs",
            "monitored",
            "recordings",
            "amd",
            "caller_verified",
        } <= set(call)
    counted = sum(v for k, v in summary.items() if k not in ("calls",))
    assert counted == summary["calls"]  # every outcome is counted once


def test_replay_keeps_utf8_names_with_one_byte_reads(capsys: pytest.CaptureFixture[str]) -> None:
    _, calls = replay(capsys, str(TRACES / "concurrent_burst.ami"), "--chunk-size", "1")
    names = {c.get("caller_name") for c in calls[:-1]}
    assert {"刘德明", "黄晓燕", "Lin Mei"} <= names


def test_replay_of_a_stream_without_timing_file(capsys: pytest.CaptureFixture[str]) -> None:
    _, calls = replay(capsys, str(TRACES / "queue_timeout_overflow.ami"), "--timing", "stream")
    (call, summary) = calls
    assert (call["queues"], call["outcome"], call["wait_s"]) == (
        ["member-hotline", "online-service"],
        "answered",
        27.0,
    )
    assert summary == {"summary": {"calls": 1, "answered": 1, "abandoned": 0, "timeout": 0}}


def test_replay_refuses_what_it_cannot_do(capsys: pytest.CaptureFixture[str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    trace = str(TRACES / "abandoned_in_queue.ami")
    assert main(["replay", trace, "--database-url", "sqlite:///x.db"]) == 2
    assert main(["replay", str(tmp_path / "missing.ami")]) == 2
    assert main(["replay", trace, "--chunk-size", "0"]) == 2
    assert main(["replay", trace, "--region", "XX"]) == 2
    assert capsys.readouterr().out == ""  # nothing half-printed


def test_replay_of_junk_prints_an_empty_summary(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.ami"
    junk.write_bytes(b"\x00\xff\xfe garbage\r\n\r\nEvent: Hangup\r\n\r\nnot even a frame")
    code, lines = replay(capsys, str(junk))
    assert code == 0
    assert lines == [{"summary": {"calls": 0, "answered": 0, "abandoned": 0, "timeout": 0}}]


def test_console_script_runs_as_a_subprocess() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "callcenter",
            "replay",
            str(TRACES / "answered_caller_hangs_up.ami"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    first = json.loads(done.stdout.splitlines()[0])
    assert (first["caller"], first["agent"], first["outcome"]) == (
        "+8613800138000",
        "Wang Fang",
        "answered",
    )
