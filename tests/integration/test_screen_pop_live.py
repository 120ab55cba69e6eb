"""Simulated Asterisk -> AMI listener -> screen-pop over real websockets (SQLite, PostgreSQL)."""

from __future__ import annotations

import asyncio

from callcenter.domain.calls.records import CallRecord
from support.livestack import LiveStack, live_stack


async def _stored(stack: LiveStack, linkedid: str) -> CallRecord | None:
    await stack.settled()
    async with stack.runtime.uow() as uow:
        return await uow.calls.get("pbx1", linkedid)


async def test_seeded_caller_pops_on_the_ringing_agent_only(database_url: str) -> None:
    async with live_stack(database_url) as stack:
        ids = stack.ids
        await stack.ami_connected()
        wang = await stack.agent_socket("1001")
        zhang = await stack.agent_socket("1002")
        await asyncio.sleep(0.2)  # both subscribed before the call starts

        linkedid = stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=2, talk_s=5
        )
        pop = await wang.next("screen_pop", complete=True)
        assert pop["call"]["linkedid"] == linkedid
        assert pop["call"]["queue"] == "member-hotline"
        assert pop["caller"]["status"] == "matched"
        assert pop["caller"]["candidates"][0]["customer_id"] == ids["li_wei"]
        bundle = pop["bundle"]
        assert bundle["customer"]["name"] == "Li Wei"
        assert bundle["orders"][0]["order_number"] == "BK-2026-0042"
        assert "senior" in [a["code"] for a in bundle["alerts"]]

        # On a loaded machine the record can come after the answer: the order is not the point.
        answered = next(
            (m for m in wang.received if m["type"] == "call_update" and m["state"] == "answered"),
            None,
        ) or await wang.next("call_update", state="answered")
        assert answered["linkedid"] == linkedid
        ended = await wang.next("call_update", state="ended")
        assert ended["disposition_required"] is True
        assert ended["customer_id"] == ids["li_wei"]

        others = await zhang.drain(0.5)
        assert [m for m in zhang.received if m["type"] in ("screen_pop", "call_update")] == []
        assert all(m["type"] in ("agent_state",) for m in others)

        record = await _stored(stack, linkedid)
        assert record is not None
        assert record.outcome == "answered"
        assert record.agent == "Wang Fang"
        assert record.customer_id == ids["li_wei"]
        await wang.ws.close()
        await zhang.ws.close()


async def test_reconnect_with_since_loses_nothing(database_url: str) -> None:
    async with live_stack(database_url) as stack:
        await stack.ami_connected()
        wang = await stack.agent_socket("1001")
        await asyncio.sleep(0.2)
        first = stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=2, talk_s=40
        )
        pop = await wang.next("screen_pop")
        assert pop["call"]["linkedid"] == first
        last_seq, gen = pop["seq"], pop["gen"]
        await wang.ws.close()  # the desktop drops while the call goes on

        await stack.sim.wait_idle()
        back = await stack.agent_socket("1001", since=last_seq, gen=gen)
        missed = await back.next("call_update", state="ended")
        seqs = [m["seq"] for m in back.received]
        assert seqs == list(range(last_seq + 1, last_seq + 1 + len(seqs)))  # no gap
        assert missed["linkedid"] == first
        # "answered" came either before the desktop dropped (a loaded machine) or in the replay
        answered = [
            m
            for m in (*wang.received, *back.received)
            if m["type"] == "call_update" and m["state"] == "answered"
        ]
        assert [m["linkedid"] for m in answered] == [first]
        await back.ws.close()


async def test_ami_cut_mid_call_resyncs_and_records_once(database_url: str) -> None:
    async with live_stack(database_url) as stack:
        await stack.ami_connected()
        linkedid = stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=2, talk_s=60
        )
        await asyncio.sleep(1.0)  # answered and talking (simulated seconds are scaled)
        stack.sim.drop_connections()
        await stack.ami_connected(connects=2)
        await stack.sim.wait_idle()
        record = await _stored(stack, linkedid)
        assert record is not None
        async with stack.runtime.uow() as uow:
            assert await uow.calls.exists("pbx1", linkedid)
        assert stack.runtime.store.stored == 1
        assert stack.runtime.store.duplicates == 0
        assert linkedid not in stack.runtime.pipelines["pbx1"].tracker.live_calls("pbx1")


async def test_a_call_answered_while_ami_was_down_still_pops_after_the_resync(
    database_url: str,
) -> None:
    """The ring fell in an AMI outage (a failover, a cut): the resync finds the agent talking,
    and their desktop gets the caller's pop, once, marked answered."""
    async with live_stack(database_url) as stack:
        await stack.ami_connected()
        wang = await stack.agent_socket("1001")
        await asyncio.sleep(0.2)
        secret = stack.sim.secret
        stack.sim.secret = "not-any-more"  # the listener's logins fail until it is back
        stack.sim.drop_connections()
        linkedid = stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=2, talk_s=60
        )
        await asyncio.sleep(0.5)  # rung and answered (simulated seconds are scaled) unseen
        assert [m for m in wang.received if m["type"] == "screen_pop"] == []
        stack.sim.secret = secret
        await stack.ami_connected(connects=2, timeout=30)
        pop = await wang.next("screen_pop", complete=True)
        assert pop["call"]["linkedid"] == linkedid
        assert pop["caller"]["candidates"][0]["customer_id"] == stack.ids["li_wei"]
        answered = [
            m for m in wang.received if m["type"] == "call_update" and m["state"] == "answered"
        ]  # sent right after the first (incomplete) pop, before the complete one
        assert [m["linkedid"] for m in answered] == [linkedid]
        await stack.sim.wait_idle()
        await wang.next("call_update", state="ended")
        pops = [m for m in wang.received if m["type"] == "screen_pop"]
        assert {p["call"]["linkedid"] for p in pops} == {linkedid}
        record = await _stored(stack, linkedid)
        assert record is not None and record.agent == "Wang Fang"
        await wang.ws.close()


async def test_websockets_are_not_compressed_unless_configured(database_url: str) -> None:
    """permessage-deflate costs a zlib state per desktop: off by default, on when asked."""
    for setting, expected in ((False, None), (True, "permessage-deflate")):
        async with live_stack(database_url, seed=not setting, ws_compression=setting) as stack:
            desk = await stack.agent_socket("1001")
            offered = desk.ws.response.headers.get("Sec-WebSocket-Extensions")
            assert ((offered or "").split(";")[0] or None) == expected
            await desk.ws.close()
