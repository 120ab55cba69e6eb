"""The work-group login rule: explicit choices win over the voice queues, both ways; a group
never chosen follows the voice queue unless that is turned off; logouts withdraw open offers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.agents.records import Agent, Skill
from callcenter.domain.calls.facts import AgentStateChanged
from callcenter.domain.work_login import logged_in, refused_group, surely_out, work_groups
from callcenter.ports.work_offers import WorkEntry
from callcenter.services.work_board import OfferRules, floor_of, withdrawals

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
SKILLS = ["letters", "documents"]


def test_a_group_never_chosen_follows_the_voice_queue_by_default() -> None:
    assert logged_in("letters", {}, in_voice_queue=True, follows_queues=True)
    assert not logged_in("letters", {}, in_voice_queue=False, follows_queues=True)
    assert not logged_in("letters", {}, in_voice_queue=True, follows_queues=False)


def test_an_explicit_choice_wins_over_the_voice_queue_both_ways() -> None:
    for follows in (True, False):
        for voice in (True, False):
            assert logged_in(
                "letters", {"letters": True}, in_voice_queue=voice, follows_queues=follows
            )
            assert not logged_in(
                "letters", {"letters": False}, in_voice_queue=voice, follows_queues=follows
            )


def test_surely_out_only_when_it_does_not_depend_on_presence() -> None:
    assert surely_out("letters", {"letters": False}, follows_queues=True)
    assert not surely_out("letters", {}, follows_queues=True)  # presence decides
    assert surely_out("letters", {}, follows_queues=False)
    assert not surely_out("letters", {"letters": True}, follows_queues=False)


def test_work_groups_in_skill_order() -> None:
    chosen = {"documents": True, "letters": False}
    assert work_groups(SKILLS, chosen, {"letters"}, follows_queues=True) == ["documents"]
    assert work_groups(SKILLS, {}, {"letters"}, follows_queues=True) == ["letters"]
    assert work_groups(SKILLS, {}, {"letters"}, follows_queues=False) == []


def test_a_login_naming_an_unknown_group_or_one_without_skill_is_refused() -> None:
    known = ["letters", "documents", "finance"]
    assert refused_group(["letters"], SKILLS, known) is None
    assert "unknown group 'nope'" in str(refused_group(["letters", "nope"], SKILLS, known))
    assert "no skill in group 'finance'" in str(refused_group(["finance"], SKILLS, known))


def presence(
    code: str, state: str, queues: tuple[str, ...], reason: str | None = None
) -> PresenceBoard:
    board = PresenceBoard()
    fact = AgentStateChanged(
        pbx="pbx1", at=0.0, interface=f"PJSIP/{code}", member_name=code, state=state,
        reason=reason, queues=queues, paused_in=queues if state == "paused" else (),
    )  # fmt: skip
    board.apply(fact, code)
    return board


AGENT = Agent(1, "1007", "Huang Min", "PJSIP/1007", None, True, (Skill("letters", 9),))
QUEUES = {"letters": "letters-q"}


def floor_groups(board: PresenceBoard, chosen: dict[str, bool], follows: bool) -> list[str]:
    floor = floor_of({"1007": AGENT}, QUEUES, board, [], {}, OfferRules().default_capacity,
                     {"1007": chosen}, follows)  # fmt: skip
    return sorted(floor.by_group)


def test_the_offering_floor_takes_work_only_from_groups_logged_in() -> None:
    in_queue = presence("1007", "available", ("letters-q",))
    assert floor_groups(in_queue, {}, True) == ["letters"]  # today's behaviour
    assert floor_groups(in_queue, {"letters": False}, True) == []  # logged out of work
    assert floor_groups(in_queue, {}, False) == []  # only explicit logins count
    out_of_voice = presence("1007", "logged_out", ())
    assert floor_groups(out_of_voice, {}, True) == []
    assert floor_groups(out_of_voice, {"letters": True}, True) == ["letters"]  # work only
    assert floor_groups(PresenceBoard(), {"letters": True}, False) == ["letters"]
    lunch = presence("1007", "paused", ("letters-q",), reason="lunch")
    assert floor_groups(lunch, {"letters": True}, True) == []  # a pause of their own holds


def entry(item_id: int, agent: str, expires_in_s: float) -> WorkEntry:
    return WorkEntry(
        id=item_id, kind="letter", group="letters", status="offered", priority=0,
        customer_id=None, caller=None, note=None, due_at=None, created_at=NOW, agent=agent,
        expires_at=NOW + timedelta(seconds=expires_in_s),
    )  # fmt: skip


def test_a_logout_withdraws_the_open_offers_to_that_agent_not_counted_as_declined() -> None:
    items = [entry(1, "1007", 20), entry(2, "1008", 20), entry(3, "1008", -1)]
    logins = {"1007": {"letters": False}}
    got = withdrawals(items, logins, OfferRules(), NOW)
    assert [(e.id, late) for e, late in got] == [(1, False), (3, True)]
    assert withdrawals(items[:2], {}, OfferRules(), NOW) == []
