"""translate(): each AMI quirk of the recorded traces becomes the right domain event."""

from __future__ import annotations

import json
import logging

import pytest

from callcenter.adapters.ami.translate import stream_time, translate
from callcenter.domain.calls import events as ev
from support import TRACES


def messages(trace: str, event: str) -> list[dict[str, str]]:
    rows = (json.loads(line) for line in (TRACES / f"{trace}.jsonl").open(encoding="utf-8"))
    return [r["msg"] for r in rows if r.get("msg", {}).get("Event") == event]


def one(msg: dict[str, str]) -> ev.DomainEvent:
    (event,) = translate(msg, pbx="p", at=1.0)
    return event


def test_queue_status_member_uses_name_and_location() -> None:
    member = one(messages("agent_state_changes", "QueueMember")[0])
    assert isinstance(member, ev.QueueMemberSnapshotSeen)
    assert (member.interface, member.member_name) == ("Local/1001@agents/n", "Wang Fang")


def test_live_member_events_use_membername_and_interface_and_keep_pause_reason() -> None:
    pauses = [one(m) for m in messages("agent_state_changes", "QueueMemberPause")]
    assert isinstance(pauses[0], ev.MemberPausedSeen)
    assert (pauses[0].interface, pauses[0].member_name, pauses[0].reason) == (
        "Local/1011@agents/n",
        "Sun Hui",
        "Lunch break",
    )
    unpause = pauses[3]
    assert isinstance(unpause, ev.MemberPausedSeen)
    assert (unpause.paused, unpause.reason) == (False, None)


def test_queue_entry_unknown_name_without_brackets_is_none() -> None:
    entry = one(messages("agent_state_changes", "QueueEntry")[0])
    assert isinstance(entry, ev.QueueEntrySnapshotSeen)
    assert (entry.name, entry.number, entry.wait_s) == (None, "02161239876", 5.0)


def test_unknown_caller_id_is_none() -> None:
    created = messages("anonymous_caller", "QueueCallerJoin")[0]
    join = one(created)
    assert isinstance(join, ev.CallerJoinedQueueSeen)
    assert (join.number, join.name) == (None, None)


def test_prohibited_presentation_marks_caller_id_withheld() -> None:
    ids = [one(m) for m in messages("anonymous_caller", "NewCallerid")]
    withheld = [e for e in ids if isinstance(e, ev.CallerIdSeen) and e.withheld]
    assert withheld and all(e.number == "anonymous" for e in withheld)


def test_ring_no_answer_ring_time_is_milliseconds_connect_is_seconds() -> None:
    rna = one(messages("ring_no_answer_next_agent", "AgentRingNoAnswer")[0])
    connect = one(messages("ring_no_answer_next_agent", "AgentConnect")[0])
    assert isinstance(rna, ev.AgentRingNoAnswerSeen) and rna.ring_s == 15.0
    assert isinstance(connect, ev.AgentConnectedSeen) and (connect.hold_s, connect.ring_s) == (
        19,
        2,
    )


def test_agent_complete_without_caller_fields_uses_dest_linkedid() -> None:
    full = messages("answered_caller_hangs_up", "AgentComplete")[0]
    stripped = {
        k: v
        for k, v in full.items()
        if k.startswith("Dest")
        or k in ("Event", "Queue", "Interface", "MemberName", "HoldTime", "TalkTime", "Reason")
    }
    done = one(stripped)
    assert isinstance(done, ev.AgentCompleteSeen)
    assert (done.linkedid, done.talk_s, done.reason) == ("1795343813.0", 5.0, "caller")


def test_blind_transfer_reads_transferer_and_transferee_prefixes() -> None:
    transfer = one(messages("transfer_to_other_queue", "BlindTransfer")[0])
    assert isinstance(transfer, ev.TransferSeen)
    assert transfer.agent_channel == "Local/1001@agents-00000001;1"
    assert transfer.customer_channel == "Local/s@caller-sim-00000000;1"
    assert (transfer.context, transfer.exten, transfer.success) == ("cc-transfer", "7006", True)


def test_originate_response_is_an_event() -> None:
    done = one(messages("outbound_telemarketing", "OriginateResponse")[0])
    assert isinstance(done, ev.OriginateResponseSeen)
    assert done.uniqueid == "1795344107.0"


def test_originates_own_dial_has_only_dest_fields_and_no_caller_channel() -> None:
    dials = [translate(m, pbx="p", at=0) for m in messages("outbound_telemarketing", "DialBegin")]
    (own,) = dials[0]
    assert isinstance(own, ev.DialBeginSeen) and own.channel is None
    assert own.dial_string == "1006@agent-phone/n"
    (out,) = dials[1]
    assert isinstance(out, ev.DialBeginSeen) and out.number == "13812345678"


