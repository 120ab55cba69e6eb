"""Recordings over the simulated Asterisk: indexed with the call, played with Range requests,
audited, paused from the desktop, a missing file a clear 404, retention purging only what is due."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_agent_control import client, headers

from callcenter.adapters.db.repo_recordings import SqlRecordingIndex
from callcenter.bootstrap import open_database
from callcenter.cli import main
from callcenter.ports.recordings import StoredRecording
from support.livestack import LiveStack, live_stack


@asynccontextmanager
async def recorded_stack(database_url: str, spool: Path) -> AsyncIterator[LiveStack]:
    """The live stack whose simulated PBX writes its MixMonitor files where we read them."""
    await asyncio.to_thread(spool.mkdir, parents=True, exist_ok=True)
    async with live_stack(database_url, recordings_dir=spool) as stack:
        stack.sim.recorder.state.spool = spool
        await stack.ami_connected()
        yield stack


async def recorded_call(stack: LiveStack, talk_s: float = 4) -> str:
    """A call answered by 1001 (recorded by the dialplan's MixMonitor), ended and indexed."""
    desk = await stack.agent_socket("1001")
    await asyncio.sleep(0.2)
    linkedid = stack.sim.place_call(
        "+8613800138000", "Li Wei", "8001", answer_by="1001",
        agent_answers_after=1, talk_s=talk_s,
    )  # fmt: skip
    await desk.next("call_update", state="answered", linkedid=linkedid)
    await desk.ws.close()
    await stack.settled(timeout=30)
    assert stack.runtime.recordings is not None
    await stack.runtime.recordings.aclose()
    return linkedid


async def indexed(stack: LiveStack, linkedid: str) -> list[StoredRecording]:
    return await SqlRecordingIndex(stack.runtime.database.engine).for_call("pbx1", linkedid)


async def test_recording_is_indexed_and_plays_whole_and_by_range_with_an_audit_trail(
    database_url: str, tmp_path: Path
) -> None:
    spool = tmp_path / "monitor"
    async with recorded_stack(database_url, spool) as stack, client(stack) as http:
        linkedid = await recorded_call(stack)
        (row,) = await indexed(stack, linkedid)
        data = (spool / row.file).read_bytes()
        assert row.size_bytes == len(data)
        assert row.sha256 == hashlib.sha256(data).hexdigest()
        assert row.duration_s is not None and row.duration_s > 0
        assert row.group_slug == "member-hotline"

        boss = await headers(stack, "supervisor")
        url = f"/api/calls/pbx1/{linkedid}/recording"
        whole = await http.get(url, headers=boss)
        assert whole.status_code == 200
        assert whole.headers["content-type"] == "audio/wav"
        assert whole.headers["accept-ranges"] == "bytes"
        assert whole.content == data

        part = await http.get(url, headers={**boss, "Range": "bytes=100-1123"})
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes 100-1123/{len(data)}"
        assert part.content == data[100:1124]
        tail = await http.get(url, headers={**boss, "Range": "bytes=-44"})
        assert tail.status_code == 206 and tail.content == data[-44:]
        beyond = await http.get(url, headers={**boss, "Range": f"bytes={len(data)}-"})
        assert beyond.status_code == 416

        agent = await headers(stack, "agent", "1001")
        assert (await http.get(url, headers=agent)).status_code == 403  # setting off
        assert (await http.get(url)).status_code == 401

        link = await http.post(f"{url}/link", headers=boss)
        assert link.status_code == 200
        played = await http.get(link.json()["url"], headers={"Range": "bytes=0-43"})
        assert played.status_code == 206 and played.content == data[:44]
        forged = link.json()["url"].replace(linkedid, "1.1")
        assert (await http.get(forged)).status_code in (401, 422)

        audit = (await http.get("/api/audit?kind=recording", headers=boss)).json()
        # one supervisor's downloads and seeks within a minute are one access; 403/416 none
        assert [(a["linkedid"], a["detail"]) for a in audit] == [
            (linkedid, f"whole file ({len(data)} bytes)")
        ]
        other = await headers(stack, "admin")
        seek = await http.get(url, headers={**other, "Range": "bytes=100-1123"})
        assert seek.status_code == 206
        audit = (await http.get("/api/audit?kind=recording", headers=boss)).json()
        assert [a["actor"] for a in audit] == [
            a["actor"] for a in audit if a["actor"].startswith(("admin", "supervisor"))
        ]
        assert len(audit) == 2 and audit[0]["detail"] == f"bytes 100-1123/{len(data)}"
        assert audit[0]["actor"].startswith("admin")


async def test_missing_recording_is_a_404_with_a_reason_and_no_path(
    database_url: str, tmp_path: Path
) -> None:
    spool = tmp_path / "monitor"
    async with recorded_stack(database_url, spool) as stack, client(stack) as http:
        boss = await headers(stack, "supervisor")
        none = await http.get("/api/calls/pbx1/123.4/recording", headers=boss)
        assert none.status_code == 404
        assert "no recording" in none.json()["detail"]

        linkedid = await recorded_call(stack, talk_s=2)
        (row,) = await indexed(stack, linkedid)
        (spool / row.file).unlink()
        gone = await http.get(f"/api/calls/pbx1/{linkedid}/recording", headers=boss)
        assert gone.status_code == 404
        assert "missing" in gone.json()["detail"]
        assert str(tmp_path) not in gone.text and "monitor" not in gone.text


async def test_a_file_deleted_while_a_player_seeks_is_a_404_not_a_broken_download(
    database_url: str, tmp_path: Path
) -> None:
    spool = tmp_path / "monitor"
    async with recorded_stack(database_url, spool) as stack, client(stack) as http:
        linkedid = await recorded_call(stack, talk_s=2)
        (row,) = await indexed(stack, linkedid)
        boss = await headers(stack, "supervisor")
        url = f"/api/calls/pbx1/{linkedid}/recording"
        first = await http.get(url, headers={**boss, "Range": "bytes=0-1023"})
        assert first.status_code == 206 and len(first.content) == 1024
        (spool / row.file).unlink()  # retention or an operator, between two seeks
        second = await http.get(url, headers={**boss, "Range": "bytes=1024-2047"})
        assert second.status_code == 404
        assert "missing" in second.json()["detail"]
        assert str(tmp_path) not in second.text


async def test_pause_and_resume_from_the_desktop_are_noted_on_the_record(
    database_url: str, tmp_path: Path
) -> None:
    async with recorded_stack(database_url, tmp_path / "monitor") as stack, client(stack) as http:
        own = await headers(stack, "agent", "1001")
        idle = await http.post("/api/agents/1001/recording/pause", headers=own)
        assert idle.status_code == 409
        desk = await stack.agent_socket("1001")
        await asyncio.sleep(0.2)
        linkedid = stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001",
            agent_answers_after=1, talk_s=60,
        )  # fmt: skip
        await desk.next("call_update", state="answered", linkedid=linkedid)
        paused = await http.post("/api/agents/1001/recording/pause", headers=own)
        assert paused.status_code == 200, paused.text
        assert paused.json() == {"agent": "1001", "linkedid": linkedid, "recording": "paused"}
        resumed = await http.post("/api/agents/1001/recording/resume", headers=own)
        assert resumed.status_code == 200
        other = await headers(stack, "agent", "1002")
        assert (
            await http.post("/api/agents/1001/recording/pause", headers=other)
        ).status_code == 403
        await desk.ws.close()
        await stack.settled(timeout=30)
        assert stack.runtime.recordings is not None
        await stack.runtime.recordings.aclose()
        (row,) = await indexed(stack, linkedid)
        assert [p["paused"] for p in row.pauses] == [True, False]
        assert all(p["by"] == "agent 1001" for p in row.pauses)


