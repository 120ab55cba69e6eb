"""A work login served by a process that does not offer reaches the one that does.

Two processes on one database: this test's app (the simulated Asterisk's listener, the offering
loop) and a `callcenter serve` process without either, where the agent logs in to the work
group. Over the Redis bus its small `work_login` message makes the offering process read the
logins at once (the feed's poll is set to 10 minutes and the floor is re-read every 30 s, so
neither can be what delivers it); without a bus the change feed's poll does.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import httpx
import pytest
from test_work_offers import file_item, seed_letters

from support.livestack import LiveStack, live_stack
from support.servekit import Served, make_tokens, served, until

REDIS_URL = os.environ.get("CALLCENTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def choose(where: str, database_url: str, code: str, action: str) -> None:
    (token,) = await make_tokens(database_url, "agent", [code])
    async with httpx.AsyncClient(base_url=where, timeout=10) as http:
        done = await http.post(
            f"/api/agents/{code}/work-{action}", headers={"Authorization": f"Bearer {token}"}
        )
    assert done.status_code == 200, done.text


async def login_elsewhere_reaches_the_offers(
    stack: LiveStack, other: Served, database_url: str
) -> float:
    """Both letters agents log out (here); an item waits; 1007 logs in on the other process:
    seconds until the offer reaches 1007's desktop on this one."""
    desk = await stack.agent_socket("1007")
    for code in ("1007", "1008"):
        await choose(stack.url(""), database_url, code, "logout")
    item = await file_item(stack, "letter", "letters")
    await asyncio.sleep(1.0)
    assert [m for m in await desk.drain(0.2) if m["type"] == "work_offer"] == []
    started = time.monotonic()
    await choose(other.base, database_url, "1007", "login")
    await desk.next("work_offer", item_id=item, timeout=8)
    return time.monotonic() - started


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_work_login_on_another_process_reaches_the_offering_one_over_the_bus(
    database_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    await seed_letters(database_url)
    bus = {"bus_url": REDIS_URL, "bus_prefix": redis_prefix, "work_feed_poll_s": 600.0}
    async with live_stack(database_url, wait_ami=True, **bus) as stack:
        scaleout = stack.runtime.scaleout
        assert scaleout is not None
        await until(lambda: scaleout.rpc.healthy, what="the offering process on the bus")
        async with served(database_url, tmp_path, work_offers_enabled=False, **bus) as other:
            took = await login_elsewhere_reaches_the_offers(stack, other, database_url)
        assert took < 2.0  # not the feed's 10 minutes nor the floor's 30 s


async def test_without_a_bus_the_feed_s_poll_brings_the_work_login(
    database_url: str, tmp_path: Path
) -> None:
    await seed_letters(database_url)
    async with live_stack(database_url, wait_ami=True, work_feed_poll_s=0.5) as stack:
        async with served(database_url, tmp_path, work_offers_enabled=False) as other:
            took = await login_elsewhere_reaches_the_offers(stack, other, database_url)
        assert took < 5.0  # a poll, not the floor's 30 s
