"""The wallboard rebuilt from stored calls after a restart, and `GET /api/wallboard` (SQLite and
PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from callcenter.domain.calls.records import CallRecord
from callcenter.services.wallboard import WallboardService
from support import ApiHarness
from support.wallboard import ALL, DAY_END, DIRECTORY, GROUPS, Board, ended


def fresh_service(board: Board) -> WallboardService:
    return WallboardService(
        notifier=board.notifier,
        presence=board.presence,
        groups=GROUPS,
        wrapup_s={"member-hotline": 10.0},
        agent_code=lambda name: DIRECTORY.code_for(name, name),
        clock=board.clock,
    )


async def store(api: ApiHarness, records: list[CallRecord]) -> None:
    async with api.runtime.uow() as uow:
        for record in records:
            await uow.calls.add(record)
        await uow.commit()


async def test_restart_rebuilds_the_day_from_stored_calls(api: ApiHarness) -> None:
    live = Board(DAY_END)
    for facts in ALL.values():
        live.feed(facts)
    stored = [r for facts in ALL.values() for r in ended(facts)]
    yesterday = [
        replace(r, linkedid=f"old-{r.linkedid}", started_at=r.started_at - timedelta(days=1))
        for r in stored[:5]
    ]
    await store(api, stored + yesterday)

    restarted = Board(DAY_END)
    assert await restarted.service.rebuild(api.runtime.uow) == len(stored)
    assert restarted.figures() == live.figures()
    assert restarted.figures()["member-hotline"]["answered"] == 10

    # Calls already counted live (the store was still writing them) are not counted twice.
    overlap = Board(DAY_END)
    overlap.feed(ALL["concurrent_burst"])
    assert await overlap.service.rebuild(api.runtime.uow) == len(stored) - 20
    assert overlap.figures() == live.figures()


async def test_api_wallboard_returns_the_snapshot_to_supervisors_only(api: ApiHarness) -> None:
    client = api.client
    fresh = await client.get("/api/wallboard", headers=await api.headers("supervisor"))
    assert fresh.status_code == 200  # the process's own wallboard: seven groups, nothing yet
    assert len(fresh.json()["groups"]) == 7
    assert {g["offered"] for g in fresh.json()["groups"]} == {0}

    board = Board(DAY_END)
    board.feed(ALL["queue_timeout_overflow"])
    api.runtime.wallboard = board.service
    for role in ("supervisor", "admin"):
        response = await client.get("/api/wallboard", headers=await api.headers(role))
        assert response.status_code == 200
        body = response.json()
        assert body["day"] == "2026-11-22" and body["timezone"] == "Asia/Shanghai"
        groups = {g["slug"]: g for g in body["groups"]}
        assert (groups["member-hotline"]["offered"], groups["member-hotline"]["answered"]) == (1, 0)
        assert groups["online-service"]["answered"] == 1
        assert groups["online-service"]["sl_target_s"] == 20
        assert {a["code"] for a in body["agents"]} >= {"1005"}
    async with api.runtime.uow() as uow:
        await uow.agents.add(code="1001", name="Wang Fang", interface="Local/1001@agents/n")
        await uow.commit()
    agent = await api.headers("agent", "1001")
    assert (await client.get("/api/wallboard", headers=agent)).status_code == 403
    assert (await client.get("/api/wallboard")).status_code == 401


async def test_rebuild_takes_groups_from_the_database_and_dispositions_from_storage(
    api: ApiHarness,
) -> None:
    (record,) = ended(ALL["answered_caller_hangs_up"])
    await store(api, [replace(record, disposition_code="payment", settled_first_contact=True)])
    board = Board(DAY_END)
    board.service = WallboardService(
        notifier=board.notifier,
        presence=board.presence,
        groups=[],  # the seven groups come from the groups table
        clock=board.clock,
    )
    board.feed(ALL["answered_caller_hangs_up"])  # counted live, before any disposition
    assert board.service.snapshot()["groups"] == []
    assert await board.service.rebuild(api.runtime.uow) == 0  # nothing new to count
    groups = {g["slug"]: g for g in board.service.snapshot()["groups"]}
    assert len(groups) == 7 and groups["member-hotline"]["name_zh"] == "书友热线组"
    assert groups["member-hotline"]["answered"] == 1  # the live call, counted once
    assert groups["member-hotline"]["fcr_percent"] == 100.0  # the stored disposition