async def test_retention_purge_deletes_only_recordings_past_their_groups_days(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    spool = tmp_path / "monitor"
    spool.mkdir()
    now = datetime.now(UTC)
    cases = {
        "old-finance.wav": ("finance", now - timedelta(days=200)),
        "young-finance.wav": ("finance", now - timedelta(days=10)),
        "old-hotline.wav": ("member-hotline", now - timedelta(days=400)),
    }
    async with open_database(database_url) as db:
        index = SqlRecordingIndex(db.engine)
        for n, (name, (group, at)) in enumerate(cases.items()):
            (spool / name).write_bytes(b"RIFF" + bytes(40))
            await index.add(
                StoredRecording("pbx1", f"17000.{n}", name, 44, 0.0, "0" * 64, group, at)
            )
    monkeypatch.setenv("CALLCENTER_RECORDINGS_DIR", str(spool))
    monkeypatch.setenv("CALLCENTER_RECORDING_RETENTION_DAYS", json.dumps({"finance": 180}))

    def purge(*extra: str) -> int:
        return main(["recordings", "--database-url", database_url, "purge", *extra])

    assert await asyncio.to_thread(purge, "--dry-run") == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(x["file"], x["deleted"]) for x in listed] == [("old-finance.wav", False)]
    assert sorted(p.name for p in spool.iterdir()) == sorted(cases)

    assert await asyncio.to_thread(purge) == 0
    out = capsys.readouterr()
    assert [json.loads(line)["file"] for line in out.out.splitlines()] == ["old-finance.wav"]
    assert "deleted 1 recording" in out.err
    assert sorted(p.name for p in spool.iterdir()) == ["old-hotline.wav", "young-finance.wav"]
    async with open_database(database_url) as db:
        index = SqlRecordingIndex(db.engine)
        assert await index.for_call("pbx1", "17000.0") == []
        assert len(await index.for_call("pbx1", "17000.1")) == 1
