"""Recording playback: 100 concurrent players seeking through a 10-minute WAV with Range requests.

The backend runs as its own process (`callcenter serve`, one worker, no Asterisk); this process
plays: each player asks for 256 KiB ranges at random offsets, one after the other, for
--seconds as fast as it can (throughput: range requests/s, MB/s, and the first byte of requests
queued behind the others), then for --seconds again seeking every --seek-every-s on average (the
first byte a listener waits for when the server is not saturated). The server's CPU time per
request (and MB per CPU second) says what the code costs whatever the rest of the machine does.
Last line key=value.

Usage: python bench/recordings.py [--players 100] [--seconds 10] [--chunk-kib 256]
                                  [--seek-every-s 0.5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
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
_CONTENT_LENGTH = re.compile(rb"(?i)\r\ncontent-length: *(\d+)")


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
    port: int, token: str, size: int, chunk: int, until: float, rng: random.Random,
    first_bytes: list[float], moved: list[int], pause_s: float = 0.0,
) -> None:  # fmt: skip
    """One keep-alive connection asking for ranges one after the other (HTTP/1.1 by hand:
    httpx's pool scans every connection per request and was what the old figures measured)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            if pause_s:  # a listener seeking now and then (random gaps, pause_s on average)
                await asyncio.sleep(rng.expovariate(1 / pause_s))
            start = rng.randrange(0, max(1, size - chunk))
            began = time.perf_counter()
            writer.write(
                f"GET /api/calls/pbx1/{LINKEDID}/recording HTTP/1.1\r\nHost: bench\r\n"
                f"Authorization: Bearer {token}\r\n"
                f"Range: bytes={start}-{start + chunk - 1}\r\n\r\n".encode()
            )
            head = await reader.readuntil(b"\r\n\r\n")
            status = head[9:12]
            assert status == b"206", head
            length = int(_CONTENT_LENGTH.search(head).group(1))  # type: ignore[union-attr]
            left = length
            data = await reader.read(left)
            first_bytes.append(time.perf_counter() - began)
            left -= len(data)
            while left:
                data = await reader.read(left)
                if not data:
                    raise ConnectionError("the server closed the connection mid-body")
                left -= len(data)
            moved[0] += length
    finally:
        writer.close()


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc): what the server spent, whatever
    else the machine's cores were busy with."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def play(
    args: argparse.Namespace, port: int, token: str, size: int, server_pid: int
) -> dict[str, object]:
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}
    ) as http:  # wait for the server
        for _ in range(200):
            try:
                if (await http.get("/api/monitoring")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    chunk = args.chunk_kib * 1024

    async def phase(pause_s: float) -> tuple[list[float], int, float]:
        first_bytes: list[float] = []
        moved = [0]
        began = time.perf_counter()
        until = began + args.seconds
        await asyncio.gather(*(
            player(port, token, size, chunk, until, random.Random(n), first_bytes, moved, pause_s)
            for n in range(args.players)
        ))  # fmt: skip
        first_bytes.sort()
        return first_bytes, moved[0], time.perf_counter() - began

    def p(samples: list[float], q: float) -> float:
        return round(samples[min(len(samples) - 1, int(q * len(samples)))] * 1000, 1)

    # every player asks again as soon as it has its range: throughput, and first bytes queued
    cpu_before = cpu_seconds(server_pid)
    first_bytes, moved, elapsed = await phase(0.0)
    cpu = cpu_seconds(server_pid) - cpu_before
    # every player seeks every --seek-every-s on average: first byte of a server not saturated
    seeks, _, _ = await phase(args.seek_every_s)
    return {
        "players": args.players,
        "file_mb": round(size / 1e6, 1),
        "chunk_kib": args.chunk_kib,
        "requests": len(first_bytes),
        "requests_per_s": round(len(first_bytes) / elapsed, 1),
        "mb_per_s": round(moved / 1e6 / elapsed, 1),
        "first_byte_p50_ms": p(first_bytes, 0.50),
        "first_byte_p99_ms": p(first_bytes, 0.99),
        "server_cpu_us_per_request": round(cpu / max(1, len(first_bytes)) * 1e6),
        "mb_per_server_cpu_s": round(moved / 1e6 / max(cpu, 1e-9), 1),
        "seek_every_s": args.seek_every_s,
        "seek_requests": len(seeks),
        "seek_first_byte_p50_ms": p(seeks, 0.50),
        "seek_first_byte_p99_ms": p(seeks, 0.99),
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
            return asyncio.run(play(args, port, token, size, server.pid))
        finally:
            server.terminate()
            server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--players", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the WAV")
    parser.add_argument("--chunk-kib", type=int, default=256)
    parser.add_argument(
        "--seek-every-s", type=float, default=0.5, help="mean gap between a listener's seeks"
    )
    args = parser.parse_args()
    figures = bench(args)
    print(" ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
