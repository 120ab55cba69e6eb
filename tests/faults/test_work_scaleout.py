"""Work items filed on a process that does not offer are offered at once by the one that does.

Two processes on one database: this test's app (the simulated Asterisk's listener, the offering
loop) and a `callcenter serve` process without either, where the item is filed over REST. Over
the Redis bus the other process's small `work` message brings the item at once (the fallback
poll is set to 10 minutes, so it cannot be what delivers it); without a bus the incremental
poll does; while its bus is cut, so does the poll, and once the bus is back the offering process
reads every open item once (what it missed). Otherwise it never reads every open item again.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from test_work_offers import seed_letters

from support.faults import TcpProxy
from support.livestack import LiveStack, live_stack
from support.servekit import Served, make_tokens, served, until

REDIS_URL = os.environ.get("CALLCENTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def file_letter(other: Served, token: str) -> int:
    """A letter filed over REST on the other process."""
    async with httpx.AsyncClient(base_url=other.base, timeout=10) as http:
        made = await http.post(
            "/api/work-items",
            json={
                "kind": "letter",
                "subject": "Change of address",
                "body": "",
                "from": {"email": "reader@example.com"},
                "group": "letters",
            },
            headers={"Authorization": f"Bearer {token}"},
        )
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


async def offered_at_once(stack: LiveStack, other: Served, database_url: str) -> float:
    """File on the other process; seconds until the offer reaches agent 1007 on this one."""
    desk = await stack.agent_socket("1007")
    (token,) = await make_tokens(database_url, "admin", [None])
    started = time.monotonic()
    item = await file_letter(other, token)
    offer = await desk.next("work_offer", item_id=item, timeout=8)
    assert offer["group"] == "letters"
    return time.monotonic() - started


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_an_item_filed_on_another_process_is_offered_over_the_bus(
    database_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    await seed_letters(database_url)
    bus = {"bus_url": REDIS_URL, "bus_prefix": redis_prefix, "work_feed_poll_s": 600.0}
    async with live_stack(database_url, wait_ami=True, **bus) as stack:
        scaleout, feed, work = (
            stack.runtime.scaleout,
            stack.runtime.work_feed,
            stack.runtime.work_offers,
        )
        assert scaleout is not None and feed is not None and work is not None
        await until(lambda: scaleout.rpc.healthy, what="the offering process on the bus")
        async with served(database_url, tmp_path, work_offers_enabled=False, **bus) as other:
            took = await offered_at_once(stack, other, database_url)
        assert took < 5.0  # not a poll's 10 minutes (nor the old loop's 30 s re-read)
        assert feed.heard_ids >= 1 and feed.polls == 0
        assert work.full_reads == 1  # the start's; only the new item was read, by id


async def test_without_a_bus_the_incremental_poll_finds_the_other_process_s_item(
    database_url: str, tmp_path: Path
) -> None:
    await seed_letters(database_url)
    async with live_stack(database_url, wait_ami=True, work_feed_poll_s=0.5) as stack:
        feed, work = stack.runtime.work_feed, stack.runtime.work_offers
        assert feed is not None and work is not None
        async with served(database_url, tmp_path, work_offers_enabled=False) as other:
            took = await offered_at_once(stack, other, database_url)
        assert took < 5.0
        assert feed.polls >= 1
        assert work.full_reads == 1


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_while_the_bus_is_cut_the_poll_finds_the_item_and_the_bus_back_reads_all_once(
    database_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    await seed_letters(database_url)
    redis = urlsplit(REDIS_URL)
    proxy = TcpProxy(redis.hostname or "127.0.0.1", redis.port or 6379)
    cut_url = f"redis://127.0.0.1:{await proxy.start()}{redis.path}"
    mine = {"bus_url": cut_url, "bus_prefix": redis_prefix, "work_feed_poll_s": 0.3}
    try:
        async with live_stack(database_url, wait_ami=True, **mine) as stack:
            scaleout, feed, work = (
                stack.runtime.scaleout,
                stack.runtime.work_feed,
                stack.runtime.work_offers,
            )
            assert scaleout is not None and feed is not None and work is not None
            await until(lambda: scaleout.rpc.healthy, what="the offering process on the bus")
            theirs = {"bus_url": REDIS_URL, "bus_prefix": redis_prefix}
            async with served(database_url, tmp_path, work_offers_enabled=False, **theirs) as other:
                proxy.stall()
                proxy.drop()
                await until(lambda: not scaleout.rpc.healthy, what="the bus seen cut")
                took = await offered_at_once(stack, other, database_url)
                assert took < 5.0 and feed.polls >= 1 and feed.heard_ids == 0
                assert work.full_reads == 1
                proxy.resume()
                await until(lambda: work.full_reads == 2, timeout=30, what="a full read")
    finally:
        await proxy.close()
