"""The wallboard's live figures: from every recorded trace, rebuilt equal after a restart, callers
waiting now, the day rolling over at the configured hour, and first-contact resolution."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from callcenter.domain.calls import facts as f
from callcenter.domain.calls.records import CallRecord
from support.wallboard import ALL, DAY_END, Board, ended

SH = ZoneInfo("Asia/Shanghai")


def test_every_recorded_trace_gives_the_hand_counted_figures() -> None:
    board = Board(DAY_END)
    for facts in ALL.values():
        board.feed(facts)
    hotline, finance = board.group("member-hotline"), board.group("finance")
    # 15 calls entered the hotline (the overflowed and the transferred one among them); the
    # overflowed call ended in online-service and the transferred one in finance.
    assert (hotline["offered"], hotline["answered"], hotline["abandoned"]) == (15, 10, 3)
    # waits of the 10 answered: 3 2 19 2 4 3 11 26 22 2 -> 8 within 20 s
    assert (hotline["answered_within_sl"], hotline["sl_percent"]) == (8, 80.0)
    assert hotline["asa_s"] == 9.4
    assert (finance["offered"], finance["answered"], finance["abandoned"]) == (7, 1, 6)
    assert board.group("online-service")["answered"] == 7  # 6 own + the overflowed call
    assert board.group("telemarketing")["offered"] == 0  # the outbound call counts nowhere
    assert all(g["waiting"] == 0 for g in board.service.snapshot()["groups"])
    agents = {a["code"]: a for a in board.service.snapshot()["agents"]}
    assert agents["1001"]["answered"] == 7  # Wang Fang, by member name
    assert agents["1009"]["answered"] == 1  # Wu Xia took the transferred call


def test_restart_mid_day_rebuilt_figures_equal_live_ones() -> None:
    names = sorted(ALL)
    before, after = names[: len(names) // 2], names[len(names) // 2 :]
    live = Board(DAY_END)
    for name in names:
        live.feed(ALL[name])
    # The restarted process counts what was stored before it went down, then carries on live.
    restarted = Board(DAY_END)
    for name in before:
        for record in ended(ALL[name]):
            assert restarted.service.add_record(record)
    for name in after:
        restarted.feed(ALL[name])
    assert restarted.figures() == live.figures()
    assert live.figures()["member-hotline"]["offered"] == 15  # not an empty comparison


def test_waiting_now_longest_wait_and_calls_in_progress() -> None:
    t = datetime(2026, 11, 22, 10, 0, tzinfo=UTC).timestamp()
    board = Board(t + 30)
    offered = [
        f.CallOffered("pbx1", t, "a", "member-hotline", "+8613800138000", None),
        f.CallOffered("pbx1", t + 5, "b", "member-hotline", None, None),
    ]
    board.feed(offered)  # type: ignore[arg-type]
    hotline = board.group("member-hotline")
    assert (hotline["waiting"], hotline["longest_wait_s"], hotline["offered"]) == (2, 30.0, 2)
    assert hotline["answered"] == 0
    board.feed([f.CallAnswered("pbx1", t + 12, "a", "Wang Fang", "Local/1001@agents/n", "", 12.0)])
    hotline = board.group("member-hotline")
    assert (hotline["waiting"], hotline["longest_wait_s"], hotline["offered"]) == (1, 25.0, 2)
    record = CallRecord(
        pbx="pbx1",
        linkedid="a",
        direction="inbound",
        caller="+8613800138000",
        caller_name=None,
        queues=("member-hotline",),
        agent="Wang Fang",
        outcome="answered",
        wait_s=12.0,
        talk_s=8.0,
        ring_attempts=1,
        transferred=False,
        started_at=datetime.fromtimestamp(t, UTC),
        ended_at=datetime.fromtimestamp(t + 20, UTC),
    )
    board.feed([f.CallEnded("pbx1", t + 20, "a", record, None, None)])
    hotline = board.group("member-hotline")
    assert (hotline["offered"], hotline["answered"], hotline["waiting"]) == (2, 1, 1)
    assert hotline["aht_s"] == 18.0  # 8 s talk + the queue's 10 s wrap-up


def test_day_rolls_over_at_the_configured_hour() -> None:
    # business day starts 06:00 Shanghai; it is 05:59:30 on 23 Nov, still the 22nd's day
    start = datetime(2026, 11, 23, 5, 59, 30, tzinfo=SH).timestamp()
    board = Board(start, day_start_hour=6)
    assert board.service.day.isoformat() == "2026-11-22"
    records = ended(ALL["answered_caller_hangs_up"])
    late = [replace(r, started_at=datetime.fromtimestamp(start - 60, UTC)) for r in records]
    assert board.service.add_record(late[0])
    board.feed([f.CallOffered("pbx1", start + 20, "w", "finance", None, None)])
    assert board.group("member-hotline")["answered"] == 1
    board.clock.now = start + 31  # 06:00:01
    snap = board.service.snapshot()
    assert snap["day"] == "2026-11-23"
    hotline, finance = board.group("member-hotline"), board.group("finance")
    assert (hotline["offered"], hotline["answered"]) == (0, 0)
    # the caller offered before 06:00 still waits, but was offered in yesterday's figures
    assert (finance["waiting"], finance["offered"]) == (1, 0)
    assert not board.service.add_record(late[0])  # a call of yesterday never lands in today


def test_disposition_counts_towards_fcr() -> None:
    board = Board(DAY_END)
    board.feed(ALL["answered_caller_hangs_up"])
    assert board.group("member-hotline")["fcr_percent"] is None
    (record,) = ended(ALL["answered_caller_hangs_up"])
    assert board.service.on_disposition(
        pbx=record.pbx, linkedid=record.linkedid, code="order_status", settled=True
    )
    assert board.group("member-hotline")["fcr_percent"] == 100.0
    assert not board.service.on_disposition(pbx="x", linkedid="y", code="other", settled=False)
