"""PostgreSQL stops answering (a stalling TCP proxy in between): calls go on, nothing is lost.

PostgreSQL only: the proxy sits on the database's TCP connection, which SQLite does not have.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.migrate import upgrade
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.domain.calls.records import CallRecord
from callcenter.services.call_store import CallStore
from support import create_pg_database, drop_pg_database
from support.faults import TcpProxy, open_all_day_rules, subscribed
from support.livestack import live_stack

pytestmark = pytest.mark.postgres

OUTAGE_S = 30.0
LI_WEI = "+8613800138000"
# Asterisk's own limits on the hook: the dialplan falls back by itself past these.
AGI_DEADLINE_S = 2.0
CURL_TIMEOUT_S = 2.0


@dataclass
class Proxied:
    """A migrated PostgreSQL database reached through a proxy that can stall."""

    url: str
    proxy: TcpProxy


@pytest.fixture
async def proxied() -> AsyncIterator[Proxied]:
    """A fresh migrated database, and its URL through a loopback TCP proxy."""
    direct = await create_pg_database()
    try:
        await upgrade(direct)
        parsed = make_url(direct)
        proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
        port = await proxy.start()
        try:
            url = parsed.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
            yield Proxied(url=url, proxy=proxy)
        finally:
            await proxy.close()
    finally:
        await drop_pg_database(direct)


async def _metric(port: int, name: str) -> float:
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


async def test_thirty_seconds_without_database(
    proxied: Proxied, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """Figure: 30 s of a silent database -> 6/6 routes answered (fallback), 5/5 pops out marked
    incomplete, 5/5 call records held in the buffer then written once, 0 lost."""
    caplog.set_level(logging.WARNING)
    # five calls queue behind agent 1001 (simulated minutes): keep them in member-hotline
    rules = open_all_day_rules(tmp_path, overflow_after_s=3600)
    async with live_stack(
        proxied.url, agi=True, dialplan_allow=["127.0.0.1"], routing_file=rules
    ) as stack:
        await stack.ami_connected()
        wang = await stack.agent_socket("1001")
        await subscribed(stack, "1001")
        before = stack.sim.place_call(
            LI_WEI, "Li Wei", "8001", answer_by="1001", agent_answers_after=2, talk_s=3
        )
        pop = await wang.next("screen_pop", complete=True)
        assert pop["call"]["linkedid"] == before and pop["caller"]["status"] == "matched"
        await stack.settled()
        runtime = stack.runtime
        assert runtime.store.stored == 1 and runtime.routing.stats.fallbacks == 0

        loop = asyncio.get_running_loop()
        proxied.proxy.stall()
        stalled_at = loop.time()

        during = [
            stack.sim.place_call(
                LI_WEI, "Li Wei", "8001", answer_by="1001", agent_answers_after=2, talk_s=3
            )
            for _ in range(5)
        ]
        # The HTTP twin of the hook, as Asterisk's CURL() calls it, under its own timeout.
        async with httpx.AsyncClient(timeout=CURL_TIMEOUT_S) as client:
            reply = await client.get(
                f"http://127.0.0.1:{stack.http_port}/api/dialplan/route",
                params={"caller": LI_WEI, "did": "8001"},
            )
        assert reply.status_code == 200
        assert reply.json()["variables"]["CC_REASON"] == "fallback"
        assert reply.json()["variables"]["CC_QUEUE"] == "member-hotline"

        pops = {}
        while len(pops) < len(during):
            msg = await wang.next("screen_pop", timeout=20)
            pops[msg["call"]["linkedid"]] = msg
        assert set(pops) == set(during)
        for msg in pops.values():
            assert msg["complete"] is False  # the desktop shows "record loading / unavailable"
            assert msg["call"]["routing_reason"] == "fallback"  # our hook answered in time
            assert msg["call"]["caller"] == LI_WEI  # the number is there even without the record

        await stack.sim.wait_idle()  # all five calls have ended, with the database still away
        async with asyncio.timeout(10):
            while runtime.store.pending < len(during) - 1:  # one may be in the writer's hands
                await asyncio.sleep(0.05)
        assert runtime.store.stored == 1
        assert await _metric(stack.http_port, "callcenter_call_store_pending") >= len(during) - 1
        assert await _metric(stack.http_port, "callcenter_route_fallbacks_total") == 6
        assert runtime.routing.stats.fallbacks == 6  # five calls over FastAGI + one over HTTP
        incomplete = await _metric(stack.http_port, "callcenter_screen_pops_incomplete_total")
        assert incomplete >= len(during)

        await asyncio.sleep(max(0.0, OUTAGE_S - (loop.time() - stalled_at)))
        proxied.proxy.resume()

        assert await runtime.store.flushed(60)
        assert runtime.store.stored == 1 + len(during)
        assert runtime.store.lost == 0 and runtime.store.duplicates == 0
        async with runtime.uow() as uow:
            for linkedid in during:
                record = await uow.calls.get("pbx1", linkedid)
                assert record is not None, f"call {linkedid} lost in the outage"
                assert record.outcome == "answered"
                assert record.agent == "Wang Fang"

        # And the floor is back to normal: a new call pops complete and is stored.
        after = stack.sim.place_call(
            LI_WEI, "Li Wei", "8001", answer_by="1001", agent_answers_after=2, talk_s=3
        )
        pop = await wang.next("screen_pop", complete=True, timeout=30)
        assert pop["call"]["linkedid"] == after and pop["caller"]["status"] == "matched"
        await stack.settled(timeout=30)
        assert runtime.store.stored == 2 + len(during)
        await wang.ws.close()
    assert any("screen-pop fetch" in r.getMessage() for r in caplog.records)


async def test_dropped_database_connections_are_retried(proxied: Proxied) -> None:
    """Figure: every database connection reset while 5 calls end -> 5 records, each written once."""
    async with live_stack(proxied.url) as stack:
        await stack.ami_connected()
        runtime = stack.runtime
        linkedids = [
            stack.sim.place_call(
                LI_WEI, "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=2
            )
            for _ in range(5)
        ]
        proxied.proxy.stall()  # writes pile up on connections that are about to die
        await stack.sim.wait_idle()
        proxied.proxy.drop()
        proxied.proxy.resume()
        assert await runtime.store.flushed(60)
        assert runtime.store.stored == len(linkedids)
        assert runtime.store.duplicates == 0 and runtime.store.lost == 0
        async with runtime.uow() as uow:
            for linkedid in linkedids:
                assert await uow.calls.exists("pbx1", linkedid)


def _record(n: int) -> CallRecord:
    at = datetime(2026, 11, 23, 2, 0, n, tzinfo=UTC)
    return CallRecord(
        pbx="pbx1",
        linkedid=f"1700000000.{n}",
        direction="inbound",
        caller=LI_WEI,
        caller_name="Li Wei",
        queues=("member-hotline",),
        agent=None,
        outcome="abandoned",
        wait_s=12.0,
        talk_s=0.0,
        ring_attempts=0,
        transferred=False,
        started_at=at,
        ended_at=at,
    )


async def test_buffer_overflow_is_counted_and_logged(
    proxied: Proxied, caplog: pytest.LogCaptureFixture
) -> None:
    """Figure: buffer of 3, database silent, 6 calls end -> 1 in flight + 3 kept, 2 lost, each
    lost call named in an ERROR log line; the 4 kept are all written once the database is back."""
    engine = make_engine(proxied.url)
    store = CallStore(uow=lambda: SqlUnitOfWork(make_session_factory(engine)), capacity=3)
    store.start()
    try:
        proxied.proxy.stall()
        assert store.submit(_record(0))
        async with asyncio.timeout(5):
            while store.pending:  # the writer took it and now hangs on the silent database
                await asyncio.sleep(0.01)
        caplog.set_level(logging.ERROR, logger="callcenter.services.call_store")
        accepted = [store.submit(_record(n)) for n in range(1, 6)]
        assert accepted == [True, True, True, False, False]
        assert store.lost == 2 and store.pending == 3
        lost_lines = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert any("1700000000.4" in line for line in lost_lines)
        assert any("1700000000.5" in line for line in lost_lines)

        proxied.proxy.resume()
        assert await store.flushed(60)
        assert store.stored == 4 and store.lost == 2
        async with SqlUnitOfWork(make_session_factory(engine)) as uow:
            kept = [await uow.calls.exists("pbx1", f"1700000000.{n}") for n in range(6)]
        assert kept == [True, True, True, True, False, False]
    finally:
        proxied.proxy.resume()
        await store.aclose()
        await engine.dispose()


async def test_a_stop_while_the_database_is_silent_names_every_unwritten_call(
    proxied: Proxied, caplog: pytest.LogCaptureFixture
) -> None:
    """Figure: database silent, 5 calls end, the process stops with 0.3 s to drain -> the ERROR
    line says 5 records unwritten: the batch that was in flight counts too (its calls are in
    the live-call journal, which the next process stores)."""
    engine = make_engine(proxied.url)
    store = CallStore(uow=lambda: SqlUnitOfWork(make_session_factory(engine)))
    store.start()
    try:
        proxied.proxy.stall()
        for n in range(5):
            assert store.submit(_record(n))
        async with asyncio.timeout(5):
            while store.pending:  # the writer took the batch and hangs on the silent database
                await asyncio.sleep(0.01)
        caplog.set_level(logging.ERROR, logger="callcenter.services.call_store")
        await store.aclose(drain_s=0.3)
        assert store.pending == 5 and store.stored == 0
        assert any("5 call records unwritten" in r.getMessage() for r in caplog.records)
    finally:
        proxied.proxy.resume()
        await store.aclose()
        await engine.dispose()
