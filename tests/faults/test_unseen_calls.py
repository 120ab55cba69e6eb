"""Calls that begin and end while no process is logged in to the AMI (issue 17, item 4).

The only `callcenter serve` is killed; Asterisk goes on taking calls, which end before a new
process logs in. No process saw them, so neither the journal nor the resync can know them; the
restarted process reads them back from Asterisk's queue_log after its login and stores each once,
marked ended during the outage. SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from sqlalchemy import select

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.tables_calls import CallRecordRow
from callcenter.sim.server import SimulatedAsterisk
from support.livestack import SECRET, seed_floor
from support.servekit import free_port, ready, serve_env, spawn, until

TIME_SCALE = 0.1  # one simulated second is 0.1 s


async def _stored(url: str) -> list[CallRecordRow]:
    engine = make_engine(url)
    try:
        async with make_session_factory(engine)() as session:
            return list((await session.execute(select(CallRecordRow))).scalars().all())
    finally:
        await engine.dispose()


def _logins(sim: SimulatedAsterisk) -> int:
    return sum(1 for s in sim.sessions if s.authenticated)


async def test_calls_no_process_saw_are_read_back_from_the_queue_log(
    database_url: str, tmp_path: Path
) -> None:
    """Figure: 6 calls (4 answered, 2 abandoned) begun and ended while the only process was
    dead -> all 6 stored once by the restarted process, ended_during_outage, with the queue,
    agent and outcome the queue_log gives; counted in /metrics."""
    await seed_floor(database_url)
    queue_log = tmp_path / "queue_log"
    sim = SimulatedAsterisk(
        "callcenter", SECRET, time_scale=TIME_SCALE, seed=3, queue_log=queue_log
    )
    ami_port = await sim.start(port=0)
    http_port = free_port()
    pbx = {"name": "pbx1", "port": ami_port, "secret": SECRET, "queue_log": str(queue_log)}
    env = serve_env(database_url, http_port, free_port(), ami_servers=[pbx], agi_enabled="false")
    first = spawn(env, tmp_path / "first.log")
    second = None
    try:
        await ready(http_port, first)
        await until(lambda: _logins(sim) == 1, 20, "the first AMI login")
        seen = sim.place_call("+8613900000099", "Seen", "8001", agent_answers_after=1, talk_s=5)
        await asyncio.sleep(2.0)  # it ends in the first process's sight
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        await until(lambda: _logins(sim) == 0, 10, "the AMI session to drop")
        unseen = []
        for i in range(6):
            answered = i % 3 != 2
            unseen.append(
                sim.place_call(
                    f"+86139{i:08d}",
                    f"Caller {i}",
                    "8001" if i % 2 else "8002",
                    answer_by=None if answered else "nobody",
                    agent_answers_after=1,
                    talk_s=10,
                    caller_hangs_up_after=60 if answered else 10,
                )
            )
        await asyncio.wait_for(sim.wait_idle(), 30)  # all ended: nobody listened
        assert _logins(sim) == 0
        second = spawn(env, tmp_path / "second.log")
        await ready(http_port, second)
        await until(lambda: _logins(sim) == 1, 20, "the new AMI login")
        placed = [seen, *unseen]
        async with asyncio.timeout(30):
            while len(await _stored(database_url)) < len(placed):
                await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # a call stored twice would have landed by now
        rows = {r.linkedid: r for r in await _stored(database_url)}
        assert sorted(rows) == sorted(placed), "each call exactly once"
        assert not rows[seen].ended_during_outage
        outcomes = []
        for linkedid in unseen:
            row = rows[linkedid]
            assert row.ended_during_outage
            assert row.queues, "the queue the log names"
            outcomes.append(row.outcome)
            if row.outcome == "answered":
                assert row.agent, "the agent who answered, as the log names them"
        assert sorted(outcomes) == ["abandoned"] * 2 + ["answered"] * 4
        log = (tmp_path / "second.log").read_text(errors="replace")
        assert "read back from the queue_log" in log
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
