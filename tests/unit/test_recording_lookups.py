"""Finding a recording to play: a burst of Range requests from one listener costs one lookup."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from callcenter.adapters.recording_files import LocalRecordingStore
from callcenter.domain.access.auth import Principal
from callcenter.ports.recordings import StoredRecording
from callcenter.services.recordings import RecordingService
from fakes import FakeAuditLog
from fakes.floor import floor

NAME = "pbx1-1796000000.1.wav"


class CountingIndex:
    """The call_recordings table of one call, counting how often it is asked."""

    def __init__(self) -> None:
        self.asked = 0

    async def for_call(self, pbx: str, linkedid: str) -> list[StoredRecording]:
        self.asked += 1
        await asyncio.sleep(0.01)  # a database round trip
        at = datetime.now(UTC)
        return [StoredRecording(pbx, linkedid, NAME, 44, 0.0, "ab" * 32, None, at)]


async def test_a_burst_of_range_requests_waits_for_one_lookup(tmp_path: Path) -> None:
    (tmp_path / NAME).write_bytes(b"RIFF" + bytes(40))
    index = CountingIndex()
    service = RecordingService(
        uow=floor().uow,
        store=LocalRecordingStore(tmp_path),
        index=index,  # type: ignore[arg-type]
        audit=FakeAuditLog(),
    )
    boss = Principal("supervisor", token_id=20)
    found = await asyncio.gather(
        *(service.recording(pbx="pbx1", linkedid="1796000000.1", by=boss) for _ in range(50))
    )
    assert index.asked == 1
    assert {(p.name, p.size_bytes) for p in found} == {(NAME, 44)}
    other = Principal("admin", token_id=21)  # another listener is checked on their own
    await service.recording(pbx="pbx1", linkedid="1796000000.1", by=other)
    assert index.asked == 2
