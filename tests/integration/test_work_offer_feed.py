"""The offering loop's change feed (SQLite, PostgreSQL): open items are read in full once, at
start; afterwards only what changed is read, by id or by last change, never every open item.

The store is the real SQL adapter with a count of what is asked of it (the port's calls).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from test_work_offers import seed_letters

from callcenter.adapters.db.repo_work_offers import SqlWorkOffers
from callcenter.bootstrap import open_database
from callcenter.domain.access.auth import Principal
from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.calls.facts import AgentStateChanged
from callcenter.domain.work_items import Sender
from callcenter.ports.push import WorkOffered, WorkUpdate
from callcenter.ports.work_offers import WorkEntry
from callcenter.services.work_board import OfferRules, entry_of
from callcenter.services.work_callbacks import CallbackDialer
from callcenter.services.work_feed import WorkFeed
from callcenter.services.work_history import WorkCloser
from callcenter.services.work_offers import WorkOffers
from callcenter.services.work_requests import Actor, Intake, Transition
from callcenter.settings import Settings
from callcenter.work_wiring import work_item_service
from fakes.push import FakeNotifier


class CountedStore(SqlWorkOffers):
    """The SQL store, counting each read the offering loop and the feed make."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.full_reads = 0  # every open item
        self.by_id: list[int] = []  # items read by id
        self.changed_reads = 0

    async def open_entries(self, *, after_id: int = 0, limit: int = 50_000) -> list[WorkEntry]:
        self.full_reads += after_id == 0
        return await super().open_entries(after_id=after_id, limit=limit)

    async def entries(self, ids: Any) -> list[WorkEntry]:
        self.by_id += list(ids)
        return await super().entries(ids)

    async def changed_since(self, since: datetime, *, limit: int = 100_000) -> list[int]:
        self.changed_reads += 1
        return await super().changed_since(since, limit=limit)


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).timestamp()

    def __call__(self) -> float:
        return self.now


def present(presence: PresenceBoard, queue: str) -> None:
    for code in ("1007", "1008"):
        fact = AgentStateChanged(
            pbx="pbx1",
            at=0.0,
            interface=f"Local/{code}@agents/n",
            member_name=code,
            state="available",
            reason=None,
            queues=(queue,),
            paused_in=(),
        )
        presence.apply(fact, code)


def letter(n: int) -> Intake:
    return Intake(
        kind="letter",
        subject=f"letter {n}",
        body="",
        sender=Sender(email=f"r{n}@example.com"),
        group="letters",
    )


def offers_of(notifier: FakeNotifier) -> list[tuple[str | None, int]]:
    return [(a, m.item_id) for a, m in notifier.messages if isinstance(m, WorkOffered)]


async def test_steady_state_never_reads_every_open_item_again(database_url: str) -> None:
    await seed_letters(database_url)
    async with open_database(database_url) as db:
        intake = work_item_service(Settings(database_url=database_url), db)
        async with db.uow() as uow:
            queue = {g.slug: g.queue for g in await uow.groups.list_all()}["letters"]
        backlog = [
            await intake.submit(letter(n), actor="t", now=datetime.now(UTC)) for n in range(5)
        ]
        store, clock, notifier, presence = (
            CountedStore(db.sessions),
            Clock(),
            FakeNotifier(),
            PresenceBoard(),
        )
        present(presence, queue)
        dialer = CallbackDialer(
            store=store, closer=WorkCloser(uow=db.uow), pbxs={}, notifier=notifier
        )
        work = WorkOffers(
            store=store,
            uow=db.uow,
            presence=presence,
            notifier=notifier,
            dialer=dialer,
            rules=OfferRules(offer_timeout_s=60.0),
            clock=clock,
        )
        intake.filed_hooks.append(work.filed)
        intake.moved_hooks.append(work.changed)
        await work.start()  # the one full read
        await work.aclose()  # the passes below are run by hand, on the test's clock
        assert store.full_reads == 1 and work.full_reads == 1

        await work.run_pass()
        offered = dict((item, agent) for agent, item in offers_of(notifier))
        assert set(offered) == {i.id for i in backlog[:5]}  # 3 + 3 places: all five offered

        agent1 = Principal(role="supervisor")  # acting for agent 1007
        mine = [i for i, a in offered.items() if a == "1007"]
        await work.accept(code="1007", item_id=mine[0], by=agent1)
        await work.complete(code="1007", item_id=mine[0], disposition="x", by=agent1)
        await work.reject(code="1007", item_id=mine[1], by=agent1)
        for minute in range(12):  # twelve minutes of steady work, a pass every 30 s
            for half in range(2):
                clock.now += 30.0
                await intake.submit(
                    letter(100 + minute * 2 + half), actor="t", now=datetime.now(UTC)
                )
                await work.run_pass()
        boss = Actor("supervisor", manager=True)
        cancelled = backlog[4].id
        await intake.transition(
            item_id=cancelled, change=Transition("cancelled"), actor=boss, now=datetime.now(UTC)
        )
        await work.run_pass()
        clock.now += 61.0  # had it stayed in memory as offered, its offer would expire now
        await work.run_pass()

        assert store.full_reads == 1  # never again after the start
        assert store.by_id.count(cancelled) == 1  # the cancelled item alone, read by id, once
        assert store.changed_reads == 0  # the loop itself never scans by last change
        withdrawn = [
            m.item_id
            for _, m in notifier.messages
            if isinstance(m, WorkUpdate) and m.state == "withdrawn"
        ]
        assert withdrawn  # offers timed out on the way (60 s on the test's clock) and went on
        assert len(offers_of(notifier)) > 5 + 12