def test_queuestatus_timeout_and_routing_variables_kept_other_varsets_dropped() -> None:
    varsets = messages("queue_timeout_overflow", "VarSet")
    kept = [e for m in varsets for e in translate(m, pbx="p", at=0)]
    assert any(isinstance(e, ev.QueueResultSeen) and e.status == "TIMEOUT" for e in kept)
    names = {e.name for e in kept if isinstance(e, ev.RoutingVariableSeen)}
    assert names == {"CC_QUEUE", "CC_MAXWAIT", "CC_OVERFLOW_QUEUE"}
    assert len(kept) < len(varsets) / 5


@pytest.mark.parametrize(
    "event",
    ["Newexten", "DeviceStateChange", "ExtensionStatus", "QueueParams", "QueueSummary", "Nope"],
)
def test_events_we_do_not_need_give_nothing(event: str) -> None:
    assert translate({"Event": event, "Queue": "q"}, pbx="p", at=0) == []


def test_missing_headers_skip_the_event_with_a_debug_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="callcenter.adapters.ami.translate")
    assert translate({"Event": "Hangup", "Channel": "X"}, pbx="p", at=0) == []
    assert translate({"Event": "QueueCallerJoin"}, pbx="p", at=0) == []
    assert translate({"Response": "Success"}, pbx="p", at=0) == []
    assert "missing or malformed header" in caplog.text


def test_bad_numbers_in_headers_fall_back_instead_of_raising() -> None:
    msg = dict(messages("ring_no_answer_next_agent", "AgentConnect")[0], HoldTime="soon")
    connect = one(msg)
    assert isinstance(connect, ev.AgentConnectedSeen) and connect.hold_s == 0.0


def test_stream_time_uses_uniqueid_epochs_and_dialed_time() -> None:
    assert stream_time({"Event": "Newchannel", "Uniqueid": "1795343813.0"}) == 1795343813.0
    dialed = {
        "Event": "VarSet",
        "Variable": "DIALEDTIME_MS",
        "Value": "2500",
        "Uniqueid": "1795343813.1",
    }
    assert stream_time(dialed) == 1795343815.5
    assert stream_time({"Event": "FullyBooted"}) == 0.0
    # junk proves nothing: an absurd epoch, or a header repeated into a list
    assert stream_time({"Event": "Newchannel", "Uniqueid": "99999999999999999999.1"}) == 0.0
    assert stream_time({"Event": "Newchannel", "Uniqueid": ["1795343813.0", "1.1"]}) == 0.0


def test_only_varsets_the_translation_reads_pass_the_raw_frame_filter() -> None:
    """A PBX sends VarSets by the dozen per call: the filter keeps DIALSTATUS, AMDSTATUS,
    QUEUESTATUS, MIXMONITOR_FILENAME, DIALEDTIME_MS and our CC_* ones, drops the rest
    (a name that only starts like a wanted one included), and never keeps a VarSet without
    a Variable header."""
    from callcenter.adapters.ami.translate import wanted_frame

    def varset(name: str) -> str:
        return f"Event: VarSet\r\nChannel: Local/1001@x-0001;1\r\nVariable: {name}\r\nValue: 1"

    kept = [
        n
        for n in ("DIALSTATUS", "AMDSTATUS", "QUEUESTATUS", "MIXMONITOR_FILENAME", "CC_GROUP")
        if wanted_frame(varset(n))
    ]
    assert kept == ["DIALSTATUS", "AMDSTATUS", "QUEUESTATUS", "MIXMONITOR_FILENAME", "CC_GROUP"]
    assert not wanted_frame(varset("BRIDGEPEER"))
    assert not wanted_frame(varset("DIALSTATUS_OLD"))
    assert not wanted_frame("Event: VarSet\r\nChannel: Local/1001@x-0001;1")
    assert wanted_frame("Event: VarSet\r\nVariable: DIALEDTIME_MS")  # last header of the frame
    assert not wanted_frame("Event: Newexten\r\nChannel: Local/1001@x-0001;1")


def test_a_received_keypad_digit_is_an_event_a_sent_one_is_not() -> None:
    """The agent's *2 of the recorded attended transfer: two received digits on their channel."""
    rows = (
        json.loads(line)
        for line in (TRACES / "features" / "attended_transfer.jsonl").open(encoding="utf-8")
    )
    dtmf = [r["msg"] for r in rows if r.get("msg", {}).get("Event") == "DTMFEnd"]
    keys = [one(m) for m in dtmf[:2]]
    assert keys == [
        ev.KeyPressedSeen("p", 1.0, "1796306867.0", "Local/1001@agents-00000001;1", "*"),
        ev.KeyPressedSeen("p", 1.0, "1796306867.0", "Local/1001@agents-00000001;1", "2"),
    ]
    sent = {**dtmf[0], "Direction": "Sent"}
    assert translate(sent, pbx="p", at=1.0) == []
