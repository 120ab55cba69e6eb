"""Agent states from the agent_state_changes trace, wrap-up, and seeding/closing from a resync."""

from __future__ import annotations

from test_calls_traces import run_trace

from callcenter.domain.calls import CallTracker
from callcenter.domain.calls import events as ev
from callcenter.domain.calls import facts as f


def agent_states(interface: str) -> list[tuple[str, str | None, tuple[str, ...]]]:
    return [
        (x.state, x.reason, x.paused_in)
        for x in run_trace("agent_state_changes")
        if isinstance(x, f.AgentStateChanged) and x.interface == interface
    ]


def test_added_member_paused_in_one_queue_stays_available_then_logs_out() -> None:
    assert agent_states("Local/1011@agents/n") == [
        ("available", None, ()),
        ("available", None, ()),  # now also in finance
        ("available", None, ("member-hotline",)),  # Lunch break in one queue only
        ("available", None, ()),
        ("available", None, ()),  # removed from member-hotline, still in finance
        ("logged_out", None, ()),
    ]


def test_pause_in_every_queue_is_paused_with_its_reason() -> None:
    states = agent_states("Local/1003@agents/n")
    assert ("paused", "Training", ("member-hotline", "online-service")) in states
    assert states[-1] == ("available", None, ())


def test_agent_on_a_live_call_rings_then_is_on_call_then_available() -> None:
    states = [s for s, _, _ in agent_states("Local/1001@agents/n")]
    assert states[-3:] == ["ringing", "on_call", "available"]


def member_status(at: float, state: int, in_call: bool) -> ev.MemberStatusSeen:
    return ev.MemberStatusSeen(
        pbx="p",
        at=at,
        queue="online-service",
        interface="Local/1005@agents/n",
        member_name="Yang Li",
        device_state=state,
        in_call=in_call,
        paused=False,
        reason=None,
        penalty=0,
        wrapup_s=0.0,
    )


def test_wrap_up_from_queue_wrapuptime_ends_on_tick() -> None:
    tracker = CallTracker(queue_wrapup_s={"online-service": 5})
    tracker.apply(member_status(10.0, 2, True))
    tracker.apply(
        ev.AgentCompleteSeen(
            pbx="p",
            at=20.0,
            linkedid="1.0",
            queue="online-service",
            interface="Local/1005@agents/n",
            member_name="Yang Li",
            agent_channel="Local/1005@agents-1;1",
            hold_s=2,
            talk_s=8,
            reason="caller",
        )
    )
    (after,) = tracker.apply(member_status(20.1, 1, False))
    assert isinstance(after, f.AgentStateChanged) and after.state == "wrap_up"
    assert tracker.tick(24.0) == []
    (done,) = tracker.tick(25.5)
    assert isinstance(done, f.AgentStateChanged) and done.state == "available"


def test_resync_seeds_a_waiting_caller_and_closes_calls_that_vanished() -> None:
    tracker = CallTracker()
    tracker.apply(
        ev.ChannelCreatedSeen(
            pbx="p", at=1.0, linkedid="9.0", channel="A;1", uniqueid="9.0", context="inbound"
        )
    )
    offered = tracker.apply(
        ev.QueueEntrySnapshotSeen(
            pbx="p",
            at=100.0,
            queue="documents",
            channel="Local/s@caller-sim-00000001;1",
            uniqueid="50.2",
            number="02161239876",
            name=None,
            wait_s=5,
            position=1,
        )
    )
    assert [type(x) for x in offered] == [f.CallOffered]
    assert isinstance(offered[0], f.CallOffered) and offered[0].caller == "+862161239876"
    assert sorted(tracker.live_calls("p")) == ["50.2", "9.0"]
    ended = tracker.close_missing("p", ["50.2"], at=101.0)
    assert [type(x) for x in ended] == [f.CallEnded]
    assert tracker.live_calls("p") == ["50.2"]
    gone = tracker.close_missing("p", [], at=130.0)
    (end,) = [x for x in gone if isinstance(x, f.CallEnded)]
    assert (end.record.outcome, end.record.queues) == ("abandoned", ("documents",))


def test_core_show_channel_of_a_bridged_queue_call_seeds_an_answered_call() -> None:
    tracker = CallTracker()
    tracker.apply(
        ev.ChannelSnapshotSeen(
            pbx="p",
            at=200.0,
            linkedid="7.0",
            channel="Local/s@caller-sim-00000000;1",
            uniqueid="7.0",
            number="+8613611112222",
            name="Wu Gang",
            application="Queue",
            application_data="member-hotline,,,,600",
            duration_s=4,
            bridged=True,
        )
    )
    facts = tracker.apply(
        ev.ChannelHungUpSeen(
            pbx="p",
            at=210.0,
            linkedid="7.0",
            channel="Local/s@caller-sim-00000000;1",
            uniqueid="7.0",
            cause=16,
        )
    )
    (end,) = [x for x in facts if isinstance(x, f.CallEnded)]
    assert (end.record.outcome, end.record.caller_name, end.record.talk_s) == (
        "answered",
        "Wu Gang",
        10.0,
    )


def test_calls_of_two_pbxs_with_the_same_linkedid_stay_apart() -> None:
    tracker = CallTracker()
    for pbx in ("a", "b"):
        tracker.apply(
            ev.ChannelCreatedSeen(
                pbx=pbx, at=1, linkedid="1.0", channel="X;1", uniqueid="1.0", context="inbound"
            )
        )
    ended = tracker.apply(
        ev.ChannelHungUpSeen(pbx="a", at=2, linkedid="1.0", channel="X;1", uniqueid="1.0", cause=16)
    )
    assert [x.pbx for x in ended if isinstance(x, f.CallEnded)] == ["a"]
    assert tracker.live_calls("b") == ["1.0"]


def agent_leg(*, bridged: bool, application: str = "AppQueue") -> ev.ChannelSnapshotSeen:
    """The agent's half of a queue call as CoreShowChannel lists it (caller's ID on it)."""
    return ev.ChannelSnapshotSeen(
        pbx="p",
        at=300.0,
        linkedid="9.0",
        channel="Local/1001@agents-00000002;1",
        uniqueid="9.4",
        number="+8613611112222",
        name="Wu Gang",
        application=application,
        application_data="",
        duration_s=3,
        bridged=bridged,
    )


def test_an_agent_found_talking_at_a_resync_is_told_who_the_caller_is_once() -> None:
    tracker = CallTracker()
    facts = tracker.apply(agent_leg(bridged=True))
    (found,) = [x for x in facts if isinstance(x, f.AgentFoundOnCall)]
    assert (found.linkedid, found.interface, found.ringing) == (
        "9.0",
        "Local/1001@agents/n",
        False,
    )
    assert (found.caller, found.caller_name) == ("+8613611112222", "Wu Gang")
    again = tracker.apply(agent_leg(bridged=True))  # the next resync lists it again
    assert [x for x in again if isinstance(x, f.AgentFoundOnCall)] == []


def test_an_agent_found_ringing_at_a_resync_gets_a_ringing_pop_and_other_legs_none() -> None:
    tracker = CallTracker()
    (found,) = [
        x for x in tracker.apply(agent_leg(bridged=False)) if isinstance(x, f.AgentFoundOnCall)
    ]
    assert found.ringing is True
    # the ;2 half of the Local channel (application Wait) is not the agent's phone ringing
    other = CallTracker().apply(agent_leg(bridged=False, application="Wait"))
    assert [x for x in other if isinstance(x, f.AgentFoundOnCall)] == []
