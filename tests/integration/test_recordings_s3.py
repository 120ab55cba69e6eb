"""The S3-compatible recording store against a real S3 server (moto's, its own process, checking
SigV4 signatures): upload of finished recordings (one PUT or multipart), ranged playback,
deletion, the spool as the fallback, and a live call recorded, played and purged through it."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import wave
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_agent_control import client, headers
from test_recordings import indexed, recorded_call

from callcenter.adapters.db.repo_recordings import SqlRecordingIndex
from callcenter.adapters.recording_s3 import S3RecordingStore
from callcenter.adapters.s3.client import S3Client, S3Error
from callcenter.adapters.s3.sigv4 import Credentials
from callcenter.bootstrap import open_database
from callcenter.cli import main
from callcenter.sim.recording import write_wav
from support.livestack import LiveStack, live_stack
from support.s3peer import REGION, S3Peer, s3_peer

BUCKET = "recordings"


@pytest.fixture(scope="module")
def peer() -> Iterator[S3Peer]:
    with s3_peer() as found:
        boto = found.boto()
        boto.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield found


def s3_client(peer: S3Peer, *, secret: str | None = None, bucket: str = BUCKET) -> S3Client:
    creds = Credentials(peer.access_key, secret or peer.secret_key, REGION)
    return S3Client(endpoint=peer.endpoint, bucket=bucket, creds=creds)


def noise_wav(path: Path, size: int) -> bytes:
    """A WAV of about `size` bytes (random samples: quick to make however long)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(os.urandom(size - size % 2))
    return path.read_bytes()


async def test_the_store_refuses_a_request_signed_with_the_wrong_secret(peer: S3Peer) -> None:
    good, bad = s3_client(peer), s3_client(peer, secret="not-the-secret")
    try:
        await good.put("probe/signed.txt", b"signed", {"sha256": "x"})
        assert (await good.head("probe/signed.txt")) is not None
        with pytest.raises(S3Error) as refused:
            await bad.put("probe/forged.txt", b"forged", {})
        assert refused.value.status == 403 and refused.value.code == "SignatureDoesNotMatch"
        assert (await good.head("probe/forged.txt")) is None
    finally:
        await good.aclose()
        await bad.aclose()


async def test_a_finished_recording_goes_up_plays_by_range_and_is_deleted(
    peer: S3Peer, tmp_path: Path
) -> None:
    spool = tmp_path / "monitor"
    spool.mkdir()
    name = "pbx1-1796000001.7.wav"
    await asyncio.to_thread(write_wav, spool / name, 3)
    data = (spool / name).read_bytes()
    store = S3RecordingStore(s3_client(peer), spool=spool, prefix="calls/")
    try:
        facts = await store.take(name)
        assert facts is not None and facts.size_bytes == len(data)
        assert facts.sha256 == hashlib.sha256(data).hexdigest() and facts.duration_s == 3.0
        assert not (spool / name).exists()  # the bucket has it: the spool copy is gone
        obj = await asyncio.to_thread(peer.boto().get_object, Bucket=BUCKET, Key=f"calls/{name}")
        assert obj["Body"].read() == data
        assert obj["Metadata"] == {"sha256": facts.sha256, "duration": "3.000"}

        assert await store.size(name) == len(data)
        assert await store.facts(name) == facts
        part = b"".join([c async for c in store.read(name, 100, 1000)])
        assert part == data[100:1100]
        whole = b"".join([c async for c in store.read(name, 0, len(data))])
        assert whole == data

        assert await store.delete(name) is True
        assert await store.size(name) is None and await store.facts(name) is None
        assert await store.delete(name) is False
        with pytest.raises(FileNotFoundError):
            _ = [c async for c in store.read(name, 0, 10)]
    finally:
        await store.aclose()


async def test_a_long_recording_goes_up_in_parts(peer: S3Peer, tmp_path: Path) -> None:
    name = "pbx1-1796000002.1.wav"
    data = await asyncio.to_thread(noise_wav, tmp_path / name, 12 * 1024 * 1024)
    store = S3RecordingStore(
        s3_client(peer), spool=tmp_path, prefix="long/", part_size=5 * 1024 * 1024,
        keep_local=True,
    )  # fmt: skip
    try:
        facts = await store.take(name)
        assert facts is not None and facts.sha256 == hashlib.sha256(data).hexdigest()
        head = await asyncio.to_thread(peer.boto().head_object, Bucket=BUCKET, Key=f"long/{name}")
        assert head["ETag"].strip('"').endswith("-3")  # three parts: 5 + 5 + 2 MiB
        assert head["ContentLength"] == len(data)
        assert (tmp_path / name).read_bytes() == data  # keep_local
        start = 5 * 1024 * 1024 - 10  # across the first parts' seam
        got = b"".join([c async for c in store.read(name, start, 20)])
        assert got == data[start : start + 20]
    finally:
        await store.aclose()


