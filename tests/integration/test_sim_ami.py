"""The simulated Asterisk over real TCP: login, lists, queue member actions, calls, cuts, replay."""

from __future__ import annotations

import asyncio

from sim_client import SECRET, manager, next_event, raw_session, read_msg, running, send, until


async def test_login_ok_with_panoramisk_gets_fully_booted() -> None:
    async with running() as (_sim, port), manager(port) as (mgr, events):
        assert mgr.authenticated is True
        booted = await next_event(events, "FullyBooted")
        assert booted["Status"] == "Fully Booted"


async def test_bad_secret_is_refused_and_gets_no_events() -> None:
    async with running(time_scale=0.001) as (sim, port), raw_session(port, login=False) as (r, w):
        send(w, Action="Login", Username="callcenter", Secret="wrong", ActionID="a1")
        assert await read_msg(r) == [
            ("Response", "Error"),
            ("ActionID", "a1"),
            ("Message", "Authentication failed"),
        ]
        sim.place_call("+8613800138000", "Li Wei", "8001", agent_answers_after=1, talk_s=1)
        send(w, Action="Ping", ActionID="a2")
        # Still unauthenticated: the next thing on the wire is the refusal, no call events.
        assert dict(await read_msg(r)) == {
            "Response": "Error",
            "ActionID": "a2",
            "Message": "Permission denied",
        }
    async with running() as (_sim, port), manager(port, secret="nope") as (mgr, _events):
        assert mgr.authenticated is False


async def test_ping_unknown_action_events_off_and_logoff() -> None:
    async with running() as (sim, port), raw_session(port) as (r, w):
        send(w, Action="Ping", ActionID="p1")
        pong = await read_msg(r)
        assert [k for k, _ in pong] == ["Response", "ActionID", "Ping", "Timestamp"]
        assert dict(pong)["Ping"] == "Pong"
        send(w, Action="MakeCoffee", ActionID="x1")
        assert dict(await read_msg(r))["Message"] == "Invalid/unknown command"
        send(w, Action="Events", EventMask="off", ActionID="e1")
        assert dict(await read_msg(r))["Events"] == "Off"
        sim.place_call("+8613800138000", "Li Wei", "8001", agent_answers_after=1, talk_s=1)
        send(w, Action="Logoff", ActionID="g1")
        # Events are off, so the Goodbye is the very next message, then the server closes.
        assert await read_msg(r) == [
            ("Response", "Goodbye"),
            ("ActionID", "g1"),
            ("Message", "Thanks for all the fish."),
        ]
        assert await asyncio.wait_for(r.read(), 5) == b""


async def test_queue_status_and_summary_lists_with_action_id() -> None:
    async with running() as (_sim, port), manager(port) as (mgr, _events):
        status = await mgr.send_action({"Action": "QueueStatus", "Queue": "member-hotline"})
        assert status[0].response == "Success" and status[0]["EventList"] == "start"
        items, done = status[1:-1], status[-1]
        assert [m.event for m in items] == ["QueueParams"] + ["QueueMember"] * 3
        assert {m["Name"] for m in items[1:]} == {"Wang Fang", "Zhang Wei", "Liu Yang"}
        assert items[1]["Location"] == "Local/1001@agents/n"
        assert all(m["ActionID"] == status[0]["ActionID"] and "Privilege" not in m for m in items)
        assert done.event == "QueueStatusComplete" and done["ListItems"] == "4"
        assert done["EventList"] == "Complete"

        one = await mgr.send_action(
            {"Action": "QueueStatus", "Queue": "member-hotline", "Member": "Local/1002@agents/n"}
        )
        assert [m["Name"] for m in one if m.event == "QueueMember"] == ["Zhang Wei"]

        summary = await mgr.send_action({"Action": "QueueSummary"})
        queues = [m["Queue"] for m in summary if m.event == "QueueSummary"]
        assert sorted(queues) == sorted(
            [
                "member-hotline",
                "online-service",
                "telemarketing",
                "letters",
                "documents",
                "finance",
                "data-maintenance",
            ]
        )
        assert summary[-1].event == "QueueSummaryComplete" and summary[-1]["ListItems"] == "7"


