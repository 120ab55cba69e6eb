"""kill -9 of the only `callcenter serve` mid-burst; calls end while it is down; it restarts.

Every call the killed process had seen is stored exactly once by the restarted one: the calls
that ended during the outage are marked `ended_during_outage` (ended when first seen missing),
the calls still up carry on with the agent the journal knew. SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from sqlalchemy import func, select

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.tables_calls import CallRecordRow
from callcenter.adapters.db.tables_live import LiveCallRow
from callcenter.sim.model import ENTRY_POINTS
from callcenter.sim.server import SimulatedAsterisk
from support.livestack import SECRET, seed_floor
from support.servekit import free_port, ready, serve_env, spawn, until

ENTRIES = sorted(ENTRY_POINTS)
TIME_SCALE = 0.1  # one simulated second is 0.1 s


def _logins(sim: SimulatedAsterisk) -> int:
    return sum(1 for s in sim.sessions if s.authenticated)


async def _rows(url: str) -> tuple[list[CallRecordRow], int]:
    engine = make_engine(url)
    try:
        async with make_session_factory(engine)() as session:
            calls = list((await session.execute(select(CallRecordRow))).scalars().all())
            live = int(await session.scalar(select(func.count()).select_from(LiveCallRow)) or 0)
            return calls, live
    finally:
        await engine.dispose()


def _place(sim: SimulatedAsterisk, i: int, talk_s: float) -> str:
    caller = f"+86139{i:08d}"
    return sim.place_call(
        caller,
        f"Caller {i}",
        ENTRIES[i % len(ENTRIES)],
        agent_answers_after=1,
        talk_s=talk_s,
        caller_hangs_up_after=25,  # a caller left waiting gives up (abandoned) after 2.5 s
    )


async def test_kill_9_mid_burst_stores_every_call_it_had_seen_once(
    database_url: str, tmp_path: Path
) -> None:
    await seed_floor(database_url)
    sim = SimulatedAsterisk("callcenter", SECRET, time_scale=TIME_SCALE, seed=5)
    ami_port = await sim.start(port=0)
    http_port = free_port()
    env = serve_env(
        database_url,
        http_port,
        free_port(),
        ami_servers=[{"name": "pbx1", "port": ami_port, "secret": SECRET}],
        agi_enabled="false",
    )
    first = spawn(env, tmp_path / "first.log")
    second = None
    try:
        await ready(http_port, first)
        await until(lambda: _logins(sim) == 1, 20, "the first AMI login")
        await asyncio.sleep(0.5)  # its resync is done

        # 5 calls/s for 4 s: short ones end before the kill, medium ones while it is down,
        # long ones are still up when the new process logs in.
        placed: list[str] = []
        talks = (5.0, 40.0, 250.0, 30.0)
        for i in range(20):
            placed.append(_place(sim, i, talks[i % len(talks)]))
            await asyncio.sleep(0.2)
        await asyncio.sleep(0.3)  # the last calls are journalled (every 0.3 s)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        await asyncio.sleep(3.5)  # calls end while nobody listens
        second = spawn(env, tmp_path / "second.log")
        await ready(http_port, second)
        await until(lambda: _logins(sim) == 1, 20, "the new AMI login")
        for i in range(20, 25):  # the restarted process takes calls as usual
            placed.append(_place(sim, i, 5.0))
            await asyncio.sleep(0.2)

        await asyncio.wait_for(sim.wait_idle(), 60)

        async def stored() -> int:
            return len((await _rows(database_url))[0])

        async with asyncio.timeout(30):
            while await stored() < len(placed):
                await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # a record stored twice would have landed by now
        rows, journalled = await _rows(database_url)
        by_call = {r.linkedid: r for r in rows}
        assert sorted(r.linkedid for r in rows) == sorted(placed), "each call exactly once"
        outage = [r for r in rows if r.ended_during_outage]
        assert outage, "some calls must have ended while no process listened"
        for r in outage:
            assert r.linkedid in placed[:20]
            assert r.queues, "what the journal knew (the queue) is kept"
        # A long call answered before the kill is still the same agent's after the restart:
        # it ends in the restarted process's sight, with the talk time the PBX counted.
        survivors = [by_call[placed[i]] for i in range(2, 20, 4)]
        answered = [r for r in survivors if r.outcome == "answered"]
        assert answered, "long calls answered before the kill"
        for r in answered:
            assert r.agent is not None and not r.ended_during_outage
            assert r.talk_s >= 20.0
        assert journalled == 0, "the journal is empty once every call is stored"
        log = (tmp_path / "second.log").read_text(errors="replace")
        assert "restored from the journal" in log
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(15)
                except Exception:
                    proc.kill()
                    proc.wait()
        await sim.stop()
