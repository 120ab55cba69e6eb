"""Every recording, old and new, against what the recording itself says: app_queue's queue_log,
the actions the recorder sent (Originates, ChanSpy, MixMonitor) and its AMI stream."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from callcenter.adapters.ami.pipeline import AmiPipeline, RecordedClock
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.records import CallRecord
from support import TRACES

FEATURES = TRACES / "features"
ALL = sorted([*TRACES.glob("*.ami"), *FEATURES.glob("*.ami")])
IDS = [str(p.relative_to(TRACES).with_suffix("")) for p in ALL]
WITH_QUEUE_LOG = [p for p in ALL if p.with_suffix(".queue_log").is_file()]
QL_IDS = [str(p.relative_to(TRACES).with_suffix("")) for p in WITH_QUEUE_LOG]


def run(path: Path, chunk: int = 65536) -> list[f.Fact]:
    clock = RecordedClock.from_jsonl(path.with_suffix(".jsonl").read_text("utf-8").splitlines())
    pipeline = AmiPipeline(pbx="pbx1", clock=clock)
    pipeline.feed_bytes(path.read_bytes(), chunk_size=chunk)
    assert pipeline.tracker.live_calls("pbx1") == []
    return pipeline.drain()


def records(path: Path) -> dict[str, CallRecord]:
    return {x.record.linkedid: x.record for x in run(path) if isinstance(x, f.CallEnded)}


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.with_suffix(".jsonl").read_text("utf-8").splitlines()]


def received(path: Path, event: str) -> list[dict[str, str]]:
    return [o["msg"] for o in lines(path) if o.get("msg", {}).get("Event") == event]


def sent(path: Path, action: str) -> list[dict[str, Any]]:
    return [o["sent"] for o in lines(path) if o.get("sent", {}).get("Action") == action]


def e164(raw: str) -> str:
    return raw if raw.startswith("+") else "+86" + raw.removeprefix("0")


@dataclass
class Logged:
    """One call as app_queue's queue_log tells it."""

    queues: list[str] = field(default_factory=list)
    legs: list[list[Any]] = field(default_factory=list)  # [agent, queue, talk, connect_t, state]
    wait: float = 0.0
    outcome: str = "abandoned"
    transferred: bool = False
    caller: str | None = None
    agent_uniqueids: list[str] = field(default_factory=list)


def queue_log(path: Path) -> dict[str, Logged]:
    """Calls by Linkedid; a consultation's own callid is mapped to its call via the AMI stream."""
    linked = {m["Uniqueid"]: m["Linkedid"] for m in received(path, "QueueCallerJoin")}
    calls: dict[str, Logged] = defaultdict(Logged)
    consult: dict[str, list[Any]] = {}
    for line in path.with_suffix(".queue_log").read_text().splitlines():
        t_text, callid, queue, agent, event, *data = line.split("|")
        if callid in ("NONE", "MANAGER"):
            continue
        t, linkedid = float(t_text), linked.get(callid, callid)
        call = calls[linkedid]
        own = callid == linkedid
        open_legs = [leg for leg in call.legs if leg[4] == "open"]
        if event == "ENTERQUEUE":
            call.queues.append(queue)
            call.caller = call.caller or data[1]
            if own and open_legs:  # the same caller enters a new queue mid-talk: a Redirect
                leg = open_legs[-1]
                leg[2], leg[4], call.transferred = t - leg[3], "redirected", True
        elif event == "CONNECT":
            call.agent_uniqueids.append(data[1])
            if not own:
                consult[linkedid] = [agent, queue, 0.0, t, "consult"]
            else:
                call.wait += float(data[0])
                call.legs.append([agent, queue, 0.0, t, "open"])
        elif event in ("COMPLETECALLER", "COMPLETEAGENT"):
            for leg in call.legs:
                if leg[0] == agent and leg[1] == queue and leg[4] in ("open", "merged"):
                    leg[2] = float(data[1]) - (leg[3] - leg[5] if leg[4] == "merged" else 0.0)
                    leg[4] = "done"
        elif event in ("ATTENDEDTRANSFER", "BLINDTRANSFER"):
            leg = open_legs[-1]
            leg[2], leg[4], call.transferred = float(data[3]), "done", True
            if event == "ATTENDEDTRANSFER" and linkedid in consult:
                merged = consult.pop(linkedid)
                call.legs.append([merged[0], merged[1], 0.0, t, "merged", merged[3]])
        elif event in ("ABANDON", "EXITWITHTIMEOUT", "WITHDRAW"):
            call.wait += float(data[2])
            call.outcome = {
                "ABANDON": "abandoned",
                "EXITWITHTIMEOUT": "timeout",
                "WITHDRAW": "callback_requested",
            }[event]
    for call in calls.values():
        if call.legs:
            call.outcome = "answered"
    return dict(calls)


