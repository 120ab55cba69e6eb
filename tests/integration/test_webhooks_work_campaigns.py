"""work_item.created / work_item.done over the API and campaign.result from a simulated campaign,
each delivered signed to a real HTTP receiver (SQLite + PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest
from test_campaign_dialing import NUMBERS, Floor, _agents, _attempts, _campaign, _until, floor
from test_webhooks import service, until

from callcenter.adapters.db.repo_campaign_desk import SqlCampaignDesk
from callcenter.app import create_app
from callcenter.domain.access.auth import Principal
from callcenter.services.campaign_desk import CampaignDesk
from callcenter.settings import Settings
from support import ApiHarness
from support.receivers import Receiver

__all__ = ["floor"]  # the simulated floor fixture of test_campaign_dialing

SECRET = "crm-secret-0123456789"


@pytest.fixture
async def hooks_api(database_url: str) -> AsyncIterator[ApiHarness]:
    settings = Settings(database_url=database_url, ami_servers=[], agi_enabled=False)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield ApiHarness(client, app.state.runtime)


async def test_work_items_filed_and_done_reach_their_groups_subscriber(
    hooks_api: ApiHarness,
) -> None:
    """Figure: subscribers filtered on "letters" and on "documents"; a letter and a remittance
    slip are POSTed, the letter is assigned to agent 1001 who completes it -> "letters" gets the
    letter's created then done (outcome, disposition, agent 1001), "documents" only the slip's
    created; every delivery verifies with the secret."""
    api = hooks_api
    admin = await api.headers("admin")
    letters, documents = await Receiver().start(), await Receiver().start()
    wanted = ["work_item.created", "work_item.done"]
    for crm, group in ((letters, "letters"), (documents, "documents")):
        made = await api.client.post(
            "/api/webhooks",
            json={"url": crm.url, "events": wanted, "secret": SECRET, "filter": {"group": group}},
            headers=admin,
        )
        assert made.status_code == 201, made.text
        assert made.json()["not_emitted_yet"] == []
    await api.client.post(
        "/api/agents", json={"code": "1001", "name": "Ann", "interface": "PJSIP/1001"},
        headers=admin,
    )  # fmt: skip
    filed = []
    for kind in ("letter", "remittance_slip"):
        reply = await api.client.post(
            "/api/work-items",
            json={"kind": kind, "subject": kind, "body": "", "from": {"phone": "13800138000"}},
            headers=admin,
        )
        assert reply.status_code == 201, reply.text
        filed.append(reply.json())
    letter, slip = filed
    assert (letter["group"], slip["group"]) == ("letters", "documents")
    await until(lambda: len(letters.ok(SECRET)) == 1 and len(documents.ok(SECRET)) == 1)
    created = letters.ok(SECRET)[0].json
    assert created["type"] == "work_item.created"
    assert created["data"] == {
        "id": letter["id"], "kind": "letter", "group": "letters", "status": "new",
        "due_at": created["data"]["due_at"], "customer_id": None,
    }  # fmt: skip
    assert created["data"]["due_at"] is not None
    assert documents.ok(SECRET)[0].json["data"]["id"] == slip["id"]

    url = f"/api/work-items/{letter['id']}/status"
    sup = await api.headers("supervisor")
    ann = await api.headers("agent", "1001")
    moves = [
        ({"status": "accepted", "owner_agent": "1001"}, sup),
        ({"status": "in_progress"}, ann),
        ({"status": "done", "outcome": "answered", "disposition_code": "address_change"}, ann),
    ]
    for body, headers in moves:
        moved = await api.client.post(url, json=body, headers=headers)
        assert moved.status_code == 200, moved.text
    await until(lambda: len(letters.ok(SECRET)) == 2)
    done = letters.ok(SECRET)[1]
    assert done.event == "work_item.done" and done.signed_by(SECRET)
    assert done.json["data"] == {
        "id": letter["id"], "kind": "letter", "group": "letters", "outcome": "answered",
        "disposition": "address_change", "agent": "1001", "customer_id": None,
    }  # fmt: skip
    assert [r.event for r in documents.ok(SECRET)] == ["work_item.created"]
    assert not letters.ok("another-secret-000000")
    await letters.stop()
    await documents.stop()


async def test_campaign_results_one_per_attempt_and_per_disposition(
    floor: Floor, database_url: str
) -> None:
    """Figure: 6 numbers, 2 agents, progressive, 60% answer / 40% busy -> the subscriber gets one
    campaign.result per stored attempt, with that attempt's record and outcome (outbound, group
    telemarketing); a supervisor closing one connected record as "refused" adds one more with
    that disposition."""
    crm = await Receiver().start()
    async with service(database_url) as hooks:
        await hooks.subscribe(
            url=crm.url, events=["campaign.result"], secret=SECRET, direction="outbound"
        )
        campaigns = floor.service()
        campaigns.publish = hooks.publish  # what campaign_wiring injects
        await _agents(floor, 2)
        built = await campaigns.create(
            campaign=_campaign(), segment=None, csv_text="\n".join(NUMBERS[:6]), created_by="t"
        )
        cid = built.campaign.id
        await campaigns.start(cid)
        dialler = campaigns.dialers[cid][1]
        await _until(floor, lambda: dialler.state == "finished", 600)
        attempts = [a for a in await _attempts(floor.db) if a.outcome is not None]
        assert attempts
        await until(lambda: len(crm.ok(SECRET)) >= len(attempts))
        got = [r.json["data"] for r in crm.ok(SECRET)]
        assert Counter((d["record_id"], d["outcome"]) for d in got) == Counter(
            (a.record_id, a.outcome) for a in attempts
        )
        assert {(d["campaign_id"], d["group"], d["direction"]) for d in got} == {
            (cid, "telemarketing", "outbound")
        }
        number_of = {a.record_id: a.number for a in attempts}
        assert all(d["number"] == number_of[d["record_id"]] for d in got)
        connected = [a for a in attempts if a.outcome == "connected"]
        assert connected, "the simulated PSTN answered none"
        desk = CampaignDesk(
            campaigns=campaigns, store=SqlCampaignDesk(floor.db.sessions), uow=floor.db.uow
        )
        closed = await desk.dispose(
            campaign_id=cid,
            record_id=connected[0].record_id,
            code="refused",
            by=Principal(role="supervisor"),
        )
        assert closed["status"] == "done"
        await until(lambda: len(crm.ok(SECRET)) == len(attempts) + 1)
        last = crm.ok(SECRET)[-1].json["data"]
        assert (last["record_id"], last["disposition"], last["outcome"]) == (
            connected[0].record_id, "refused", None,
        )  # fmt: skip
        assert last["agent"] == connected[0].agent and last["record_status"] == "done"
    await crm.stop()
