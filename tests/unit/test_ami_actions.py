"""AMI action builders against the actions the recorder really sent, and list-reply readers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from callcenter.adapters.ami import actions as ami
from callcenter.services.agent_control import dial_string, transfer_exten
from callcenter.services.errors import InvalidField
from support import TRACES


def _jsonl(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (TRACES / name).read_text("utf-8").splitlines()]


def sent(name: str, action: str) -> list[dict[str, Any]]:
    """The actions of one kind the recorder sent, without their ActionID."""
    out = []
    for line in _jsonl(name):
        msg = line.get("sent")
        if msg and msg["Action"] == action:
            out.append({k: v for k, v in msg.items() if k != "ActionID"})
    return out


def received(name: str, event: str) -> list[dict[str, Any]]:
    return [line["msg"] for line in _jsonl(name) if line.get("msg", {}).get("Event") == event]


def test_queue_add_matches_what_asterisk_accepted() -> None:
    hotline, finance = sent("agent_state_changes.jsonl", "QueueAdd")
    built = ami.queue_add(
        queue="member-hotline",
        interface="Local/1011@agents/n",
        member_name="Sun Hui",
        state_interface="Custom:agent1011",
        penalty=2,
    )
    assert built == hotline
    assert (
        ami.queue_add(
            queue="finance",
            interface="Local/1011@agents/n",
            member_name="Sun Hui",
            state_interface="Custom:agent1011",
            penalty=0,
        )
        == finance
    )


def test_queue_add_without_state_interface_and_a_negative_penalty() -> None:
    built = ami.queue_add(
        queue="letters", interface="PJSIP/1008", member_name="Zhou Jie", state_interface=None,
        penalty=-3,
    )  # fmt: skip
    assert "StateInterface" not in built
    assert built["Penalty"] == "0"  # app_queue has no negative penalties


def test_queue_pause_one_queue_all_queues_and_unpause() -> None:
    lunch, training, unpause_one, unpause_all = sent("agent_state_changes.jsonl", "QueuePause")
    assert (
        ami.queue_pause(
            interface="Local/1011@agents/n",
            paused=True,
            reason="Lunch break",
            queue="member-hotline",
        )
        == lunch
    )
    assert ami.queue_pause(interface="Local/1003@agents/n", paused=True, reason="Training") == (
        training
    )
    assert (
        ami.queue_pause(interface="Local/1011@agents/n", paused=False, queue="member-hotline")
        == unpause_one
    )
    # an unpause never carries a reason, even when one is given
    assert ami.queue_pause(interface="Local/1003@agents/n", paused=False, reason="x") == (
        unpause_all
    )


def test_queue_remove_matches_the_trace() -> None:
    first, second = sent("agent_state_changes.jsonl", "QueueRemove")
    assert ami.queue_remove(queue="member-hotline", interface="Local/1011@agents/n") == first
    assert ami.queue_remove(queue="finance", interface="Local/1011@agents/n") == second


def test_originate_matches_the_recorded_telemarketing_call() -> None:
    (recorded,) = sent("outbound_telemarketing.jsonl", "Originate")
    built = ami.originate(
        channel=ami.originate_channel("Local/1006@agents/n"),
        exten="13812345678",
        caller_id=ami.caller_id("Zhao Lei", "1006"),
        variables={"PSTN_RING": "4", "PSTN_TALK": "6"},
        action_id="cc-2",
    )
    assert built.pop("ActionID") == "cc-2"
    assert built == recorded


def test_originate_channel_for_other_interfaces() -> None:
    assert ami.originate_channel("PJSIP/1001") == "PJSIP/1001"
    assert ami.originate_channel("Local/1001@agents") == "Local/1001@agent-phone/n"
    assert ami.originate_channel("Local/1001@other/n") == "Local/1001@other/n"


def test_values_cannot_inject_headers() -> None:
    built = ami.queue_pause(
        interface="Local/1001@agents/n", paused=True, reason="Lunch\r\nAction: Hangup"
    )
    assert all("\n" not in str(v) and "\r" not in str(v) for v in built.values())
    assert built["Reason"] == "Lunch Action: Hangup"
    originate = ami.originate(
        channel="PJSIP/1001",
        exten="123",
        caller_id=ami.caller_id('Evil "Name" <666>\n', "1001"),
        variables={"A\n": "b\r\nc"},
        action_id="x",
    )
    assert originate["CallerID"] == '"Evil Name 666" <1001>'
    assert originate["Variable"] == ["A=b c"]


def test_redirect_goes_to_the_transfer_context() -> None:
    assert ami.redirect(channel="Local/s@caller-sim-00000000;1", exten="7006") == {
        "Action": "Redirect",
        "Channel": "Local/s@caller-sim-00000000;1",
        "Context": "cc-transfer",
        "Exten": "7006",
        "Priority": "1",
    }


def test_live_channels_and_the_customer_leg_from_a_recorded_reply() -> None:
    reply = received("agent_state_changes.jsonl", "CoreShowChannel")
    reply.append({"Event": "CoreShowChannelsComplete", "ListItems": "8"})
    channels = ami.live_channels(reply)
    assert len(channels) == 8
    # Wu Gang talking to 1001: the customer is the caller leg the call began with
    assert (
        ami.customer_channel(channels, "1795344052.0", "Local/1001@agents/n")
        == "Local/s@caller-sim-00000000;1"
    )
    # the documents caller while 1008 rings
    assert (
        ami.customer_channel(channels, "1795344052.2", "Local/1008@agents/n")
        == "Local/s@caller-sim-00000001;1"
    )
    assert ami.customer_channel(channels, "nope", "Local/1001@agents/n") is None


def test_customer_leg_of_an_outbound_call_is_not_the_agent_phone() -> None:
    channels = [
        ami.LiveChannel("Local/1006@agent-phone-00000000;1", "9.0", "9.0", "6"),
        ami.LiveChannel("Local/1006@agent-phone-00000000;2", "9.1", "9.0", "6"),
        ami.LiveChannel("Local/13812345678@pstn-sim-00000001;2", "9.3", "9.0", "6"),
        ami.LiveChannel("Local/13812345678@pstn-sim-00000001;1", "9.2", "9.0", "6"),
    ]
    assert (
        ami.customer_channel(channels, "9.0", "Local/1006@agents/n")
        == "Local/13812345678@pstn-sim-00000001;1"
    )


def test_queue_memberships_read_name_and_location() -> None:
    members = ami.queue_memberships(received("agent_state_changes.jsonl", "QueueMember"))
    first = members[0]
    assert (first.queue, first.interface, first.name) == (
        "member-hotline",
        "Local/1001@agents/n",
        "Wang Fang",
    )
    added = [m for m in members if m.interface == "Local/1011@agents/n"]
    assert added and added[0].name == "Sun Hui"


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+8613812345678", "13812345678"),  # the recorded telemarketing dial string
        ("+862161234567", "02161234567"),
        ("+4930123456789", "004930123456789"),
    ],
)
def test_dial_string(e164: str, expected: str) -> None:
    assert dial_string(e164, "CN") == expected


def test_transfer_targets() -> None:
    assert transfer_exten("8006") == "7006"
    with pytest.raises(InvalidField):
        transfer_exten("4008001234")


def test_spy_options_let_dtmf_switch_modes_and_the_switch_is_a_received_digit() -> None:
    for mode in ("listen", "whisper", "barge"):
        data = ami.originate_spy(
            channel="Local/2001@supervisor/n", spied="Local/1001@agents-00000001;1",
            mode=mode, caller_id='"Li" <2001>', action_id="spy-1",
        )["Data"]  # fmt: skip
        assert isinstance(data, str) and "d" in data.split(",")[1]
    switch = ami.spy_mode_dtmf(spyer_channel="Local/2001@supervisor-00000002;1", mode="whisper")
    assert switch["Action"] == "PlayDTMF" and switch["Digit"] == "5"
    assert switch["Channel"] == "Local/2001@supervisor-00000002;1"
    assert switch["Receive"] == "true"  # into ChanSpy, not out to the supervisor's phone
    assert [ami.spy_mode_dtmf(spyer_channel="x", mode=m)["Digit"] for m in ("listen", "barge")] == [
        "4",
        "6",
    ]
    with pytest.raises(ValueError):
        ami.spy_mode_dtmf(spyer_channel="x", mode="shout")
