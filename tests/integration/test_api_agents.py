"""Agents, skills and groups through the API (SQLite + PostgreSQL)."""

from __future__ import annotations

from typing import Any

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
