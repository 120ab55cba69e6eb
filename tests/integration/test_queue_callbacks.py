"""Keep my place over the simulated Asterisk and the routing hook (SQLite, PostgreSQL): a caller
withdrawn from the queue (QueueWithdrawCaller) becomes one callback item, placed as of their queue
entry, dialled agent-first in turn; a replayed end of the call files nothing more."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sim_client import read_msg, send
from sim_features import Tap
from test_dialplan_http import always_open
from test_work_offers import auth

from callcenter.domain.calls.facts import CallEnded, Fact
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.work_items import WorkEvent, WorkItem
from callcenter.ports.work_items import StatusChange
from callcenter.sim.pstn import Dialled
from callcenter.work_wiring import queue_callbacks
from support.livestack import SECRET, LiveStack, live_stack

HOTLINE = ("1001", "1002", "1003")
LI_WEI = "+8613800138000"
STRANGER = "+8613911112222"


@asynccontextmanager
async def floor(
    database_url: str, tmp_path: Path, routing_file: Path | None = None, **settings: Any
) -> AsyncIterator[tuple[LiveStack, Tap, list[CallEnded]]]:
    """The stack with the routing hook, every hotline agent paused, and the calls' ends seen."""
    async with live_stack(
        database_url,
        agi=True,
        wait_ami=True,
        routing_file=routing_file or always_open(tmp_path),
        callback_window="00:00-23:59",
        work_files_dir=tmp_path / "files",
        **settings,
    ) as stack:
        ended: list[CallEnded] = []

        def seen(fact: Fact) -> None:
            if isinstance(fact, CallEnded):
                ended.append(fact)

        stack.runtime.facts.handlers = (*stack.runtime.facts.handlers, seen)
        async with ami(stack.settings.ami_servers[0].port) as t:
            members = {m for q in stack.sim.model.queues.values() for m in q.members}
            others = members - {f"Local/{c}@agents/n" for c in HOTLINE}
            for interface in sorted(others):  # the simulator's own agents, not in our database
                t.act(Action="QueuePause", Interface=interface, Paused="true", ActionID=interface)
                assert (await t.response(interface))["Response"] == "Success"
            for code in HOTLINE:
                await pause(stack, t, code, True)
            yield stack, t, ended


