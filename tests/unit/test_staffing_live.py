"""The wallboard's `agents_needed` per group: Erlang C at the last interval's load and AHT."""

from __future__ import annotations

from datetime import UTC, datetime

from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.kpi.staffing import StaffingRules
from callcenter.domain.routing.groups import Group
from callcenter.services.wallboard import WallboardService
from fakes import FakeNotifier

NOW = 1795343000.0
GROUPS = [
    Group(
        "member-hotline",
        "Member hotline",
        "书友热线组",
        "member-hotline",
        "8001",
        20,
        80,
    ),
    Group("finance", "Finance", "金融服务组", "finance", "8006", 20, 80),
]


def _call(n: int, started: float, queue: str = "member-hotline") -> CallRecord:
    return CallRecord(
        pbx="pbx1",
        linkedid=f"{int(started)}.{n}",
        direction="inbound",
        caller=None,
        caller_name=None,
        queues=(queue,),
        agent="Wang Fang",
        outcome="answered",
        wait_s=5.0,
        talk_s=170.0,
        ring_attempts=1,
        transferred=False,
        started_at=datetime.fromtimestamp(started, UTC),
        ended_at=datetime.fromtimestamp(started + 175, UTC),
    )


def _board(rules: StaffingRules) -> tuple[WallboardService, FakeNotifier]:
    notes = FakeNotifier()
    board = WallboardService(
        notifier=notes,
        presence=PresenceBoard(),
        groups=GROUPS,
        wrapup_s={"member-hotline": 10.0},
        clock=lambda: NOW,
        staffing=rules,
    )
    return board, notes


def test_textbook_load_shows_its_agents_on_the_wallboard_and_socket() -> None:
    board, notes = _board(StaffingRules(shrinkage=0.3, max_occupancy=0.85, interval_minutes=30))
    # 100 calls in the last 30 minutes, talk 170 s + 10 s wrap-up = AHT 180 s, target 80/20:
    # the textbook's 10 Erlangs need 14 agents on the phones, 20 with 30 % shrinkage.
    for n in range(100):
        board.add_record(_call(n, NOW - 1790 + n * 17))
    # calls of an hour ago do not count towards the load now
    for n in range(50):
        board.add_record(_call(1000 + n, NOW - 3600 - n))

    groups = {g["slug"]: g for g in board.snapshot()["groups"]}
    assert groups["member-hotline"]["agents_needed"] == 20
    assert groups["finance"]["agents_needed"] == 0  # nothing offered

    board.flush()
    (_, kind, payload) = notes.sent[-1]
    assert kind == "wallboard"
    assert [g["agents_needed"] for g in payload["groups"]] == [20, 0]


def test_occupancy_cap_and_no_shrinkage() -> None:
    board, _ = _board(StaffingRules(shrinkage=0.0, max_occupancy=0.6, interval_minutes=30))
    for n in range(100):
        board.add_record(_call(n, NOW - 1790 + n * 17))
    (hotline, _) = board.snapshot()["groups"]
    assert hotline["agents_needed"] == 17  # 10 Erlangs at most 60 % busy: ceil(10 / 0.6)
