"""A desktop websocket dropped while calls ring, resumed with `since` (SQLite, PostgreSQL)."""

from __future__ import annotations

from support.faults import subscribed
from support.livestack import live_stack

LI_WEI = "+8613800138000"


async def test_resumed_socket_misses_no_pop(database_url: str) -> None:
    """Figure: 1 pop seen, socket dropped, 4 more calls ring -> 4 pops replayed, seqs gapless."""
    async with live_stack(database_url) as stack:
        await stack.ami_connected()
        wang = await stack.agent_socket("1001")
        await subscribed(stack, "1001")
        calls = [
            stack.sim.place_call(
                f"+86139000000{i:02d}", f"Caller {i}", "8001", answer_by="1001",
                agent_answers_after=1, talk_s=2,
            )
            for i in range(5)
        ]  # fmt: skip
        first = await wang.next("screen_pop")
        seen_seq, gen = first["seq"], first["gen"]
        await wang.ws.close()  # the desktop's network drops while the queue goes on ringing it

        await stack.settled(timeout=30)
        back = await stack.agent_socket("1001", since=seen_seq, gen=gen)
        await back.next("call_update", state="ended", linkedid=calls[-1], timeout=10)
        await back.drain(0.3)
        seqs = [m["seq"] for m in back.received]
        assert seqs == list(range(seen_seq + 1, seen_seq + 1 + len(seqs)))  # nothing skipped
        assert all(m["gen"] == gen for m in back.received)
        popped = {first["call"]["linkedid"]} | {
            m["call"]["linkedid"] for m in back.received if m["type"] == "screen_pop"
        }
        assert popped == set(calls)
        ended = [m["linkedid"] for m in back.received if m.get("state") == "ended"]
        assert sorted(ended) == sorted(calls)  # the first call's end happened while away too
        await back.ws.close()


async def test_backlog_overrun_tells_the_desktop_to_refetch(database_url: str) -> None:
    """Figure: backlog of 5, more than 5 messages while away -> 1 resync, then live pops again."""
    async with live_stack(database_url, ws_backlog=5) as stack:
        await stack.ami_connected()
        wang = await stack.agent_socket("1001")
        await subscribed(stack, "1001")
        first = stack.sim.place_call(
            LI_WEI, "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=2
        )
        pop = await wang.next("screen_pop", complete=True)
        assert pop["call"]["linkedid"] == first
        seen_seq, gen = pop["seq"], pop["gen"]
        await wang.ws.close()

        for i in range(3):  # each call: pop, maybe its complete twin, answered, ended, states
            stack.sim.place_call(
                f"+8613900000{i:03d}", None, "8001", answer_by="1001",
                agent_answers_after=1, talk_s=1,
            )  # fmt: skip
        await stack.settled(timeout=30)
        channel = stack.runtime.agent_channel("1001")
        assert stack.runtime.hub.current_seq(channel) - seen_seq > 5

        back = await stack.agent_socket("1001", since=seen_seq, gen=gen)
        resync = await back.next("resync")
        assert back.received == [resync]  # told to refetch, not handed a history with a hole
        assert resync["seq"] == stack.runtime.hub.current_seq(channel)
        await back.ws.close()
        await subscribed(stack, "1001", count=0)

        fresh = await stack.agent_socket("1001")  # what the desktop does on resync
        await subscribed(stack, "1001")
        again = stack.sim.place_call(
            LI_WEI, "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=1
        )
        pop = await fresh.next("screen_pop")
        assert pop["call"]["linkedid"] == again
        await fresh.ws.close()


async def test_resume_from_another_generation_gets_a_resync_then_what_this_process_sent(
    database_url: str,
) -> None:
    """Figure: the process restarted (the desktop's `since` is from a previous generation) and a
    call rang and ended at agent 1001 before the desktop was back -> 1 resync (refetch: nothing of
    the old seqs is replayed as if it were this process's), then this process's pop of that call
    and its end, in this generation's seqs; before, the resync alone, the ring lost to the agent."""
    async with live_stack(database_url) as stack:
        await stack.ami_connected()
        away = stack.sim.place_call(
            LI_WEI, "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=1
        )
        await stack.settled(timeout=30)
        back = await stack.agent_socket("1001", since=3, gen="not-this-server")
        resync = await back.next("resync")
        gen = stack.runtime.hub.generation
        assert resync["gen"] == gen
        assert back.received == [resync]  # the resync comes first
        pop = await back.next("screen_pop")
        assert pop["call"]["linkedid"] == away and pop["gen"] == gen
        ended = await back.next("call_update", state="ended", linkedid=away)
        assert ended["seq"] <= resync["seq"]  # sent before this desktop connected
        await back.ws.close()