@asynccontextmanager
async def ami(port: int) -> AsyncIterator[Tap]:
    """Our own AMI session on the simulator (as a supervisor's tool or a wallboard would have):
    its events are collected in the background."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reader.readline()  # the banner
    send(writer, Action="Login", Username="callcenter", Secret=SECRET, ActionID="login")
    got = Tap(writer=writer)

    async def pump() -> None:
        with contextlib.suppress(EOFError, ConnectionError):
            while True:
                msg = dict(await read_msg(reader, wait_s=3600))
                (got.events if "Event" in msg else got.responses).append(msg)

    task = asyncio.create_task(pump())
    try:
        assert (await got.response("login"))["Response"] == "Success"
        yield got
    finally:
        task.cancel()
        writer.close()


async def pause(stack: LiveStack, t: Tap, code: str, paused: bool) -> None:
    t.act(
        Action="QueuePause",
        Interface=f"Local/{code}@agents/n",
        Paused="true" if paused else "false",
        Reason="Team meeting",
        ActionID=f"pause-{code}-{paused}",
    )
    async with asyncio.timeout(5):
        while (p := stack.runtime.presence.get(code)) is None or (p.state == "paused") != paused:
            await asyncio.sleep(0.02)


def spy_originates(stack: LiveStack) -> list[dict[str, Any]]:
    """Every Originate the simulated Asterisk gets from now on (each still carried out)."""
    seen: list[dict[str, Any]] = []
    real = stack.sim.start_originate

    def spy(action: dict[str, Any]) -> str | None:
        seen.append({k.lower(): v for k, v in action.items()})
        return real(action)

    stack.sim.start_originate = spy  # type: ignore[method-assign]
    return seen


async def owed_items(stack: LiveStack, count: int, timeout: float = 10.0) -> list[WorkItem]:
    """The callback items of source `queue`, once there are `count` of them (oldest id first)."""
    async with asyncio.timeout(timeout):
        while True:
            async with stack.runtime.uow() as uow:
                found = [
                    i for i in await uow.work_items.find(kind="callback") if i.source == "queue"
                ]
            if len(found) >= count:
                return sorted(found, key=lambda i: i.id)
            await asyncio.sleep(0.05)


def withdraw(t: Tap, join: dict[str, str]) -> None:
    t.act(
        Action="QueueWithdrawCaller",
        Queue=join["Queue"],
        Caller=join["Channel"],
        WithdrawInfo="callback-requested",
        ActionID=f"withdraw-{join['Channel']}",
    )


async def test_a_withdrawn_caller_keeps_their_place_and_is_dialled_agent_first_in_turn(
    database_url: str, tmp_path: Path
) -> None:
    async with floor(database_url, tmp_path) as (stack, t, ended):
        first = stack.sim.place_call(LI_WEI, "Li Wei", "8001")
        join_first = await t.event("QueueCallerJoin", Linkedid=first)
        await asyncio.sleep(0.3)
        second = stack.sim.place_call(STRANGER, "Zhao Lei", "8001")
        join_second = await t.event("QueueCallerJoin", Linkedid=second)
        await asyncio.sleep(0.3)
        withdraw(t, join_second)  # the later caller is withdrawn first: their item is older
        (item_second,) = await owed_items(stack, 1)
        withdraw(t, join_first)
        item_second, item_first = await owed_items(stack, 2)
        await stack.settled()

        records = {}
        async with stack.runtime.uow() as uow:
            for linkedid in (first, second):
                records[linkedid] = await uow.calls.get("pbx1", linkedid)
        queued = {e.linkedid: e.queued_at for e in ended}
        for item, linkedid, caller in (
            (item_first, first, LI_WEI),
            (item_second, second, STRANGER),
        ):
            record = records[linkedid]
            assert record is not None and record.outcome == "callback_requested"
            assert (item.kind, item.status, item.group_slug) == (
                "callback",
                "new",
                "member-hotline",
            )
            assert (item.caller, item.call_ref) == (caller, f"pbx1:{linkedid}")
            assert item.priority == int((record.routing or {}).get("CC_PRIORITY", 0))
            # its place: when the caller entered the queue, not when the item was filed
            joined = queued[linkedid]
            assert joined is not None and item.due_at is not None
            assert abs(item.due_at.timestamp() - joined) < 0.01
            assert item.due_at < record.ended_at <= item.created_at + timedelta(seconds=1)
        assert item_first.customer_id == stack.ids["li_wei"]
        assert item_first.match.status == "matched"
        assert item_second.customer_id is None
        assert item_first.due_at is not None and item_second.due_at is not None
        assert item_first.due_at < item_second.due_at  # joined first, filed second
        assert item_first.created_at > item_second.created_at

        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            listed = await http.get(
                "/api/work-items",
                params={"kind": "callback"},
                headers=await auth(stack, "supervisor"),
            )
        assert [i["id"] for i in listed.json()] == [item_first.id, item_second.id]
        assert listed.json()[0]["customer"]["status"] == "matched"

        # the same ends again (a replayed or duplicated event), and a second process's handler
        for fact in list(ended):
            stack.runtime.facts.on_fact(fact)
        assert stack.runtime.work_items is not None
        other = queue_callbacks(stack.settings, stack.runtime.database, stack.runtime.work_items)
        for fact in ended:
            record = records[fact.linkedid]
            assert record is not None
            assert await other.file_owed(record, fact.queued_at) is None
        await asyncio.sleep(0.5)
        assert [i.id for i in await owed_items(stack, 2)] == [item_second.id, item_first.id]

        # its turn: one agent comes back; the first caller's place comes first, dialled agent-first
        stack.sim.pstn.numbers["13800138000"] = Dialled("answer", ring_s=0.5, talk_s=1.0)
        originates = spy_originates(stack)
        desk = await stack.agent_socket("1001")
        await asyncio.sleep(0.3)
        await pause(stack, t, "1001", False)
        offer = await desk.next("work_offer", timeout=10)
        assert offer["item_id"] == item_first.id
        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            own = await auth(stack, "agent", "1001")
            took = await http.post(f"/api/agents/1001/work/{item_first.id}/accept", headers=own)
            assert took.status_code == 200, took.text
            await desk.next("work_update", item_id=item_first.id, state="dialling")
            assert [o["channel"] for o in originates] == ["Local/1001@agent-phone/n"]
            assert "13800138000" in originates[0]["exten"]
            await desk.next("work_update", item_id=item_first.id, state="answered", timeout=15)
            done = await http.post(
                f"/api/agents/1001/work/{item_first.id}/complete",
                json={"disposition": stack.runtime.settings.disposition_codes[0]},
                headers=own,
            )
            assert done.status_code == 200, done.text
        nxt = await desk.next("work_offer", timeout=15)
        assert nxt["item_id"] == item_second.id  # then the next place


async def test_a_withdrawn_call_stored_without_its_item_gets_it_at_the_next_start(
    database_url: str, tmp_path: Path
) -> None:
    async with floor(database_url, tmp_path) as (stack, _, _):
        ended = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
        lost = CallRecord(  # the process died between storing the call and filing its item
            pbx="pbx1",
            linkedid="1764750000.7",
            direction="inbound",
            caller=LI_WEI,
            caller_name="Li Wei",
            queues=("member-hotline",),
            agent=None,
            outcome="callback_requested",
            wait_s=140.0,
            talk_s=0.0,
            ring_attempts=0,
            transferred=False,
            started_at=ended - timedelta(seconds=150),
            ended_at=ended,
            customer_id=stack.ids["li_wei"],
            routing={"CC_PRIORITY": "2"},
        )
        async with stack.runtime.uow() as uow:
            await uow.calls.add(lost)
            await uow.commit()
        await stack.restart()
        (item,) = await owed_items(stack, 1)
        assert (item.call_ref, item.caller, item.customer_id) == (
            "pbx1:1764750000.7",
            LI_WEI,
            stack.ids["li_wei"],
        )
        assert (item.group_slug, item.priority) == ("member-hotline", 2)
        assert item.due_at == ended - timedelta(seconds=140)  # placed by its time in the queue
        await stack.restart()  # and only once
        await asyncio.sleep(0.3)
        assert [i.id for i in await owed_items(stack, 1)] == [item.id]


async def test_a_caller_withdrawn_again_keeps_one_callback_and_its_first_place(
    database_url: str, tmp_path: Path
) -> None:
    async with floor(database_url, tmp_path) as (stack, t, _):
        first = stack.sim.place_call(LI_WEI, "Li Wei", "8001")
        withdraw(t, await t.event("QueueCallerJoin", Linkedid=first))
        (item,) = await owed_items(stack, 1)
        again = stack.sim.place_call(LI_WEI, "Li Wei", "8001")
        withdraw(t, await t.event("QueueCallerJoin", Linkedid=again))
        async with asyncio.timeout(10):
            while not any(f"pbx1:{again}" in (e.note or "") for e in await _log(stack, item.id)):
                await asyncio.sleep(0.05)
        (still,) = await owed_items(stack, 1)
        assert (still.id, still.due_at, still.call_ref) == (item.id, item.due_at, f"pbx1:{first}")
        assert "called again" in " ".join(e.note or "" for e in await _log(stack, item.id))
        # once the first is done, a restart does not file the second call's as new
        await stack.settled()  # both calls stored
        async with stack.runtime.uow() as uow:
            change = StatusChange(item.id, "new", "cancelled", "test", datetime.now(UTC))
            assert await uow.work_items.change_status(change)
            await uow.commit()
        assert stack.runtime.queue_callbacks is not None
        assert await stack.runtime.queue_callbacks.catch_up() == 0


async def _log(stack: LiveStack, item_id: int) -> list[WorkEvent]:
    async with stack.runtime.uow() as uow:
        return await uow.work_items.events(item_id=item_id)