async def test_the_feed_reads_only_what_changed_and_tells_only_others_changes(
    database_url: str,
) -> None:
    await seed_letters(database_url)
    async with open_database(database_url) as db:
        settings = Settings(database_url=database_url)
        here, elsewhere = work_item_service(settings, db), work_item_service(settings, db)
        old = datetime.now(UTC) - timedelta(hours=2)
        for n in range(20):  # an open backlog, last changed long ago
            await here.submit(letter(n), actor="t", now=old)
        store = CountedStore(db.sessions)
        feed = WorkFeed(store=store, poll_s=1.0, sweep_s=600.0, margin_s=5.0)
        heard: list[int] = []
        feed.listeners.append(heard.extend)
        here.filed_hooks.append(lambda items: feed.wrote(i.id for i in items))
        feed.start()
        await feed.aclose()  # polled by hand below
        now = datetime.now(UTC)
        own = await here.submit(letter(50), actor="t", now=now)
        theirs = await elsewhere.submit(letter(51), actor="t", now=now)  # "another process"

        assert await feed.poll() == [theirs.id]  # not the own item, not the old backlog
        assert heard == [theirs.id]
        assert await feed.poll() == [theirs.id]  # still inside the margin for late commits
        swept = await feed.sweep()
        assert sorted(swept) == sorted([own.id, theirs.id])  # the safety net: incremental too


async def test_an_item_offered_from_memory_is_the_item_the_store_would_read(
    database_url: str,
) -> None:
    """A filed item is offered without being read back: its in-memory view must carry what the
    store's would (a callback owed by a call keeps its `call_ref`, so the dialler can tell that
    the customer already got through)."""
    await seed_letters(database_url)
    async with open_database(database_url) as db:
        intake = work_item_service(Settings(database_url=database_url), db)
        owed = Intake(
            kind="callback",
            subject="callback",
            body="",
            sender=Sender(phone="+8613800138000"),
            source="queue",
            group="letters",
            call_ref="pbx1:1700000000.1",
        )
        items = [
            await intake.submit(letter(1), actor="t", now=datetime.now(UTC)),
            await intake.submit(owed, actor="t", now=datetime.now(UTC)),
        ]
        stored = {e.id: e for e in await SqlWorkOffers(db.sessions).entries([i.id for i in items])}
        for item in items:
            assert entry_of(item) == stored[item.id]
        assert stored[items[1].id].call_ref == "pbx1:1700000000.1"


async def test_call_facts_run_no_pass_while_no_item_is_open(database_url: str) -> None:
    """Figure: 500 call facts (a busy voice floor) with no work item open -> no offering pass
    (before: one pass per fact, each building the floor of every agent: the pop path's CPU);
    once a letter is filed it is offered, and a fact then wakes a pass again."""
    await seed_letters(database_url)
    async with open_database(database_url) as db:
        intake = work_item_service(Settings(database_url=database_url), db)
        async with db.uow() as uow:
            queue = {g.slug: g.queue for g in await uow.groups.list_all()}["letters"]
        store, notifier, presence = CountedStore(db.sessions), FakeNotifier(), PresenceBoard()
        present(presence, queue)
        dialer = CallbackDialer(
            store=store, closer=WorkCloser(uow=db.uow), pbxs={}, notifier=notifier
        )
        work = WorkOffers(
            store=store, uow=db.uow, presence=presence, notifier=notifier, dialer=dialer
        )
        intake.filed_hooks.append(work.filed)
        await work.start()
        try:
            fact = AgentStateChanged(
                pbx="pbx1", at=0.0, interface="Local/1007@agents/n", member_name="1007",
                state="available", reason=None, queues=(queue,), paused_in=(),
            )  # fmt: skip
            for _ in range(500):
                work.on_fact(fact)
                await asyncio.sleep(0)
            await asyncio.sleep(0.2)
            assert work.passes == 0
            filed = await intake.submit(letter(1), actor="t", now=datetime.now(UTC))
            async with asyncio.timeout(10):
                while filed.id not in [item for _, item in offers_of(notifier)]:
                    await asyncio.sleep(0.02)
            before = work.passes
            work.on_fact(fact)
            async with asyncio.timeout(10):
                while work.passes == before:
                    await asyncio.sleep(0.02)
        finally:
            await work.aclose()
