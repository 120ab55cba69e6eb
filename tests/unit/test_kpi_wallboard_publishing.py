"""The wallboard's coalesced publishing: many facts give one message, nothing changed gives none,
and at most one message per interval (driven by an injected clock and sleep, never by wall time)."""

from __future__ import annotations

import asyncio

from callcenter.services.wallboard import WallboardService
from support.wallboard import ALL, DAY_END, GROUPS, Board


def test_many_facts_give_one_message_and_nothing_changed_gives_none() -> None:
    board = Board(DAY_END)
    board.feed(ALL["concurrent_burst"])  # 120 facts
    assert board.notifier.sent == []  # nothing is sent from on_fact itself
    assert board.service.flush()
    assert not board.service.flush()
    assert len(board.notifier.sent) == 1
    channel, type_, payload = board.notifier.sent[0]
    assert (channel, type_) == ("wallboard", "wallboard")
    assert payload["day"] == "2026-11-22" and payload["timezone"] == "Asia/Shanghai"
    assert next(g for g in payload["groups"] if g["slug"] == "member-hotline")["offered"] == 8
    board.feed(ALL["abandoned_in_queue"])
    assert board.service.flush()
    assert len(board.notifier.sent) == 2


async def test_publisher_sends_at_most_one_message_per_interval() -> None:
    board = Board(DAY_END)
    gate = asyncio.Event()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await gate.wait()  # the test decides when the interval is over
        gate.clear()
        board.clock.now += seconds

    board.service = WallboardService(
        notifier=board.notifier,
        presence=board.presence,
        groups=GROUPS,
        clock=board.clock,
        sleep=sleep,
    )
    board.service.start()
    try:
        board.feed(ALL["answered_caller_hangs_up"])
        while not board.notifier.sent:  # the first change goes out at once
            await asyncio.sleep(0)
        board.feed(ALL["concurrent_burst"])
        while not slept:  # the publisher now waits out the rest of the interval
            await asyncio.sleep(0)
        board.feed(ALL["abandoned_in_queue"])
        for _ in range(20):
            await asyncio.sleep(0)
        assert len(board.notifier.sent) == 1
        assert slept == [1.0]
        gate.set()
        while len(board.notifier.sent) < 2:
            await asyncio.sleep(0)
        last = board.notifier.sent[-1][2]
        finance = next(g for g in last["groups"] if g["slug"] == "finance")
        assert finance["abandoned"] == 6  # both batches in the one coalesced message
    finally:
        await board.service.aclose()
    assert len(board.notifier.sent) == 2