async def test_core_show_channels_and_queue_entry_during_a_call() -> None:
    async with running(time_scale=0.05) as (sim, port), manager(port) as (mgr, events):
        sim.place_call("+8613611112222", "Wu Gang", "8005", answer_by="9999")
        await next_event(events, "QueueCallerJoin")
        chans = await mgr.send_action({"Action": "CoreShowChannels"})
        names = {m["Channel"] for m in chans if m.event == "CoreShowChannel"}
        assert "Local/s@caller-sim-00000000;1" in names
        assert chans[-1]["ListItems"] == str(len(names))
        status = await mgr.send_action({"Action": "QueueStatus", "Queue": "documents"})
        entry = next(m for m in status if m.event == "QueueEntry")
        assert entry["CallerIDNum"] == "+8613611112222" and entry["Position"] == "1"


async def test_queue_member_actions_and_their_errors() -> None:
    async with running() as (_sim, port), manager(port) as (mgr, events):
        add = {
            "Action": "QueueAdd",
            "Queue": "member-hotline",
            "Interface": "Local/1011@agents/n",
            "Penalty": "2",
            "MemberName": "Sun Hui",
            "StateInterface": "Custom:agent1011",
        }
        # panoramisk 1.4 waits for more after "Added interface to queue" unless told it is single.
        ok = await mgr.send_action(add, as_list=False)
        assert ok.response == "Success" and ok["Message"] == "Added interface to queue"
        added = await next_event(events, "QueueMemberAdded")
        assert (added["MemberName"], added["Penalty"], added["Membership"]) == (
            "Sun Hui",
            "2",
            "dynamic",
        )
        again = await mgr.send_action(add, as_list=False)
        assert again.response == "Error"
        assert again["Message"] == "Unable to add interface: Already there"
        nope = await mgr.send_action({**add, "Queue": "no-such-queue"}, as_list=False)
        assert nope["Message"] == "Unable to add interface to queue: No such queue"

        pause = await mgr.send_action(
            {
                "Action": "QueuePause",
                "Interface": "Local/1003@agents/n",
                "Paused": "true",
                "Reason": "Training",
            }
        )
        assert pause["Message"] == "Interface paused successfully"
        paused = [await next_event(events, "QueueMemberPause") for _ in range(2)]
        assert {p["Queue"] for p in paused} == {"member-hotline", "online-service"}
        assert {p["PausedReason"] for p in paused} == {"Training"}
        bad_pause = await mgr.send_action(
            {"Action": "QueuePause", "Interface": "Local/9999@agents/n", "Paused": "true"}
        )
        assert bad_pause.response == "Error" and bad_pause["Message"] == "Interface not found"

        pen = await mgr.send_action(
            {
                "Action": "QueuePenalty",
                "Queue": "member-hotline",
                "Interface": "Local/1011@agents/n",
                "Penalty": "0",
            }
        )
        assert pen["Message"] == "Interface penalty set successfully"
        assert (await next_event(events, "QueueMemberPenalty"))["Penalty"] == "0"

        rm = {
            "Action": "QueueRemove",
            "Queue": "member-hotline",
            "Interface": "Local/1011@agents/n",
        }
        assert (await mgr.send_action(rm))["Message"] == "Removed interface from queue"
        assert (await next_event(events, "QueueMemberRemoved"))["MemberName"] == "Sun Hui"
        gone = await mgr.send_action(rm)
        assert (
            gone.response == "Error" and gone["Message"] == "Unable to remove interface: Not there"
        )


async def test_originate_emits_the_outbound_sequence() -> None:
    async with running(time_scale=0.01) as (_sim, port), manager(port) as (mgr, events):
        originate = {
            "Action": "Originate",
            "Channel": "Local/1006@agent-phone/n",
            "Context": "outbound",
            "Exten": "13812345678",
            "Priority": "1",
            "CallerID": '"Zhao Lei" <1006>',
            "Variable": ["PSTN_RING=1", "PSTN_TALK=1"],
            "Async": "true",
        }
        # The OriginateResponse carries the ActionID, so panoramisk files it under the action.
        reply, resp = await asyncio.wait_for(mgr.send_action(originate), 5)
        assert reply["Message"] == "Originate successfully queued"
        assert resp.event == "OriginateResponse" and resp["Response"] == "Success"
        assert resp["ActionID"] == reply["ActionID"] and resp["Reason"] == "4"
        assert resp["Channel"].startswith("Local/1006@agent-phone-")
        enter = await next_event(events, "BridgeEnter")
        assert enter["Channel"].startswith("Local/13812345678@pstn-sim-")
        assert (await next_event(events, "Hangup"))["Cause"] == "16"
        bad = await mgr.send_action({"Action": "Originate", "Exten": "1"}, as_list=False)
        assert bad.response == "Error" and bad["Message"] == "Channel not specified"