def originated(path: Path) -> list[dict[str, Any]]:
    """The recorder's Originates that place a call to a customer, in the order sent."""
    out = []
    for action in sent(path, "Originate"):
        if action.get("Application"):
            continue  # a supervisor's ChanSpy leg
        variables = action.get("Variable") or []
        if isinstance(variables, str):
            variables = [variables]
        values = dict(v.lstrip("_").split("=", 1) for v in variables)
        if action["Context"] == "outbound":
            number = action["Exten"]
        else:
            number = action["Channel"].split("/", 1)[1].split("@", 1)[0]
        out.append({"number": number, "context": action["Context"], "vars": values, **action})
    return out


def customer_first_numbers(path: Path) -> set[str]:
    """Numbers an Originate rang first, to put them through to a queue (agent-first ones never
    enter a queue)."""
    return {e164(o["number"]) for o in originated(path) if o["context"] != "outbound"}


@pytest.mark.parametrize("path", WITH_QUEUE_LOG, ids=QL_IDS)
def test_queue_calls_agree_with_app_queues_own_log(path: Path) -> None:
    got = records(path)
    logged = queue_log(path)
    outbound = customer_first_numbers(path)
    for linkedid, expected in logged.items():
        record = got[linkedid]
        assert record.queues == tuple(expected.queues), linkedid
        assert record.outcome == expected.outcome, linkedid
        assert abs(record.wait_s - expected.wait) <= 1.0, linkedid
        assert record.transferred == expected.transferred, linkedid
        legs = [(leg.agent, leg.queue) for leg in record.legs]
        assert legs == [(leg[0], leg[1]) for leg in expected.legs], linkedid
        for leg, want in zip(record.legs, expected.legs, strict=True):
            assert abs(leg.talk_s - want[2]) <= 1.0, (linkedid, leg)
        assert abs(record.talk_s - sum(leg[2] for leg in expected.legs)) <= 1.5, linkedid
        assert record.agent == (expected.legs[-1][0] if expected.legs else None), linkedid
        caller = expected.caller
        if caller and caller[-1].isdigit():
            assert record.caller == e164(caller), linkedid
        want_direction = "outbound" if record.caller in outbound else "inbound"
        assert record.direction == want_direction, linkedid


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_ring_attempts_are_the_agents_rung_in_the_stream(path: Path) -> None:
    rung: dict[str, set[str]] = defaultdict(set)
    for m in received(path, "AgentCalled"):
        rung[m.get("Linkedid") or m["DestLinkedid"]].add(m["DestChannel"])
    for m in received(path, "DialBegin"):  # a Dial() of an agent's interface outside a queue
        if m.get("Channel") and "@agents-" in m["DestChannel"]:
            rung[m["Linkedid"]].add(m["DestChannel"])
    for linkedid, record in records(path).items():
        assert record.ring_attempts == len(rung[linkedid]), linkedid


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_every_call_an_originate_placed_has_the_outcome_its_phone_was_set_to_give(
    path: Path,
) -> None:
    placed = originated(path)
    got = sorted(
        (r for r in records(path).values() if r.direction == "outbound"),
        key=lambda r: r.started_at,
    )
    assert len(got) == len(placed)
    modes = {"busy": "busy", "noanswer": "no_answer", "congestion": "congestion"}
    for record, action in zip(got, placed, strict=True):
        values, number = action["vars"], action["number"]
        if len(number) <= 6:
            assert (record.caller, record.outcome) == (None, "failed")
            continue
        assert record.caller == e164(number)
        play = values.get("PSTN_PLAY", "")
        amd = (
            "MACHINE"
            if "machine" in play
            else "HUMAN"
            if action["context"] == "amd-outbound"
            else None
        )
        assert record.amd == amd
        if "PSTN_MODE" in values:
            expected = modes[values["PSTN_MODE"]]
        else:
            expected = "machine" if amd == "MACHINE" else "answered"
        assert record.outcome == expected, number
        if action["context"] == "outbound":  # agent-first: the agent named in the CallerID
            assert record.agent == action["CallerID"].split('"')[1]
            if expected == "answered":
                assert abs(record.talk_s - float(values["PSTN_TALK"])) <= 1.0


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_spying_and_recordings_belong_to_the_call_of_the_channel(path: Path) -> None:
    channel_call = {m["Channel"]: m["Linkedid"] for m in received(path, "Newchannel")}
    spied: dict[str, int] = defaultdict(int)
    for action in sent(path, "Originate"):
        if action.get("Application") == "ChanSpy":
            spied[channel_call[action["Data"].split(",", 1)[0]]] += 1
    files: dict[str, list[str]] = defaultdict(list)
    gosub = {m["Linkedid"] for m in received(path, "VarSet") if m["Variable"] == "CC_GOSUB"}
    logged = queue_log(path) if path.with_suffix(".queue_log").is_file() else {}
    for linkedid in gosub:  # the Queue gosub records the agent channel as ${UNIQUEID}.wav
        files[linkedid] += [f"{uid}.wav" for uid in logged[linkedid].agent_uniqueids]
    for action in sent(path, "MixMonitor"):
        files[channel_call[action["Channel"]]].append(action["File"])
    got = records(path)
    assert set(got) >= set(spied) | set(files)
    for linkedid, record in got.items():
        assert record.monitored == spied.get(linkedid, 0), linkedid
        assert list(record.recordings) == files.get(linkedid, []), linkedid


