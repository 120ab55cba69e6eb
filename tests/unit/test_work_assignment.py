"""The assignment policy and the callback rule, table-tested (pure, no IO)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.work_assignment import (
    AgentLoad,
    Capacity,
    Floor,
    OpenItem,
    groups_with_room,
    keeps_voice_paused,
    plan,
)
from callcenter.domain.work_callbacks import CallbackRule, after_attempt, parse_window

SH = ZoneInfo("Asia/Shanghai")


def item(id_: int, kind: str = "letter", group: str = "letters", **kw: object) -> OpenItem:
    fields: dict[str, object] = {"priority": 0, "created_at": 1000.0 + id_}
    fields.update(kw)
    return OpenItem(id=id_, group=group, kind=kind, **fields)  # type: ignore[arg-type]


def agent(code: str, level: int = 5, group: str = "letters", **kw: object) -> AgentLoad:
    return AgentLoad(code=code, skills={group: level}, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("items", "agents", "caps", "expected"),
    [
        # the best skill level gets the offer
        ([item(1)], [agent("a", 3), agent("b", 9)], {}, [(1, "b")]),
        # nobody skilled in the group: no offer
        ([item(1, group="finance")], [agent("a")], {}, []),
        # a decliner is never offered the item again, even as the best
        ([item(1, declined=frozenset({"b"}))], [agent("a", 3), agent("b", 9)], {}, [(1, "a")]),
        # priority first, then the soonest due, then the oldest
        (
            [item(1), item(2, priority=5), item(3, due_at=1.0)],
            [agent("a", work=2)],
            {},
            [(2, "a")],
        ),
        ([item(1), item(3, due_at=1.0)], [agent("a", work=2)], {}, [(3, "a")]),
        ([item(2), item(1)], [agent("a", work=2)], {}, [(1, "a")]),
        # back-office capacity 3 by default, configurable per group
        ([item(i) for i in range(1, 6)], [agent("a")], {}, [(1, "a"), (2, "a"), (3, "a")]),
        ([item(i) for i in range(1, 4)], [agent("a")], {"letters": Capacity(work=1)}, [(1, "a")]),
        # equal levels: the least loaded first
        ([item(1)], [agent("a", work=1), agent("b")], {}, [(1, "b")]),
        # an agent on the phone gets no back-office work unless the group blends
        ([item(1)], [agent("a", on_phone=True)], {}, []),
        ([item(1)], [agent("a", on_phone=True)], {"letters": Capacity(blend=True)}, [(1, "a")]),
        # a callback needs a free phone and no unblended back-office work in hand
        ([item(1, "callback")], [agent("a", on_phone=True)], {}, []),
        ([item(1, "callback")], [agent("a", work=1, unblended_work=1)], {}, []),
        ([item(1, "callback"), item(2, "callback")], [agent("a")], {}, [(1, "a")]),
        # not reachable (paused for lunch, say): nothing
        ([item(1)], [agent("a", ready=False)], {}, []),
        # a callback whose retry time lies ahead waits
        ([item(1, "callback", not_before=99_999.0)], [agent("a")], {}, []),
    ],
)
def test_plan_offers_each_item_to_one_agent(
    items: list[OpenItem],
    agents: list[AgentLoad],
    caps: dict[str, Capacity],
    expected: list[tuple[int, str]],
) -> None:
    offers = plan(items, Floor.of(agents), caps, now=5000.0)
    assert [(o.item_id, o.agent) for o in offers] == expected
    assert len({o.item_id for o in offers}) == len(offers)


def test_plan_spreads_a_backlog_over_the_group_within_capacity() -> None:
    agents = [agent(f"a{i}", level=5) for i in range(4)]
    offers = plan([item(i) for i in range(1, 30)], Floor.of(agents), {}, now=5000.0)
    per_agent = {a.code: sum(1 for o in offers if o.agent == a.code) for a in agents}
    assert per_agent == {"a0": 3, "a1": 3, "a2": 3, "a3": 3}
    assert [o.item_id for o in offers] == list(range(1, 13))  # the oldest twelve


def test_only_groups_with_an_agent_with_room_are_worth_planning() -> None:
    floor = Floor.of(
        [
            agent("full", group="letters", work=3),
            agent("free", group="finance"),
            agent("away", group="documents", ready=False),
            AgentLoad(code="phone", skills={"hotline": 5}, on_phone=True, voice=1),
        ]
    )
    assert groups_with_room(floor, {}) == {"finance"}
    roomy = {"letters": Capacity(work=5)}
    assert groups_with_room(floor, roomy) == {"finance", "letters"}
    # whatever the filter leaves out, the policy would not have offered anyway
    backlog = [item(i, group=g) for i, g in enumerate(["letters", "documents", "hotline"] * 3)]
    assert plan(backlog, floor, {}, now=2000.0) == []


@pytest.mark.parametrize(
    ("groups", "caps", "paused"),
    [
        ([], {}, False),
        (["letters"], {}, True),
        (["letters"], {"letters": Capacity(blend=True)}, False),
        (["letters", "finance"], {"letters": Capacity(blend=True)}, True),
    ],
)
def test_back_office_work_keeps_the_agent_out_of_voice_unless_blended(
    groups: list[str], caps: dict[str, Capacity], paused: bool
) -> None:
    assert keeps_voice_paused(groups, caps) is paused


RULE = CallbackRule(max_attempts=3, retry_after_s=600, window_start=time(9), window_end=time(20))


@pytest.mark.parametrize(
    ("outcome", "attempts", "now", "status", "retry_at"),
    [
        ("answered", 1, datetime(2026, 12, 1, 10, 0, tzinfo=SH), "reached", None),
        ("busy", 1, datetime(2026, 12, 1, 10, 0, tzinfo=SH), "retry", (12, 1, 10, 10)),
        ("no_answer", 2, datetime(2026, 12, 1, 10, 0, tzinfo=SH), "retry", (12, 1, 10, 10)),
        ("busy", 3, datetime(2026, 12, 1, 10, 0, tzinfo=SH), "failed", None),
        # the retry would fall after the window: the next morning's opening
        ("busy", 1, datetime(2026, 12, 1, 19, 55, tzinfo=SH), "retry", (12, 2, 9, 0)),
    ],
)
def test_after_attempt_follows_the_rule(
    outcome: str,
    attempts: int,
    now: datetime,
    status: str,
    retry_at: tuple[int, int, int, int] | None,
) -> None:
    step = after_attempt(outcome, attempts, now, RULE)
    assert step.status == status
    got = None if step.retry_at is None else (
        step.retry_at.month, step.retry_at.day, step.retry_at.hour, step.retry_at.minute
    )  # fmt: skip
    assert got == retry_at


@pytest.mark.parametrize("text", ["9-20", "09:00", "20:00-09:00x", ""])
def test_a_bad_calling_window_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="calling window"):
        parse_window(text)


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    start, end = parse_window("20:00-09:00")
    with pytest.raises(ValueError, match="start before it ends"):
        CallbackRule(window_start=start, window_end=end)
