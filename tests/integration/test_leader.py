"""The AMI leader lock: one listener per PBX across processes, failover when the holder dies."""

from __future__ import annotations

import asyncio
import random

import asyncpg
from sqlalchemy.engine import make_url

from callcenter.adapters.ami.leader import AmiLeader, asyncpg_dsn, lock_key
from support.servekit import until


class FakeListener:
    """Counts starts and stops; `running` is what matters: never two at once."""

    def __init__(self, running: list[str], name: str) -> None:
        self.name = name
        self.starts = 0
        self.stops = 0
        self._running = running

    async def start(self) -> None:
        self.starts += 1
        self._running.append(self.name)

    async def stop(self) -> None:
        self.stops += 1
        if self.name in self._running:
            self._running.remove(self.name)


def test_lock_key_is_stable_signed_64_bit_and_differs_per_pbx() -> None:
    keys = {lock_key(f"pbx{n}") for n in range(200)}
    assert len(keys) == 200
    assert all(-(2**63) <= k < 2**63 for k in keys)
    assert lock_key("pbx1") == lock_key("pbx1")
    assert lock_key("北京") != lock_key("上海")


def test_only_postgresql_urls_have_a_lock_dsn() -> None:
    assert asyncpg_dsn("sqlite+aiosqlite:///./x.db") is None
    dsn = asyncpg_dsn("postgresql+asyncpg://u:p%40ss@127.0.0.1:5432/cc")
    assert dsn is not None and dsn.startswith("postgresql://")
    assert make_url(dsn).password == "p@ss"


async def test_one_listener_per_pbx_and_failover(empty_database_url: str) -> None:
    running: list[str] = []
    a = AmiLeader(
        pbx="pbx1",
        listener=FakeListener(running, "a"),
        database_url=empty_database_url,
        retry_s=0.1,
        check_s=0.1,
    )
    b = AmiLeader(
        pbx="pbx1",
        listener=FakeListener(running, "b"),
        database_url=empty_database_url,
        retry_s=0.1,
        check_s=0.1,
    )
    await a.start()
    await until(lambda: a.leading)
    await b.start()
    try:
        if asyncpg_dsn(empty_database_url) is None:
            # SQLite: one process by definition, nothing to compete for: everyone leads.
            await until(lambda: b.leading)
            assert sorted(running) == ["a", "b"]
            return
        await asyncio.sleep(0.5)
        assert running == ["a"] and not b.leading
        await a.stop()  # the holder goes away: the other takes over
        await until(lambda: b.leading)
        assert running == ["b"]
    finally:
        await a.stop()
        await b.stop()
    assert running == []


async def test_losing_the_lock_connection_stops_the_listener_at_once(
    empty_database_url: str,
) -> None:
    dsn = asyncpg_dsn(empty_database_url)
    running: list[str] = []
    listeners = {n: FakeListener(running, n) for n in ("a", "b")}
    leaders = {
        n: AmiLeader(
            pbx="pbx-cut",
            listener=listeners[n],
            database_url=empty_database_url,
            retry_s=0.1,
            check_s=0.1,
        )
        for n in ("a", "b")
    }
    for leader in leaders.values():
        await leader.start()
    try:
        await until(lambda: any(x.leading for x in leaders.values()))
        if dsn is None:
            await until(lambda: all(x.leading for x in leaders.values()))
            assert sorted(running) == ["a", "b"]
            return
        first = next(n for n, x in leaders.items() if x.leading)
        other = "b" if first == "a" else "a"
        # PostgreSQL drops the holder's session (as when its node is cut off or killed).
        admin = await asyncpg.connect(dsn)
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks"
                " WHERE locktype = 'advisory' AND granted"
                " AND ((classid::bigint << 32) | objid::bigint) = $1::bigint",
                lock_key("pbx-cut"),
            )
        finally:
            await admin.close()
        await until(lambda: listeners[first].stops >= 1)
        await until(lambda: leaders[other].leading or leaders[first].leading)
        assert len(running) == 1  # never two listeners
        assert listeners[first].stops == 1
    finally:
        for leader in leaders.values():
            await leader.stop()
    assert running == []


async def test_stop_always_stops_even_when_it_lands_as_a_lock_check_answers(
    empty_database_url: str,
) -> None:
    """Figure: a leader checking its lock back to back is stopped 100 times, at random
    points of its check -> every stop returns within 5 s, the listener is stopped each time and
    the lock is free for the next one (on 3.11 a cancel that lands as an awaited check completes
    used to be swallowed by wait_for: the leader kept its lock and stop() never returned)."""
    running: list[str] = []
    listener = FakeListener(running, "a")
    for _ in range(100):
        leader = AmiLeader(
            pbx="pbx-stop",
            listener=listener,
            database_url=empty_database_url,
            retry_s=0.01,
            check_s=0.0,
        )
        await leader.start()
        await until(lambda leader=leader: leader.leading)  # type: ignore[misc]
        await asyncio.sleep(random.uniform(0.0, 0.02))
        async with asyncio.timeout(5):
            await leader.stop()
        assert running == [] and not leader.leading
    assert listener.starts == listener.stops == 100
