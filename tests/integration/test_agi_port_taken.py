"""The FastAGI port already taken: the backend refuses to start and names the address, in one line.

Serving without the hook would send every call to the dialplan's fallback without anyone noticing.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from callcenter.app import create_app
from callcenter.settings import Settings


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port some other program already listens on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield int(taken.getsockname()[1])


async def test_the_app_does_not_start_without_its_fastagi_hook(
    database_url: str, taken_port: int
) -> None:
    settings = Settings(
        database_url=database_url, ami_servers=[], agi_host="127.0.0.1", agi_port=taken_port
    )  # type: ignore[call-arg]
    app = create_app(settings)
    before = asyncio.all_tasks()
    with pytest.raises(RuntimeError) as refused:
        async with app.router.lifespan_context(app):
            pytest.fail("the app started without its FastAGI hook")
    assert f"FastAGI server could not listen on 127.0.0.1:{taken_port}" in str(refused.value)
    await asyncio.sleep(0.05)
    left = [t.get_name() for t in asyncio.all_tasks() - before if not t.done()]
    assert left == []  # what had started (store, webhooks, refreshers) was stopped again


def test_serve_exits_with_one_line_naming_the_address(database_url: str, taken_port: int) -> None:
    env = {
        **os.environ,
        "CALLCENTER_DATABASE_URL": database_url,
        "CALLCENTER_AMI_SERVERS": "[]",
        "CALLCENTER_AGI_HOST": "127.0.0.1",
        "CALLCENTER_AGI_PORT": str(taken_port),
        "CALLCENTER_LOG_LEVEL": "WARNING",
    }
    serve = subprocess.run(
        [sys.executable, "-m", "callcenter", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert serve.returncode != 0
    assert "Traceback" not in serve.stderr
    last = serve.stderr.strip().splitlines()[-1]
    assert last.startswith("callcenter serve: FastAGI server could not listen on ")
    assert f"127.0.0.1:{taken_port}" in last
    assert len(serve.stderr.strip().splitlines()) <= 4, serve.stderr  # no traceback in between
