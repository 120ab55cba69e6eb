"""Agents, skills and groups through the API (SQLite + PostgreSQL)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.domain.routing.business_hours import parse_span
from support import ApiHarness


def _locs(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [e["loc"] for e in response.json()["detail"]]


async def test_the_seven_groups_are_listed_in_entry_point_order(api: ApiHarness) -> None:
    h = await api.headers("supervisor")
    groups = (await api.client.get("/api/groups", headers=h)).json()
    assert [g["entry_point"] for g in groups] == [str(n) for n in range(8001, 8008)]
    assert groups[0]["slug"] == "member-hotline"
    assert all(g["queue"] and g["name_zh"] for g in groups)


async def test_groups_show_the_overflow_and_hours_the_router_obeys(api: ApiHarness) -> None:
    h = await api.headers("supervisor")
    groups = {g["slug"]: g for g in (await api.client.get("/api/groups", headers=h)).json()}
    monday_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    routed = set()
    for group in groups.values():
        decision = await api.runtime.routing.route(
            caller_raw=None, did=group["entry_point"], menu=None, now=monday_10
        )
        if decision.action != "queue" or decision.queue is None:
            continue
        shown = groups[decision.queue]
        plan = [
            (after, target, kind)
            for after, target, kind in (
                (shown["overflow_after_s"], shown["overflow_group"], "overflow"),
                (shown["borrow_after_s"], shown["borrow_group"], "borrow"),
            )
            if target is not None
        ]
        obeyed = [(s.after_s, s.queue, s.kind) for s in decision.overflow]
        assert sorted(plan) == obeyed, decision.queue
        routed.add(decision.queue)
    assert len(routed) >= 3
    assert any(g["overflow_group"] for g in groups.values())
    # hours are shown as the rule book writes them, and the router's "open" agrees with them
    rules = api.runtime.routing.rules
    for slug, group in groups.items():
        assert bool(group["hours"]) == bool(rules.groups[slug].hours)
        if group["hours"]:
            assert all(parse_span(text) is not None for text in group["hours"])
            spans = [parse_span(text) for text in group["hours"]]
            assert tuple(spans) == rules.groups[slug].hours


async def test_create_get_list_agents_and_replace_skills(api: ApiHarness) -> None:
    h = await api.headers("supervisor")
    created = await api.client.post(
        "/api/agents",
        json={
            "code": "1003",
            "name": "Liu Yang",
            "interface": "PJSIP/1003",
            "state_interface": "Custom:agent1003",
            "skills": [
                {"group": "member-hotline", "level": 10},
                {"group": "online-service", "level": 9},
            ],
        },
        headers=h,
    )
    assert created.status_code == 201, created.text
    assert created.json()["skills"] == [
        {"group": "member-hotline", "level": 10, "penalty": 0},
        {"group": "online-service", "level": 9, "penalty": 1},
    ]
    await api.client.post(
        "/api/agents",
        json={"code": "1001", "name": "Wang Fang", "interface": "PJSIP/1001"},
        headers=h,
    )
    listed = (await api.client.get("/api/agents", headers=h)).json()
    assert [a["code"] for a in listed] == ["1001", "1003"]
    put = await api.client.put(
        "/api/agents/1003/skills", json={"skills": [{"group": "finance", "level": 7}]}, headers=h
    )
    assert put.status_code == 200
    got = (await api.client.get("/api/agents/1003", headers=h)).json()
    assert got["skills"] == [{"group": "finance", "level": 7, "penalty": 3}]
    assert got["state_interface"] == "Custom:agent1003"
    cleared = await api.client.put("/api/agents/1003/skills", json={"skills": []}, headers=h)
    assert cleared.json()["skills"] == []


async def test_bad_agents_and_skills_are_refused_and_change_nothing(api: ApiHarness) -> None:
    h = await api.headers("admin")
    ok = {"code": "1001", "name": "Wang Fang", "interface": "PJSIP/1001"}
    assert (await api.client.post("/api/agents", json=ok, headers=h)).status_code == 201
    dup = await api.client.post("/api/agents", json={**ok, "name": "Other"}, headers=h)
    assert dup.status_code == 409
    cases: list[tuple[dict[str, Any], list[Any]]] = [
        ({**ok, "code": "10 01"}, ["body", "code"]),
        ({**ok, "code": "2", "interface": "1001"}, ["body", "interface"]),
        ({"code": "3", "interface": "PJSIP/3"}, ["body", "name"]),
        (
            {**ok, "code": "4", "skills": [{"group": "finance", "level": 11}]},
            ["body", "skills", 0, "level"],
        ),
        (
            {**ok, "code": "5", "skills": [{"group": "sales", "level": 5}]},
            ["body", "skills", 0, "group"],
        ),
    ]
    for body, loc in cases:
        response = await api.client.post("/api/agents", json=body, headers=h)
        assert any(got[: len(loc)] == loc for got in _locs(response)), (body, response.json())
    assert [a["code"] for a in (await api.client.get("/api/agents", headers=h)).json()] == ["1001"]
    twice = {"skills": [{"group": "finance", "level": 5}, {"group": "finance", "level": 6}]}
    response = await api.client.put("/api/agents/1001/skills", json=twice, headers=h)
    assert _locs(response) == [["body", "skills", 1, "group"]]
    zero = await api.client.put(
        "/api/agents/1001/skills", json={"skills": [{"group": "finance", "level": 0}]}, headers=h
    )
    assert _locs(zero)[0][:4] == ["body", "skills", 0, "level"]
    assert (await api.client.get("/api/agents/1001", headers=h)).json()["skills"] == []
    assert (await api.client.get("/api/agents/9999", headers=h)).status_code == 404
    missing = await api.client.put("/api/agents/9999/skills", json={"skills": []}, headers=h)
    assert missing.status_code == 404
