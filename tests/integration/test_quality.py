"""Quality scoring over the API on SQLite and PostgreSQL: scorecards, scoring a stored call
(linked to its recording), agents reading only their own scores, calibration, audit, 422s."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from callcenter.adapters.db.repo_recordings import SqlRecordingIndex
from callcenter.domain.agents.records import Skill
from callcenter.domain.calls.records import CallRecord
from callcenter.ports.recordings import StoredRecording
from support import ApiHarness

T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)
CARD = {
    "group": "member-hotline",
    "name": "Hotline calls",
    "scale": 5,
    "criteria": [
        {"key": "greeting", "label": "Greeting", "weight": 10},
        {"key": "identification", "label": "Identification", "weight": 20},
        {"key": "resolution", "label": "Resolution", "weight": 40},
        {"key": "courtesy", "label": "Courtesy", "weight": 10},
        {"key": "compliance", "label": "Compliance", "weight": 20},
    ],
}
FULL = {"greeting": 5, "identification": 5, "resolution": 5, "courtesy": 5, "compliance": 5}


async def floor(api: ApiHarness) -> dict[str, int]:
    """Agents 1001 and 1002, and two stored calls: 1.1 answered by 1001, 1.2 by 1002."""
    ids = {}
    async with api.runtime.uow() as uow:
        for code, name in (("1001", "Wang Fang"), ("1002", "Zhao Lei")):
            ids[code] = await uow.agents.add(
                code=code, name=name, interface=f"Local/{code}@agents/n",
                skills=[Skill("member-hotline", 5)],
            )  # fmt: skip
        for linkedid, code in (("1.1", "1001"), ("1.2", "1002")):
            await uow.calls.add(call(linkedid, ids[code], "Wang Fang" if code == "1001" else ""))
        await uow.commit()
    return ids


def call(linkedid: str, agent_id: int, agent: str) -> CallRecord:
    return CallRecord(
        pbx="pbx1", linkedid=linkedid, direction="inbound", caller="+8613800138000",
        caller_name="Li Wei", queues=("member-hotline",), agent=agent or "Zhao Lei",
        outcome="answered", wait_s=3.0, talk_s=60.0, ring_attempts=1, transferred=False,
        started_at=T0, answered_at=T0 + timedelta(seconds=3),
        ended_at=T0 + timedelta(seconds=63), agent_id=agent_id,
    )  # fmt: skip


async def post(api: ApiHarness, url: str, body: dict[str, Any], who: dict[str, str]) -> Any:
    return await api.client.post(url, json=body, headers=who)


async def test_supervisors_score_calibrate_and_agents_see_only_their_own(api: ApiHarness) -> None:
    await floor(api)
    await SqlRecordingIndex(api.runtime.database.engine).add(
        StoredRecording(
            pbx="pbx1",
            linkedid="1.1",
            file="pbx1-1.1.wav",
            size_bytes=4044,
            duration_s=0.25,
            sha256="0" * 64,
            group_slug="member-hotline",
            stored_at=T0,
        )
    )
    boss, other_boss = await api.headers("supervisor"), await api.headers("supervisor")
    admin = await api.headers("admin")
    agent1, agent2 = await api.headers("agent", "1001"), await api.headers("agent", "1002")

    assert (await post(api, "/api/quality/scorecards", CARD, agent1)).status_code == 403
    made = await post(api, "/api/quality/scorecards", CARD, boss)
    assert made.status_code == 201, made.text
    card = made.json()
    assert [c["key"] for c in card["criteria"]] == [c["key"] for c in CARD["criteria"]]
    again = await post(api, "/api/quality/scorecards", CARD, admin)
    assert again.status_code == 409
    listed = await api.client.get("/api/quality/scorecards?group=member-hotline", headers=agent1)
    assert [c["id"] for c in listed.json()] == [card["id"]]

    url = "/api/calls/pbx1/1.1/scores"
    body = {"scorecard_id": card["id"], "ratings": FULL, "comment": "model call"}
    assert (await post(api, url, body, agent1)).status_code == 403  # agents never score
    first = await post(api, url, body, boss)
    assert first.status_code == 201, first.text
    scored = first.json()
    assert scored["agent"] == "1001" and scored["total"] == 100.0
    assert scored["recording"] == "pbx1-1.1.wav"
    assert (await post(api, url, body, boss)).status_code == 409  # once per scorer
    lower = {**FULL, "resolution": 2, "greeting": 4}
    second = await post(api, url, {"scorecard_id": card["id"], "ratings": lower}, other_boss)
    assert second.status_code == 201
    other = {"scorecard_id": card["id"], "ratings": {**FULL, "courtesy": 1}}
    assert (await post(api, "/api/calls/pbx1/1.2/scores", other, admin)).status_code == 201

    calib = await api.client.get(
        f"/api/calls/pbx1/1.1/calibration?scorecard_id={card['id']}", headers=admin
    )
    assert calib.status_code == 200
    spread = {c["key"]: c for c in calib.json()["criteria"]}
    assert sorted(spread["resolution"]["ratings"].values()) == [2, 5]
    assert spread["resolution"]["spread"] == 3 and spread["resolution"]["agreed"] is False
    assert spread["courtesy"]["spread"] == 0 and spread["courtesy"]["agreed"] is True
    totals = sorted(calib.json()["totals"].values())
    assert calib.json()["total_spread"] == round(totals[1] - totals[0], 1) > 0
    assert calib.json()["calibrated"] is False
    refused = await api.client.get(
        f"/api/calls/pbx1/1.1/calibration?scorecard_id={card['id']}", headers=agent1
    )
    assert refused.status_code == 403

    mine = await api.client.get("/api/agents/1001/scores", headers=agent1)
    assert mine.status_code == 200
    assert {s["linkedid"] for s in mine.json()["scores"]} == {"1.1"}
    assert mine.json()["summary"]["calls_scored"] == 1
    assert mine.json()["summary"]["evaluations"] == 2
    assert (await api.client.get("/api/agents/1002/scores", headers=agent1)).status_code == 403
    theirs = await api.client.get("/api/agents/1002/scores", headers=boss)
    # courtesy (weight 10 of 100) rated 1 of 5 loses 4/5 of its 10 points
    assert [s["total"] for s in theirs.json()["scores"]] == [100 - 10 * 4 / 5]
    # an agent sees a call's scores only when they are the one scored
    assert len((await api.client.get(url, headers=agent1)).json()) == 2
    assert (await api.client.get(url, headers=agent2)).json() == []

    report = await api.client.get("/api/quality/report?group=member-hotline", headers=boss)
    assert report.status_code == 200
    assert set(report.json()["agents"]) == {"1001", "1002"}
    assert report.json()["summary"]["calls_scored"] == 2
    assert (
        await api.client.get("/api/quality/report?group=member-hotline", headers=agent1)
    ).status_code == 403

    audit = (await api.client.get("/api/audit?kind=quality", headers=admin)).json()
    scored_rows = [a for a in audit if a["linkedid"] == "1.1"]
    assert len(scored_rows) == 2 and all(a["agent"] == "1001" for a in scored_rows)
    assert any("scorecard" in a["detail"] and a["linkedid"] is None for a in audit)


async def test_bad_bodies_are_422_naming_the_field_and_store_nothing(api: ApiHarness) -> None:
    await floor(api)
    boss = await api.headers("supervisor")
    card = (await post(api, "/api/quality/scorecards", CARD, boss)).json()
    url = "/api/calls/pbx1/1.1/scores"

    async def loc(url: str, body: dict[str, Any]) -> list[Any]:
        reply = await post(api, url, body, boss)
        assert reply.status_code == 422, reply.text
        return [e["loc"] for e in reply.json()["detail"]]

    cid = card["id"]
    assert ["body", "ratings", "courtesy"] in await loc(
        url, {"scorecard_id": cid, "ratings": {k: v for k, v in FULL.items() if k != "courtesy"}}
    )
    assert ["body", "ratings", "compliance"] in await loc(
        url, {"scorecard_id": cid, "ratings": {**FULL, "compliance": 6}}
    )
    assert ["body", "ratings", "empathy"] in await loc(
        url, {"scorecard_id": cid, "ratings": {**FULL, "empathy": 3}}
    )
    assert ["body", "scorecard_id"] in await loc(url, {"scorecard_id": 999, "ratings": FULL})
    assert ["body", "scorecard_id"] in await loc(url, {"ratings": FULL})
    assert ["body", "group"] in await loc("/api/quality/scorecards", {**CARD, "group": "nope"})
    bad_weight = {**CARD, "name": "x", "criteria": [{"key": "a", "label": "A", "weight": 0}]}
    assert ["body", "criteria", 0, "weight"] in await loc("/api/quality/scorecards", bad_weight)
    twice = {**CARD, "name": "y", "criteria": [CARD["criteria"][0], CARD["criteria"][0]]}
    assert ["body", "criteria", 1, "key"] in await loc("/api/quality/scorecards", twice)
    finance = await post(api, "/api/quality/scorecards", {**CARD, "group": "finance"}, boss)
    wrong_group = {"scorecard_id": finance.json()["id"], "ratings": FULL}
    assert ["body", "scorecard_id"] in await loc(url, wrong_group)

    missing = await post(
        api, "/api/calls/pbx1/9.9/scores", {"scorecard_id": cid, "ratings": FULL}, boss
    )
    assert missing.status_code == 404
    assert (await api.client.get(url, headers=boss)).json() == []
    cards = (await api.client.get("/api/quality/scorecards", headers=boss)).json()
    assert sorted(c["group"] for c in cards) == ["finance", "member-hotline"]
