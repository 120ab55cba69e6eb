"""The webhook pump in its own process: started with the first subscription, started again when it
dies, gone when the server closes it; the server's figures mirror the child's."""

from __future__ import annotations

import os
import signal

from callcenter.adapters.db.database import Database
from callcenter.settings import Settings
from callcenter.webhooks_wiring import PumpProcess, webhook_service
from support.receivers import Receiver, call_facts
from support.servekit import until

SECRET = "crm-secret-0123456789"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"  # a zombie has exited


async def test_the_pump_process_delivers_survives_its_death_and_ends_with_the_service(
    database_url: str,
) -> None:
    """Figure: no subscription -> no process; subscribe, 2 calls (4 events) -> delivered,
    counted here; kill -9 of the process -> another starts, 2 more calls delivered; close ->
    the process is gone. The CRM holds each of the 8 events once."""
    crm = await Receiver().start()
    db = Database.open(database_url)
    settings = Settings(database_url=database_url, webhook_retry_base_s=0.05)
    svc = webhook_service(settings, db)
    pump = svc.pump
    assert isinstance(pump, PumpProcess)
    try:
        await svc.start()
        assert pump._proc is None  # nobody subscribed: nothing runs
        await svc.subscribe(url=crm.url, events=["call.ringing", "call.ended"], secret=SECRET)
        first = pump._proc.pid
        for fact in call_facts(2):
            svc.on_fact(fact)
        await until(lambda: len(crm.ok(SECRET)) == 4, 30)
        await until(lambda: svc.stats.delivered == 4, 30)

        os.kill(first, signal.SIGKILL)
        await until(lambda: pump._proc is not None and pump._proc.pid != first, 30)
        for fact in call_facts(4)[6:]:
            svc.on_fact(fact)
        await until(lambda: len(crm.ok(SECRET)) == 8, 30)
        second = pump._proc.pid
        assert svc.delivering and _alive(second)
    finally:
        await svc.aclose()
        await db.aclose()
        await crm.stop()
    assert not _alive(first) and not _alive(second)
    assert len({r.delivery for r in crm.received}) == len(crm.received) == 8
