"""A real `callcenter serve` process for the fault suite: spawn, wait until it answers, stop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.domain.access.auth import hash_token, new_token


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def until(check: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    """Wait until `check()` holds; a clear failure naming `what` otherwise."""
    try:
        async with asyncio.timeout(timeout):
            while not check():
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what or check}") from None


@dataclass
class Served:
    """One running serve process."""

    proc: subprocess.Popen[bytes]
    http_port: int
    agi_port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def log_text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def open_fds(self) -> int:
        """File descriptors the server process holds now."""
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def cpu_s(self) -> float:
        """CPU seconds the server process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def metric(self, name: str) -> float:
        """One unlabelled sample from the process's /metrics (loopback, no proxy headers)."""
        async with httpx.AsyncClient(timeout=10) as client:
            text = (await client.get(f"{self.base}/metrics")).text
        for line in text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
        raise AssertionError(f"{name} not in /metrics")


async def ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 40.0) -> None:
    """Wait until the process answers HTTP on its port (not merely until something listens)."""
    async with asyncio.timeout(timeout), httpx.AsyncClient(timeout=2) as client:
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"serve exited with {proc.returncode} before answering")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"http://127.0.0.1:{port}/metrics")).status_code == 200:
                    return
            await asyncio.sleep(0.1)


def serve_env(
    database_url: str, http_port: int, agi_port: int, **settings: object
) -> dict[str, str]:
    """The environment of a serve process: no AMI, FastAGI on `agi_port`, extra settings."""
    env = {
        **os.environ,
        "CALLCENTER_DATABASE_URL": database_url,
        "CALLCENTER_AMI_SERVERS": "[]",
        "CALLCENTER_HTTP_PORT": str(http_port),
        "CALLCENTER_AGI_PORT": str(agi_port),
        "CALLCENTER_LOG_LEVEL": "INFO",
    }
    for key, value in settings.items():
        text = value if isinstance(value, str) else json.dumps(value)
        env[f"CALLCENTER_{key.upper()}"] = text
    return env


def spawn(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`python -m callcenter serve` with this environment, its output to `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "callcenter", "serve"], env=env, stdout=out, stderr=out
        )


@contextlib.asynccontextmanager
async def served(database_url: str, tmp: Path, **settings: object) -> AsyncIterator[Served]:
    """`callcenter serve` on free ports with CALLCENTER_<KEY> settings; stopped after."""
    http_port, agi_port = free_port(), free_port()
    log = tmp / f"serve-{http_port}.log"
    proc = spawn(serve_env(database_url, http_port, agi_port, **settings), log)
    try:
        await ready(http_port, proc)
        yield Served(proc, http_port, agi_port, log)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def make_tokens(database_url: str, role: str, agents: list[str | None]) -> list[str]:
    """One new token per entry (an agent code, or None for a non-agent role), in one transaction."""
    engine = make_engine(database_url)
    try:
        async with SqlUnitOfWork(make_session_factory(engine)) as uow:
            ids = {a.code: a.id for a in await uow.agents.list_all()}
            tokens = [new_token() for _ in agents]
            for token, agent in zip(tokens, agents, strict=True):
                await uow.tokens.add(
                    token_hash=hash_token(token),
                    role=role,
                    agent_id=ids[agent] if agent else None,
                )
            await uow.commit()
        return tokens
    finally:
        await engine.dispose()
