"""The wallboard's work figures follow changes without re-reading the store on a timer (SQLite,
PostgreSQL): items filed here are counted in memory, a close or a move is read once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from test_work_offer_feed import letter
from test_work_offers import seed_letters

from callcenter.bootstrap import open_database
from callcenter.services.work_requests import Actor, Transition
from callcenter.services.work_wallboard import WorkWallboard
from callcenter.settings import Settings
from callcenter.work_wiring import work_item_service
from support.servekit import until


async def test_filings_are_counted_in_memory_and_a_close_is_read_once(database_url: str) -> None:
    await seed_letters(database_url)
    async with open_database(database_url) as db:
        intake = work_item_service(Settings(database_url=database_url), db)
        board = WorkWallboard(uow=db.uow, timezone="Asia/Shanghai", tick_s=0.2, min_gap_s=0.05)
        intake.filed_hooks.append(board.filed)
        intake.moved_hooks.append(lambda ids: board.nudge())
        board.start()
        try:
            await until(lambda: board.reads == 1, what="the first read")
            items = [
                await intake.submit(letter(n), actor="t", now=datetime.now(UTC)) for n in range(3)
            ]
            await until(lambda: board.for_group("letters")["items_open"] == 3, what="3 open")
            await asyncio.sleep(1.0)  # five ticks: ages recomputed, the store not read
            assert board.reads == 1

            boss = Actor("supervisor", manager=True)
            now = datetime.now(UTC)
            await intake.transition(
                item_id=items[0].id,
                change=Transition("accepted", owner_agent="1007"),
                actor=boss,
                now=now,
            )
            await intake.transition(
                item_id=items[0].id, change=Transition("done"), actor=boss, now=now
            )
            await until(lambda: board.for_group("letters")["done_today"] == 1, what="done")
            figures = board.for_group("letters")
            assert figures["items_open"] == 2 and figures["sla_pct"] == 100.0
            assert 2 <= board.reads <= 3  # the moves, read (two nudges may fall in one gap)
        finally:
            await board.aclose()
