"""A bounded KpiBook gives the wallboard the same figures as one that keeps every call.

A simulated busy day (2,400 calls over 8 hours in two groups: answered, abandoned short and long,
timeouts, overflows, three agents, dispositions some minutes after the call) is counted by a
book that keeps every record and by one that keeps only the newest 100; every group's and
agent's figures, the live staffing figure at several moments, and the wallboard snapshot after a
restart's rebuild from storage are compared.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from typing import Any

from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.kpi.book import KpiBook, KpiRules, agent_figures, group_figures
from callcenter.domain.kpi.staffing import StaffingRules, live_agents_needed
from callcenter.services.wallboard import WallboardService
from fakes import FakeNotifier
from fakes.floor import FINANCE, HOTLINE, LI_NA, T0, WANG_FANG, abandoned_call, answered_call, floor

RULES = KpiRules(groups=(HOTLINE, FINANCE), short_abandon_s=5.0, wrapup_s={"member-hotline": 10.0})
KEPT = 100
STAFFING = StaffingRules(interval_minutes=30)


def busy_day(calls: int = 2400, seed: int = 3) -> list[CallRecord]:
    """Calls every ~12 s from T0 (10:00 in Shanghai), in the order they end."""
    rng = random.Random(seed)
    out = []
    for n in range(calls):
        started = T0 + timedelta(seconds=n * 12 + rng.uniform(0, 10))
        queue = rng.choice(("member-hotline", "member-hotline", "finance"))
        kind = rng.random()
        if kind < 0.7:
            agent = rng.choice((LI_NA, WANG_FANG))
            call = answered_call(f"{n}.1", agent, started=started, wait_s=rng.uniform(0, 60),
                                 talk_s=rng.uniform(20, 600), queue=queue)  # fmt: skip
            if rng.random() < 0.2:  # overflowed from the hotline to finance
                call = replace(call, queues=("member-hotline", "finance"))
        elif kind < 0.95:
            call = abandoned_call(f"{n}.1", started=started, wait_s=rng.uniform(0, 90))
        else:
            call = replace(abandoned_call(f"{n}.1", started=started), outcome="timeout")
        out.append(call)
    return sorted(out, key=lambda c: c.ended_at)


def disposed(call: CallRecord, n: int) -> CallRecord:
    return replace(call, disposition_code="order_status", settled_first_contact=n % 3 != 0,
                   wrapup_s=float(5 + n % 20))  # fmt: skip


def figures(book: KpiBook) -> dict[str, Any]:
    return {
        **{g.slug: group_figures(book.group(g.slug)) for g in RULES.groups},
        **{a: agent_figures(book.agent(a)) for a in ("Li Na", "Wang Fang")},
    }


def test_a_book_keeping_100_records_counts_a_day_as_one_keeping_all() -> None:
    """Figure: 2,400 calls, each answered one given a disposition 3 calls later (a re-add) ->
    the same figures for both groups and both agents; 100 records kept, 2,300 sealed."""
    day = busy_day()
    full, bounded = KpiBook(RULES), KpiBook(RULES, max_records=KEPT)
    for n, call in enumerate(day):
        for book in (full, bounded):
            book.add(call)
            if n >= 3 and day[n - 3].outcome == "answered":
                book.add(disposed(day[n - 3], n))
    assert figures(bounded) == figures(full)
    assert figures(full)["member-hotline"]["fcr_percent"] is not None
    assert len(bounded.records()) == KEPT and bounded.sealed == len(day) - KEPT
    assert len(full.records()) == len(day)


def test_the_live_staffing_figure_is_the_same_at_every_half_hour() -> None:
    """Figure: the day counted call by call; at each half hour the bounded book's agents needed
    per group equal those of a book holding exactly the calls that started in the last 30 min
    (what the wallboard computed before), and the bounded book keeps only the recent shares."""
    day = busy_day()
    bounded = KpiBook(RULES, max_records=KEPT)
    moments = [T0.timestamp() + h * 1800 for h in range(1, 17)]
    for now in moments:
        for call in [c for c in day if c.ended_at.timestamp() <= now and (c.pbx, c.linkedid)
                     not in bounded and c.ended_at.timestamp() > now - 1800 * 2]:  # fmt: skip
            bounded.add(call)
        window = KpiBook(RULES)
        window.add_all(
            c for c in day
            if c.ended_at.timestamp() <= now and now - 1800 <= c.started_at.timestamp() <= now
        )  # fmt: skip
        got = live_agents_needed(book=bounded, rules=RULES, now=now, staffing=STAFFING)
        want = live_agents_needed(book=window, rules=RULES, now=now, staffing=STAFFING)
        assert got == want
        assert any(v for v in want.values())
        assert len(bounded.started_within(0, now)) == len(window)


def _board(kept: int | None) -> WallboardService:
    return WallboardService(
        notifier=FakeNotifier(),
        presence=PresenceBoard(),
        groups=[],  # from the database, as in the server
        wrapup_s={"member-hotline": 10.0},
        clock=lambda: T0.timestamp() + 8 * 3600 + 600,
        staffing=STAFFING,
        kept_calls=kept,
    )


def _shown(board: WallboardService) -> dict[str, Any]:
    snap = board.snapshot()
    return {"groups": snap["groups"], "agents": snap["agents"]}


async def test_the_wallboard_shows_the_same_live_and_after_a_rebuild() -> None:
    """Figure: both boards count the day live, dispositions arriving for the last 50 answered
    calls; then a restart rebuilds each from the stored day -> the same groups and agents
    shown (offered, SL, ASA, AHT, FCR, agents needed) by the board keeping 100 calls."""
    day = busy_day()
    db = floor()
    db.tables.calls = {(c.pbx, c.linkedid): c for c in day}
    full, bounded = _board(None), _board(KEPT)
    await full.rebuild(floor().uow)  # groups from the database, no calls yet
    await bounded.rebuild(floor().uow)
    answered = [c for c in day if c.outcome == "answered"][-50:]
    for board in (full, bounded):
        for call in day:
            board.add_record(call)
        for n, call in enumerate(answered):
            assert board.on_disposition(pbx=call.pbx, linkedid=call.linkedid,
                                        code="payment", settled=n % 2 == 0)  # fmt: skip
    shown = _shown(full)
    assert _shown(bounded) == shown
    assert shown["groups"][0]["offered"] > 0 and shown["groups"][0]["fcr_percent"] is not None
    for call in answered:  # what the desktops stored meanwhile
        counted = full._book.record((call.pbx, call.linkedid))
        assert counted is not None and counted.disposition_code == "payment"
        db.tables.calls[(call.pbx, call.linkedid)] = counted
    restarted_full, restarted = _board(None), _board(KEPT)
    assert await restarted_full.rebuild(db.uow) == len(day)
    assert await restarted.rebuild(db.uow) == len(day)
    assert _shown(restarted) == _shown(restarted_full) == shown
    assert await bounded.rebuild(db.uow) > 0  # sealed calls count as not known here
    assert _shown(bounded) == shown


def test_the_staffing_window_is_a_running_sum_equal_to_summing_its_calls() -> None:
    """Figure: 2,400 calls added, some re-added (a later disposition), some taken back out,
    the window's start moving forward -> at every step the running per-group sum `window()`
    equals the sum of the calls still in it, counted one by one (the way it was computed before,
    every second, over every call of the interval)."""
    rng = random.Random(5)
    book = KpiBook(RULES)
    cutoff = 0.0
    for n, call in enumerate(busy_day()):
        book.add(call)
        if rng.random() < 0.1:
            book.add(replace(call, disposition_code="order_status"))
        if rng.random() < 0.05:
            book.discard((call.pbx, call.linkedid))
        if n % 50 == 0:
            cutoff = call.started_at.timestamp() - 1800
            book.forget_started_before(cutoff)
            summed: dict[str, Any] = {}
            for share in book.started_within(cutoff, float("inf")):
                for slug, part in share.groups:
                    summed[slug] = summed[slug].plus(part) if slug in summed else part
            window = book.window()
            assert {k: v for k, v in window.items() if v.offered} == summed
