"""The wallboard on fakes: a restart counts the day's stored calls; one message per change."""

from __future__ import annotations

from dataclasses import replace

from callcenter.domain.agents.presence import PresenceBoard
from callcenter.ports.push import WallboardFigures
from callcenter.services.wallboard import WallboardService
from fakes import FakeDatabase, FakeNotifier
from fakes.floor import T0, WANG_FANG, abandoned_call, answered_call, floor

NOON = T0.timestamp() + 2 * 3600


def restarted_board(notifier: FakeNotifier) -> WallboardService:
    return WallboardService(
        notifier=notifier,
        presence=PresenceBoard(),
        groups=[],  # the groups come from the database
        timezone="Asia/Shanghai",
        clock=lambda: NOON,
    )


def todays_calls() -> FakeDatabase:
    db = floor()
    calls = [
        replace(answered_call("1.1", WANG_FANG), disposition_code="order_status",
                settled_first_contact=False),
        abandoned_call("1.2"),
    ]  # fmt: skip
    db.tables.calls = {(c.pbx, c.linkedid): c for c in calls}
    return db


async def test_a_restarted_wallboard_counts_the_calls_stored_today() -> None:
    notifier = FakeNotifier()
    board = restarted_board(notifier)
    assert await board.rebuild(todays_calls().uow) == 2
    groups = {g["slug"]: g for g in board.snapshot()["groups"]}
    assert set(groups) == {"member-hotline", "finance"}
    hotline = groups["member-hotline"]
    assert (hotline["offered"], hotline["answered"], hotline["abandoned"]) == (2, 1, 1)
    assert hotline["fcr_percent"] == 0.0  # the agent said the call did not settle it


async def test_the_figures_go_out_once_per_change_on_the_wallboard_channel() -> None:
    notifier = FakeNotifier()
    board = restarted_board(notifier)
    await board.rebuild(todays_calls().uow)
    assert board.flush() is True
    assert board.flush() is False  # nothing changed since
    ((agent, message),) = notifier.messages
    assert agent is None and isinstance(message, WallboardFigures)
    channel, type_, payload = notifier.sent[0]
    assert (channel, type_) == ("wallboard", "wallboard")
    assert payload["day"] == "2026-12-01" and payload["timezone"] == "Asia/Shanghai"
    board.on_disposition(pbx="pbx1", linkedid="1.1", code="order_status", settled=True)
    assert board.flush() is True
    hotline = next(g for g in notifier.sent[-1][2]["groups"] if g["slug"] == "member-hotline")
    assert hotline["fcr_percent"] == 100.0