async def test_placed_call_streams_in_recorded_order_over_tcp() -> None:
    wanted = [
        "QueueCallerJoin",
        "AgentCalled",
        "AgentRingNoAnswer",
        "AgentCalled",
        "QueueCallerLeave",
        "AgentConnect",
        "AgentComplete",
    ]
    async with running(time_scale=0.002) as (sim, port), manager(port) as (_mgr, events):
        linkedid = sim.place_call(
            "+8613912345678",
            "Zhao Min",
            "8001",
            answer_by="1002",
            agent_answers_after=2,
            talk_s=5,
        )
        seen = []
        while len(seen) < len(wanted):
            msg = await asyncio.wait_for(events.get(), 5)
            if msg.event in wanted:
                assert msg["Linkedid"] == linkedid
                seen.append(msg)
        assert [m.event for m in seen] == wanted
        assert seen[2]["RingTime"] == "15000"
        assert seen[-1]["Reason"] == "caller" and seen[-1]["MemberName"] == "Zhang Wei"


async def test_blind_transfer_action_moves_the_caller_to_finance() -> None:
    async with running(time_scale=0.01) as (sim, port), manager(port) as (mgr, events):
        sim.place_call(
            "+8618612345678",
            "Sun Li",
            "8001",
            answer_by=("1001", "1009"),
            agent_answers_after=1,
            talk_s=60,
        )
        connect = await next_event(events, "AgentConnect")
        reply = await mgr.send_action(
            {
                "Action": "BlindTransfer",
                "Channel": connect["DestChannel"],
                "Context": "cc-transfer",
                "Exten": "7006",
            }
        )
        assert reply["Message"] == "Transfer succeeded"
        assert (await next_event(events, "AgentComplete"))["Reason"] == "transfer"
        assert (await next_event(events, "QueueCallerJoin"))["Queue"] == "finance"
        missing = await mgr.send_action(
            {"Action": "BlindTransfer", "Channel": "Local/nope;1", "Exten": "7001"}
        )
        assert missing.response == "Error"


async def test_drop_connections_cuts_every_client() -> None:
    async with running() as (sim, port), raw_session(port) as (r, _w), raw_session(port) as (r2, _):
        sim.drop_connections()
        # Whatever was already queued may still arrive; then the stream ends.
        for reader in (r, r2):
            await asyncio.wait_for(reader.read(), 5)
            assert reader.at_eof()
        assert not sim.sessions
        async with raw_session(port) as (r3, w3):  # the server still accepts new sessions
            send(w3, Action="Ping", ActionID="again")
            assert dict(await read_msg(r3))["Ping"] == "Pong"


async def test_login_events_utf8_names_survive() -> None:
    async with running(time_scale=0.002) as (sim, port), raw_session(port) as (r, _w):
        sim.place_call("+8613761234567", "刘德明", "8001", agent_answers_after=1, talk_s=1)
        join = dict((await until(r, "QueueCallerJoin"))[-1])
        assert join["CallerIDName"] == "刘德明"
        assert SECRET not in str(join)


async def test_originate_to_a_customer_who_does_not_answer() -> None:
    async with running(time_scale=0.01) as (sim, port), manager(port) as (mgr, events):
        originate = {
            "Action": "Originate",
            "Channel": "Local/1007@agent-phone/n",
            "Context": "outbound",
            "Exten": "13812345678",
            "CallerID": '"Huang Min" <1007>',
            "Variable": ["PSTN_RING=1", "PSTN_ANSWER=no"],
            "Async": "true",
        }
        await asyncio.wait_for(mgr.send_action(originate), 5)
        end = await next_event(events, "DialEnd")
        while end["DialStatus"] == "ANSWER":  # the agent's own phone answers first
            end = await next_event(events, "DialEnd")
        assert end["DialStatus"] == "NOANSWER"
        await asyncio.wait_for(sim.wait_idle(), 5)
        assert not sim.model.channels
