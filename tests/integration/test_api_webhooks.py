"""`/api/webhooks` (admin): subscribe, list, delete, dead letters and replay, over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from callcenter.app import create_app
from callcenter.settings import Settings
from support import ApiHarness
from support.receivers import Receiver, call_facts
from support.servekit import until

SECRET = "crm-secret-0123456789"


@pytest.fixture
async def hooks_api(database_url: str) -> AsyncIterator[ApiHarness]:
    """The app with quick retries: 0.05 s backoff, dead after 2 attempts."""
    settings = Settings(
        database_url=database_url, ami_servers=[], agi_enabled=False,
        webhook_retry_base_s=0.05, webhook_max_attempts=2, webhook_timeout_s=1.0,
    )  # fmt: skip
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield ApiHarness(client, app.state.runtime)


def parse(text: str) -> dict[str, float]:
    """Exposition text (read by prometheus-client's own parser) -> {sample name: value}."""
    return {
        s.name: s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if not s.labels
    }


async def test_subscription_admin_and_bad_input(hooks_api: ApiHarness) -> None:
    """Figure: a supervisor gets 403; a bad URL, an unknown event and a short secret get 422
    naming the field; the admin's subscription lists without its secret and deletes once."""
    api = hooks_api
    admin = await api.headers("admin")
    body = {"url": "http://127.0.0.1:9/hook", "events": ["call.ended"], "secret": SECRET}
    sup = await api.headers("supervisor")
    assert (await api.client.post("/api/webhooks", json=body, headers=sup)).status_code == 403
    for bad, field in (
        ({"url": "ftp://x/y"}, "url"),
        ({"events": ["call.exploded"]}, "events"),
        ({"events": []}, "events"),
        ({"secret": "short"}, "secret"),
        ({"filter": {"direction": "sideways"}}, "filter"),
    ):
        reply = await api.client.post("/api/webhooks", json={**body, **bad}, headers=admin)
        assert reply.status_code == 422, bad
        assert field in str(reply.json()["detail"]), reply.text
    made = await api.client.post(
        "/api/webhooks",
        json={**body, "events": ["call.ended", "work_item.created"], "filter": {"group": "x"}},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    listed = (await api.client.get("/api/webhooks", headers=admin)).json()
    assert [s["id"] for s in listed] == [made.json()["id"]]
    assert listed[0]["filter"] == {"group": "x", "direction": None}
    assert listed[0]["not_emitted_yet"] == []  # work items emit their events now
    assert SECRET not in str(listed)
    url = f"/api/webhooks/{made.json()['id']}"
    assert (await api.client.delete(url, headers=admin)).status_code == 204
    assert (await api.client.delete(url, headers=admin)).status_code == 404
    assert (await api.client.get("/api/webhooks", headers=admin)).json() == []


async def test_complaints_calls_dead_letters_replay_and_metrics(hooks_api: ApiHarness) -> None:
    """Figure: a complaint opened and moved -> 2 complaint.changed; one call's 3 facts -> ringing,
    answered, ended; a receiver failing twice dead-letters 1 event, listed; replayed once the
    receiver heals; /metrics counts 6 delivered, 2 failed, 1 dead-lettered, depth 0."""
    api = hooks_api
    admin = await api.headers("admin")
    crm = await Receiver().start()
    events = ["call.ringing", "call.answered", "call.ended", "complaint.changed"]
    made = await api.client.post(
        "/api/webhooks", json={"url": crm.url, "events": events, "secret": SECRET}, headers=admin
    )
    assert made.status_code == 201
    customer = await api.client.post("/api/customers", json={"name": "Li Wei"}, headers=admin)
    opened = await api.client.post(
        "/api/complaints",
        json={"customer_id": customer.json()["id"], "category": "editorial",
              "severity": "critical", "subject": "Chapter 3"},
        headers=admin,
    )  # fmt: skip
    url = f"/api/complaints/{opened.json()['id']}/transition"
    await api.client.post(url, json={"to": "in_progress"}, headers=admin)
    for fact in call_facts(1):
        api.runtime.facts.on_fact(fact)
    await until(lambda: len(crm.ok(SECRET)) == 5)
    got = [(r.event, r.json["data"].get("change")) for r in crm.ok(SECRET)]
    assert got == [
        ("complaint.changed", "opened"),
        ("complaint.changed", "status:in_progress"),
        ("call.ringing", None),
        ("call.answered", None),
        ("call.ended", None),
    ]

    crm.mode = [500, 503]
    api.runtime.facts.on_fact(call_facts(1)[2])
    await until(lambda: api.runtime.webhooks.stats.dead == 1)
    dead = (await api.client.get("/api/webhooks/dead-letters", headers=admin)).json()
    assert [(d["event"], d["attempts"], d["last_error"]) for d in dead] == [
        ("call.ended", 2, "HTTP 503")
    ]
    crm.mode = "ok"
    replay = await api.client.post(
        "/api/webhooks/dead-letters/replay",
        json={"subscription_id": made.json()["id"]},
        headers=admin,
    )
    assert replay.json() == {"replayed": 1}
    await until(lambda: len(crm.ok(SECRET)) == 6)
    # the outbox (and the counters) learn of a 2xx just after the receiver sent it
    await until(lambda: api.runtime.webhooks.stats.delivered == 6)
    assert (await api.client.get("/api/webhooks/dead-letters", headers=admin)).json() == []
    values = parse((await api.client.get("/metrics")).text)
    assert values["callcenter_webhook_delivered_total"] == 6
    assert values["callcenter_webhook_failed_total"] == 2
    assert values["callcenter_webhook_dead_lettered_total"] == 1
    assert values["callcenter_webhook_queue_depth"] == 0
    assert values["callcenter_webhook_delivery_latency_seconds_count"] == 6
    await crm.stop()
