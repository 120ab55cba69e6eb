"""The wallboard's agents: how many of each group are in each state, paused by reason, and for how
long each agent has been in its state."""

from __future__ import annotations

from datetime import UTC, datetime

from support.wallboard import Board, agent_fact


def test_agents_by_state_per_group_with_time_in_state() -> None:
    t = datetime(2026, 11, 22, 10, 0, tzinfo=UTC).timestamp()
    board = Board(t + 100)
    both = ("member-hotline", "online-service")
    board.feed(
        [
            agent_fact(t, "1001", "available", ("member-hotline",)),
            agent_fact(t, "1002", "paused", ("member-hotline",), reason="Lunch break",
                       paused_in=("member-hotline",)),
            # paused in one queue only: paused there, available in the other
            agent_fact(t, "1003", "available", both, paused_in=("online-service",)),
            agent_fact(t, "1011", "available", ("member-hotline",)),
            agent_fact(t + 40, "1011", "logged_out", ()),
            agent_fact(t + 60, "1001", "on_call", ("member-hotline",)),
        ]
    )  # fmt: skip
    hotline, online = board.group("member-hotline"), board.group("online-service")
    assert hotline["agents"] == {
        "available": 1,
        "ringing": 0,
        "on_call": 1,
        "wrap_up": 0,
        "paused": 1,
        "logged_out": 1,  # still shown in the group it was last logged into
    }
    assert hotline["paused_by_reason"] == {"Lunch break": 1}
    assert (online["agents"]["paused"], online["agents"]["available"]) == (1, 0)
    assert online["paused_by_reason"] == {"No reason": 1}
    agents = {a["code"]: a for a in board.service.snapshot()["agents"]}
    assert agents["1001"]["state"] == "on_call"
    assert agents["1001"]["time_in_state_s"] == 40.0
    assert agents["1002"]["reason"] == "Lunch break"
