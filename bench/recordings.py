"""Recording playback: 100 concurrent players seeking through a 10-minute WAV with Range requests.

The backend runs as its own process (`callcenter serve`, one worker, no Asterisk); this process
plays: each player asks for 256 KiB ranges at random offsets, one after the other, for
--seconds. Prints range requests/s, MB/s, first-byte p50/p99; last line key=value.

Usage: python bench/recordings.py [--players 100] [--seconds 10] [--chunk-kib 256]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from callcenter.adapters.db.migrate import upgrade
from callcenter.adapters.db.repo_recordings import SqlRecordingIndex
from callcenter.bootstrap import open_database
from callcenter.ports.recordings import StoredRecording
from callcenter.services.tokens import create_token
from callcenter.sim.recording import write_wav

LINKEDID = "1796000000.1"
FILE = f"pbx1-{LINKEDID}.wav"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def prepare(url: str, spool: Path, minutes: float) -> str:
    await upgrade(url)
    await asyncio.to_thread(write_wav, spool / FILE, minutes * 60)
    async with open_database(url) as db:
        await SqlRecordingIndex(db.engine).add(
            StoredRecording("pbx1", LINKEDID, FILE, None, None, None, None, datetime.now(UTC))
        )
        token, _ = await create_token(uow=db.uow, role="supervisor")
    return token


async def player(
    http: httpx.AsyncClient, size: int, chunk: int, until: float, rng: random.Random,
    first_bytes: list[float], moved: list[int],
) -> None:  # fmt: skip
    while time.perf_counter() < until:
        start = rng.randrange(0, max(1, size - chunk))
        headers = {"Range": f"bytes={start}-{start + chunk - 1}"}
        began = time.perf_counter()
        async with http.stream(
            "GET", f"/api/calls/pbx1/{LINKEDID}/recording", headers=headers
        ) as r:
            assert r.status_code == 206, r.status_code
            first = True
            async for data in r.aiter_raw():
                if first:
                    first_bytes.append(time.perf_counter() - began)
                    first = False
                moved[0] += len(data)


def serve(url: str, spool: Path, port: int) -> subprocess.Popen[bytes]:
    """`callcenter serve` on this database and spool, as its own process."""
    env = {
        **os.environ,
        "CALLCENTER_DATABASE_URL": url,
        "CALLCENTER_RECORDINGS_DIR": str(spool),
        "CALLCENTER_AGI_ENABLED": "false",
        "CALLCENTER_HTTP_PORT": str(port),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "callcenter", "--log-level", "WARNING", "serve"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


async def play(args: argparse.Namespace, port: int, token: str, size: int) -> dict[str, object]:
    limits = httpx.Limits(max_connections=args.players, max_keepalive_connections=args.players)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {token}"},
        limits=limits,
        timeout=30,
    ) as http:
        for _ in range(200):
            try:
                if (await http.get("/api/monitoring")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        first_bytes: list[float] = []
        moved = [0]
        began = time.perf_counter()
        until = began + args.seconds
        chunk = args.chunk_kib * 1024
        await asyncio.gather(*(
            player(http, size, chunk, until, random.Random(n), first_bytes, moved)
            for n in range(args.players)
        ))  # fmt: skip
        elapsed = time.perf_counter() - began
    first_bytes.sort()

    def p(q: float) -> float:
        return round(first_bytes[min(len(first_bytes) - 1, int(q * len(first_bytes)))] * 1000, 1)

    return {
        "players": args.players,
        "file_mb": round(size / 1e6, 1),
        "chunk_kib": args.chunk_kib,
        "requests": len(first_bytes),
        "requests_per_s": round(len(first_bytes) / elapsed, 1),
        "mb_per_s": round(moved[0] / 1e6 / elapsed, 1),
        "first_byte_p50_ms": p(0.50),
        "first_byte_p99_ms": p(0.99),
    }


def bench(args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        spool = Path(tmp) / "monitor"
        spool.mkdir()
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        token = asyncio.run(prepare(url, spool, args.minutes))
        size = (spool / FILE).stat().st_size
        port = _free_port()
        server = serve(url, spool, port)
        try:
            return asyncio.run(play(args, port, token, size))
        finally:
            server.terminate()
            server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--players", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the WAV")
    parser.add_argument("--chunk-kib", type=int, default=256)
    args = parser.parse_args()
    figures = bench(args)
    print(" ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