# The burst (1.2 MB) is replayed one byte per read by the replay command's own test.
SMALL = [p for p in ALL if p.stat().st_size < 400_000]


@pytest.mark.parametrize("path", SMALL, ids=[p.stem for p in SMALL])
def test_one_byte_reads_give_the_same_calls(path: Path) -> None:
    whole = [x.record for x in run(path) if isinstance(x, f.CallEnded)]
    bytewise = [x.record for x in run(path, chunk=1) if isinstance(x, f.CallEnded)]
    assert bytewise == whole


@pytest.mark.parametrize("path", SMALL, ids=[p.stem for p in SMALL])
def test_without_recorded_receipt_times_the_calls_are_the_same(path: Path) -> None:
    def key(r: CallRecord) -> tuple[object, ...]:
        agents = [(leg.agent, leg.queue) for leg in r.legs]
        return (r.linkedid, r.direction, r.outcome, r.queues, r.agent, r.ring_attempts, agents)

    pipeline = AmiPipeline(pbx="pbx1")  # only the times the stream itself proves
    pipeline.feed_bytes(path.read_bytes(), chunk_size=65536)
    streamed = [x.record for x in pipeline.drain() if isinstance(x, f.CallEnded)]
    assert [key(r) for r in streamed] == [key(r) for r in records(path).values()]
    assert [(r.monitored, r.recordings, r.amd) for r in streamed] == [
        (r.monitored, r.recordings, r.amd) for r in records(path).values()
    ]
