"""Shutdown goes on past a piece that hangs or fails: a stuck peer never keeps a process alive."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from callcenter import runtime


async def test_a_closer_that_hangs_is_cancelled_after_the_grace(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(runtime, "CLOSE_GRACE_S", 0.2)
    cancelled = asyncio.Event()

    async def stuck_peer() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="callcenter.runtime"):
        await runtime._bounded(stuck_peer)
    assert time.monotonic() - started < 2
    assert cancelled.is_set()
    assert "stuck_peer did not stop within" in caplog.text


async def test_a_closer_that_fails_is_logged_and_the_next_one_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[str] = []

    async def broken() -> None:
        raise RuntimeError("socket already gone")

    async def database() -> None:
        ran.append("database")

    with caplog.at_level(logging.ERROR, logger="callcenter.runtime"):
        for closer in (broken, database):
            await runtime._bounded(closer)
    assert ran == ["database"]
    assert "broken failed" in caplog.text
    assert "socket already gone" in caplog.text
