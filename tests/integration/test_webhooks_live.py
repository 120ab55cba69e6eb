"""Webhooks on the live stack: simulated Asterisk -> AMI -> facts -> a signed CRM delivery."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from callcenter.adapters.db.tables_calls import CallRecordRow
from support.livestack import live_stack
from support.receivers import Receiver
from support.servekit import until

SECRET = "crm-secret-0123456789"


async def test_simulated_calls_reach_the_crm_in_order(database_url: str) -> None:
    """Figure: 4 calls to 8001, answered by 1001 one after another -> per call ringing, answered,
    ended, in that order; as many call.ended as stored call records (4); all signed."""
    crm = await Receiver().start()
    async with live_stack(database_url) as stack:
        await stack.ami_connected()
        await stack.runtime.webhooks.subscribe(
            url=crm.url, events=["call.ringing", "call.answered", "call.ended"], secret=SECRET
        )
        for _ in range(4):
            stack.sim.place_call(
                "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=1
            )
            await asyncio.sleep(0.3)
        await stack.settled()
        async with stack.runtime.database.sessions() as session:
            stored = await session.scalar(select(func.count()).select_from(CallRecordRow))
        await until(lambda: sum(r.event == "call.ended" for r in crm.ok(SECRET)) == stored)
    await crm.stop()
    assert stored == 4
    by_call: dict[str, list[str]] = {}
    for item in crm.ok(SECRET):
        by_call.setdefault(item.json["data"]["linkedid"], []).append(item.event)
    assert len(by_call) == 4
    for events in by_call.values():
        assert events[0] == "call.ringing" and events[-1] == "call.ended", events
        assert "call.answered" in events
        assert events.index("call.answered") < events.index("call.ended")
