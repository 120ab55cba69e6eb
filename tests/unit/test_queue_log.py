"""The queue_log fold and the comparison with stored calls (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from callcenter.domain.calls.records import CallRecord
from callcenter.domain.reconcile.matching import compare_call, reconcile
from callcenter.domain.reconcile.queue_log import QueueLogFold
from callcenter.domain.reconcile.queued_call import covered_seconds
from support import TRACES


def _fold(text: str) -> QueueLogFold:
    return QueueLogFold().feed_all(text.splitlines(keepends=True))


def _record(linkedid: str, **fields: object) -> CallRecord:
    base = CallRecord(
        pbx="pbx1",
        linkedid=linkedid,
        direction="inbound",
        caller=None,
        caller_name=None,
        queues=("member-hotline",),
        agent=None,
        outcome="abandoned",
        wait_s=0.0,
        talk_s=0.0,
        ring_attempts=0,
        transferred=False,
        started_at=datetime.fromtimestamp(100, UTC),
        ended_at=datetime.fromtimestamp(200, UTC),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("line", "outcome", "wait"),
    [
        ("110|c1|q|NONE|ABANDON|1|1|10", "abandoned", 10),
        ("115|c1|q|NONE|EXITWITHTIMEOUT|1|1|15", "timeout", 15),
        ("101|c1|q|NONE|EXITEMPTY|1|1|1", "timeout", 1),
        (
            "103|c1|q|NONE|EXITWITHKEY|1|1|1|3",
            "callback_requested",
            3,
        ),  # pressed 1: [cc-queue-exit]
        ("106|c1|q|NONE|WITHDRAW|1|1|6|callback-requested", "callback_requested", 6),
    ],
)
def test_unanswered_endings(line: str, outcome: str, wait: int) -> None:
    (call,) = _fold(f"100|c1|q|NONE|ENTERQUEUE||+8613800138000|1\n{line}\n").calls()
    assert (call.outcome, call.wait_s, call.talk_s, call.agent) == (outcome, wait, 0, None)
    assert call.finished and call.caller == "+8613800138000"


def test_answered_with_rings_and_a_blind_transfer() -> None:
    fold = _fold(
        "100|c1|q1|NONE|ENTERQUEUE||123|1\n"
        "115|c1|q1|Wang Fang|RINGNOANSWER|15000\n"
        "119|c1|q1|Zhang Wei|CONNECT|19|c1.2|2\n"
        "122|c1|q1|Zhang Wei|BLINDTRANSFER|7006|cc-transfer|19|3|1\n"
        "122|c1|q2|NONE|ENTERQUEUE||123|1\n"
        "124|c1|q2|Wu Xia|CONNECT|2|c1.4|2\n"
        "129|c1|q2|Wu Xia|COMPLETEAGENT|2|5|1\n"
    )
    (call,) = fold.calls()
    assert call.queues == ["q1", "q2"] and call.outcome == "answered"
    assert (call.agent, call.wait_s, call.talk_s, call.transferred) == ("Wu Xia", 21, 8, True)
    assert call.stays[0].rings == 1


def test_redirect_talk_is_cut_at_the_next_queue() -> None:
    text = (TRACES / "features" / "redirect_transfer.queue_log").read_text(encoding="utf-8")
    (call,) = _fold(text).calls()
    # logged: 12 s in member-hotline (until the hang-up, finance included) + 7 s in finance
    assert call.raw_talk_s == 19
    assert call.talk_s == 10 and call.cut and call.transferred
    assert call.agent == "Wu Xia"


def test_attended_transfer_consultation_is_folded_into_the_call() -> None:
    text = (TRACES / "features" / "attended_transfer.queue_log").read_text(encoding="utf-8")
    calls = _fold(text).calls()
    assert [c.callid for c in calls] == ["1796306867.0", "1796306873.5"]
    record = _record(
        "1796306867.0",
        queues=("member-hotline", "finance"),
        agent="Wu Xia",
        outcome="answered",
        wait_s=2.0,  # the customer's wait; the consultation's 2 s were the first agent's
        talk_s=14.0,
        transferred=True,
        started_at=datetime.fromtimestamp(1796306867, UTC),
    )
    result = reconcile(calls, [record], since=0, until=2e9)
    assert result.summary()["missing_here"] == 0 and result.asterisk_calls == 1
    (finding,) = result.findings  # explained: the logged talk overlaps the consultation
    assert finding.status == "explained"
    assert finding.callids == ("1796306867.0", "1796306873.5")
    assert finding.differences[0].weakness == "consultation_overlap"
    (merged,) = [c for c in calls if c.callid == "1796306867.0"]
    assert (merged.wait_s, merged.talk_s, merged.agent) == (2, 14, "Wu Xia")


def test_bad_lines_are_counted_never_raised() -> None:
    fold = _fold(
        "not a line\n"
        "\n"
        "abc|c1|q|NONE|ENTERQUEUE||1|1\n"
        "100|c1|q|NONE|ENTERQUEUE||1|1\n"
        "105|c1|q|Wang Fang|CONNECT|soon|x|1\n"
        "106|c1|q|Wang Fang|COMPLETECALLER\n"
        "107|NONE|q|NONE|SOMETHINGNEW|1\n"
        "108|c1|q|NONE|ABANDON|1|1|8\n"
    )
    assert fold.lines == 8 and fold.malformed == 4
    assert [m.line_no for m in fold.malformed_kept] == [1, 3, 5, 6]
    assert fold.unknown_events == {"SOMETHINGNEW": 1}
    (call,) = fold.calls()
    assert call.outcome == "abandoned"


def test_log_beginning_mid_call() -> None:
    (call,) = _fold("130|c9|q|Wang Fang|COMPLETECALLER|5|20|1\n").calls()
    assert call.partial and call.finished and call.outcome == "answered"
    assert (call.first_at, call.talk_s, call.agent) == (105, 20, "Wang Fang")


def test_open_call_is_unfinished_not_missing() -> None:
    calls = _fold("100|c1|q|NONE|ENTERQUEUE||1|1\n").calls()
    result = reconcile(calls, [], since=0, until=1000)
    assert result.unfinished == 1 and result.missing_here == 0


def test_timeout_against_an_abandon_is_a_known_weakness() -> None:
    (call,) = _fold("100|c1|q|NONE|ENTERQUEUE||1|1\n115|c1|q|NONE|EXITWITHTIMEOUT|1|1|15\n").calls()
    record = _record("c1", queues=("q",), outcome="abandoned", wait_s=15.2)
    (diff,) = compare_call(call, record, 1.0)
    assert diff.field == "outcome" and diff.weakness == "timeout_is_abandon_on_ami"
    unexplained = compare_call(call, replace(record, wait_s=18.0, agent="Wang Fang"), 1.0)
    assert [d.field for d in unexplained] == ["outcome", "agent", "wait_s"]
    assert all(d.weakness is None for d in unexplained[1:])


def test_covered_seconds() -> None:
    assert covered_seconds([(0, 10), (5, 12), (20, 25), (21, 22)]) == 17
    assert covered_seconds([]) == 0