async def test_a_recording_the_bucket_refuses_stays_in_the_spool_and_plays_from_there(
    peer: S3Peer, tmp_path: Path
) -> None:
    name = "pbx1-1796000003.2.wav"
    await asyncio.to_thread(write_wav, tmp_path / name, 1)
    data = (tmp_path / name).read_bytes()
    store = S3RecordingStore(s3_client(peer, bucket="no-such-bucket"), spool=tmp_path)
    try:
        facts = await store.take(name)
        assert facts is not None and facts.size_bytes == len(data)
        assert (tmp_path / name).exists()
        assert await store.size(name) == len(data)
        assert b"".join([c async for c in store.read(name, 0, 44)]) == data[:44]
    finally:
        await store.aclose()


@asynccontextmanager
async def s3_stack(database_url: str, spool: Path, peer: S3Peer) -> AsyncIterator[LiveStack]:
    await asyncio.to_thread(spool.mkdir, parents=True, exist_ok=True)
    async with live_stack(
        database_url, recordings_dir=spool, recordings_store="s3",
        recordings_s3_endpoint=peer.endpoint, recordings_s3_bucket=BUCKET,
        recordings_s3_region=REGION, recordings_s3_access_key=peer.access_key,
        recordings_s3_secret_key=peer.secret_key, recordings_s3_prefix="live/",
    ) as stack:  # fmt: skip
        stack.sim.recorder.state.spool = spool
        await stack.ami_connected()
        yield stack


async def test_a_live_call_is_recorded_into_the_bucket_played_and_purged(
    database_url: str, tmp_path: Path, peer: S3Peer, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    spool = tmp_path / "monitor"
    async with s3_stack(database_url, spool, peer) as stack, client(stack) as http:
        linkedid = await recorded_call(stack, talk_s=2)
        (row,) = await indexed(stack, linkedid)
        assert list(spool.iterdir()) == []  # uploaded, the spool emptied
        boto = peer.boto()
        obj = await asyncio.to_thread(boto.get_object, Bucket=BUCKET, Key=f"live/{row.file}")
        data = obj["Body"].read()
        assert row.sha256 == hashlib.sha256(data).hexdigest() and row.size_bytes == len(data)

        boss = await headers(stack, "supervisor")
        url = f"/api/calls/pbx1/{linkedid}/recording"
        whole = await http.get(url, headers=boss)
        assert whole.status_code == 200 and whole.content == data
        seek = await http.get(url, headers={**boss, "Range": "bytes=44-1067"})
        assert seek.status_code == 206 and seek.content == data[44:1068]
        assert seek.headers["content-range"] == f"bytes 44-1067/{len(data)}"
        # played through this server: nothing of the bucket's address or key goes out
        assert all(peer.endpoint not in v and "live/" not in v for v in seek.headers.values())

    async with open_database(database_url) as db:  # the call was long ago, in finance
        index = SqlRecordingIndex(db.engine)
        await index.remove(row)
        old = datetime.now(UTC) - timedelta(days=200)
        await index.add(
            row.__class__(**{**row.__dict__, "group_slug": "finance", "stored_at": old})
        )
    for key, value in {
        "RECORDINGS_DIR": str(spool), "RECORDINGS_STORE": "s3",
        "RECORDINGS_S3_ENDPOINT": peer.endpoint, "RECORDINGS_S3_BUCKET": BUCKET,
        "RECORDINGS_S3_REGION": REGION, "RECORDINGS_S3_ACCESS_KEY": peer.access_key,
        "RECORDINGS_S3_SECRET_KEY": peer.secret_key, "RECORDINGS_S3_PREFIX": "live/",
        "RECORDING_RETENTION_DAYS": json.dumps({"finance": 180}),
    }.items():  # fmt: skip
        monkeypatch.setenv(f"CALLCENTER_{key}", value)
    purge = ["recordings", "--database-url", database_url, "purge"]
    assert await asyncio.to_thread(main, purge) == 0
    assert [json.loads(line)["file"] for line in capsys.readouterr().out.splitlines()] == [row.file]
    listed = await asyncio.to_thread(boto.list_objects_v2, Bucket=BUCKET, Prefix="live/")
    assert listed.get("KeyCount", 0) == 0
