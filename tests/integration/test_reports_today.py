"""Report endpoints without `from`/`to` cover today's business day in the center's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from callcenter.domain.calls.records import CallRecord
from support import ApiHarness


def call(linkedid: str, started: datetime) -> CallRecord:
    return CallRecord(
        pbx="pbx1",
        linkedid=linkedid,
        direction="inbound",
        caller="+8613800138000",
        caller_name=None,
        queues=("member-hotline",),
        agent="1001",
        outcome="answered",
        wait_s=4,
        talk_s=60,
        ring_attempts=1,
        transferred=False,
        started_at=started,
        ended_at=started + timedelta(minutes=1),
    )


async def test_reports_default_to_today(api: ApiHarness) -> None:
    now = datetime.now(UTC)
    async with api.runtime.uow() as uow:
        await uow.calls.add(call("today", now - timedelta(seconds=5)))
        await uow.calls.add(call("last-week", now - timedelta(days=7)))
        await uow.commit()
    headers = await api.headers("supervisor")
    today = now.astimezone(ZoneInfo(api.runtime.settings.timezone)).date().isoformat()
    daily = await api.client.get(
        "/api/reports/daily", params={"group": "member-hotline"}, headers=headers
    )
    assert daily.status_code == 200, daily.text
    assert [(r["day"], r["offered"]) for r in daily.json()["rows"]] == [(today, 1)]
    agents = await api.client.get("/api/reports/agents", headers=headers)
    assert agents.status_code == 200
    assert sum(r["answered"] for r in agents.json()["rows"]) == 1
    interval = await api.client.get("/api/reports/interval", headers=headers)
    assert interval.status_code == 200
    assert sum(r["offered"] for r in interval.json()["rows"]) == 1
    since = await api.client.get(
        "/api/reports/daily", params={"from": today, "group": "member-hotline"}, headers=headers
    )
    assert since.json() == daily.json()
