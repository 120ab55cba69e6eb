"""Orders, the complaint workflow and contacts through the API (SQLite + PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from support import ApiHarness


async def _customer(api: ApiHarness, h: dict[str, str], name: str = "Li Wei") -> int:
    response = await api.client.post("/api/customers", json={"name": name}, headers=h)
    assert response.status_code == 201
    return int(response.json()["id"])


def _locs(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [e["loc"] for e in response.json()["detail"]]


async def test_orders_are_stored_with_items_and_listed_newest_first(api: ApiHarness) -> None:
    h = await api.headers("admin")
    cid = await _customer(api, h)
    first = await api.client.post(
        f"/api/customers/{cid}/orders",
        json={
            "channel": "sms",
            "placed_at": "2026-05-01T09:00:00+08:00",
            "items": [
                {
                    "title": "三国演义",
                    "isbn": "978-7-02-000220-7",
                    "quantity": 1,
                    "unit_price": "45.00",
                },
                {"title": "水浒传", "quantity": 3, "unit_price": "29.80"},
            ],
        },
        headers=h,
    )
    assert first.status_code == 201, first.text
    assert first.json()["total"] == "134.40"
    assert first.json()["status"] == "placed"
    assert first.json()["placed_at"].startswith("2026-05-01T01:00:00")
    second = await api.client.post(
        f"/api/customers/{cid}/orders",
        json={
            "channel": "phone",
            "status": "paid",
            "items": [{"title": "A", "quantity": 1, "unit_price": 5}],
        },
        headers=h,
    )
    assert second.status_code == 201
    listed = (await api.client.get(f"/api/customers/{cid}/orders", headers=h)).json()
    assert [o["id"] for o in listed] == [second.json()["id"], first.json()["id"]]
    assert [i["quantity"] for i in listed[1]["items"]] == [1, 3]


async def test_bad_orders_are_422s_naming_the_field_and_unknown_customers_404(
    api: ApiHarness,
) -> None:
    h = await api.headers("admin")
    cid = await _customer(api, h)
    item = {"title": "A", "quantity": 1, "unit_price": "1.00"}
    cases: list[tuple[dict[str, Any], list[Any]]] = [
        ({"channel": "pigeon", "items": [item]}, ["body", "channel"]),
        ({"channel": "web", "items": []}, ["body", "items"]),
        ({"channel": "web", "items": [{**item, "quantity": 0}]}, ["body", "items", 0, "quantity"]),
        (
            {"channel": "web", "items": [{**item, "unit_price": "-1"}]},
            ["body", "items", 0, "unit_price"],
        ),
        (
            {"channel": "web", "placed_at": "2026-05-01T09:00:00", "items": [item]},
            ["body", "placed_at"],
        ),
        (
            {"channel": "web", "placed_at": "2026-13-01T09:00:00Z", "items": [item]},
            ["body", "placed_at"],
        ),
    ]
    for body, loc in cases:
        response = await api.client.post(f"/api/customers/{cid}/orders", json=body, headers=h)
        assert any(got[: len(loc)] == loc for got in _locs(response)), (body, response.json())
    assert (await api.client.get(f"/api/customers/{cid}/orders", headers=h)).json() == []
    missing = await api.client.post(
        "/api/customers/424242/orders", json={"channel": "web", "items": [item]}, headers=h
    )
    assert missing.status_code == 404
    assert (await api.client.get("/api/customers/424242/orders", headers=h)).status_code == 404
    dup = {"channel": "web", "order_number": "X-1", "items": [item]}
    assert (
        await api.client.post(f"/api/customers/{cid}/orders", json=dup, headers=h)
    ).status_code == 201
    again = await api.client.post(f"/api/customers/{cid}/orders", json=dup, headers=h)
    assert again.status_code == 409


async def test_complaint_workflow_logs_every_change_and_refuses_illegal_moves(
    api: ApiHarness,
) -> None:
    h = await api.headers("admin")
    cid = await _customer(api, h)
    created = await api.client.post(
        "/api/complaints",
        json={
            "customer_id": cid,
            "category": "editorial",
            "severity": "critical",
            "subject": "Chapter 3 contradicts chapter 1",
            "book_title": "三体",
        },
        headers=h,
    )
    assert created.status_code == 201, created.text
    url = f"/api/complaints/{created.json()['id']}"
    got = (await api.client.get(url, headers=h)).json()
    assert got["status"] == "open"
    assert got["escalation_level"] == "hotline"
    assert got["owner_group"] == "letters"
    opened = datetime.fromisoformat(got["created_at"])
    assert datetime.fromisoformat(got["sla_due_at"]) - opened == timedelta(days=1)
    assert got["legal_transitions"] == ["in_progress", "escalated", "resolved"]

    moved = await api.client.post(f"{url}/transition", json={"to": "in_progress"}, headers=h)
    assert moved.json()["status"] == "in_progress"
    up = await api.client.post(f"{url}/escalate", json={"note": "ask the editor"}, headers=h)
    assert (up.json()["status"], up.json()["escalation_level"]) == ("escalated", "editor")
    up = await api.client.post(f"{url}/escalate", headers=h)  # no body at all
    assert up.json()["escalation_level"] == "author_expert"
    top = await api.client.post(f"{url}/escalate", headers=h)
    assert top.status_code == 409
    assert "last escalation level" in top.json()["detail"]["message"]

    illegal = await api.client.post(f"{url}/transition", json={"to": "closed"}, headers=h)
    assert illegal.status_code == 409
    assert illegal.json()["detail"]["status"] == "escalated"
    assert illegal.json()["detail"]["legal"] == ["in_progress", "resolved"]
    for to in ["resolved", "in_progress", "resolved", "closed"]:  # resolved, reopened, closed
        step = await api.client.post(f"{url}/transition", json={"to": to}, headers=h)
        assert step.status_code == 200, step.text
    final = (await api.client.get(url, headers=h)).json()
    assert final["status"] == "closed"
    assert final["legal_transitions"] == []
    assert [(e["kind"], e["to_status"]) for e in final["events"]] == [
        ("created", "open"),
        ("transition", "in_progress"),
        ("escalated", "escalated"),
        ("escalated", "escalated"),
        ("transition", "resolved"),
        ("transition", "in_progress"),
        ("transition", "resolved"),
        ("transition", "closed"),
    ]
    assert final["events"][2]["note"] == "hotline -> editor: ask the editor"
    assert all(e["actor"].startswith("admin:token") for e in final["events"])
    after = await api.client.post(f"{url}/escalate", headers=h)
    assert after.status_code == 409
    assert after.json()["detail"]["legal"] == []


async def test_bad_complaints_are_422s_and_unknown_ids_404(api: ApiHarness) -> None:
    h = await api.headers("admin")
    cid = await _customer(api, h)
    other = await _customer(api, h, "Someone Else")
    order = await api.client.post(
        f"/api/customers/{other}/orders",
        json={"channel": "web", "items": [{"title": "A", "quantity": 1, "unit_price": 1}]},
        headers=h,
    )
    base = {"customer_id": cid, "category": "delivery", "subject": "Late"}
    cases: list[tuple[dict[str, Any], list[Any]]] = [
        ({**base, "category": "weather"}, ["body", "category"]),
        ({**base, "severity": "urgent"}, ["body", "severity"]),
        ({k: v for k, v in base.items() if k != "subject"}, ["body", "subject"]),
        ({**base, "owner_group": "no-such-group"}, ["body", "owner_group"]),
        ({**base, "owner_agent": "9999"}, ["body", "owner_agent"]),
        ({**base, "order_id": order.json()["id"]}, ["body", "order_id"]),  # not their order
    ]
    for body, loc in cases:
        response = await api.client.post("/api/complaints", json=body, headers=h)
        assert any(got[: len(loc)] == loc for got in _locs(response)), (body, response.json())
    unknown_customer = await api.client.post(
        "/api/complaints", json={**base, "customer_id": 777777}, headers=h
    )
    assert unknown_customer.status_code == 404
    assert (await api.client.get("/api/complaints/777777", headers=h)).status_code == 404
    gone = await api.client.post(
        "/api/complaints/777777/transition", json={"to": "closed"}, headers=h
    )
    assert gone.status_code == 404
    assert (await api.client.post("/api/complaints/777777/escalate", headers=h)).status_code == 404
    created = await api.client.post("/api/complaints", json=base, headers=h)
    bad_to = await api.client.post(
        f"/api/complaints/{created.json()['id']}/transition", json={"to": "done"}, headers=h
    )
    assert _locs(bad_to) == [["body", "to"]]


async def test_contacts_are_recorded_and_listed_newest_first(api: ApiHarness) -> None:
    h = await api.headers("admin")
    cid = await _customer(api, h)
    for when, channel in [
        ("2026-03-01T10:00:00+00:00", "letter"),
        ("2026-03-02T10:00:00+00:00", "call"),
    ]:
        response = await api.client.post(
            "/api/contacts",
            json={
                "customer_id": cid,
                "channel": channel,
                "direction": "inbound",
                "group": "letters",
                "disposition_code": "info_given",
                "settled_first_contact": True,
                "started_at": when,
            },
            headers=h,
        )
        assert response.status_code == 201, response.text
    listed = (await api.client.get(f"/api/customers/{cid}/contacts", headers=h)).json()
    assert [c["channel"] for c in listed] == ["call", "letter"]
    assert listed[0]["settled_first_contact"] is True
    assert listed[0]["group"] == "letters"
    bad = [
        ({"channel": "fax", "direction": "inbound"}, ["body", "channel"]),
        ({"channel": "call", "direction": "sideways"}, ["body", "direction"]),
        ({"channel": "call", "direction": "inbound", "group": "nope"}, ["body", "group"]),
        ({"channel": "call", "direction": "inbound", "agent_code": "0000"}, ["body", "agent_code"]),
        ({"channel": "call", "direction": "inbound", "started_at": "soon"}, ["body", "started_at"]),
    ]
    for body, loc in bad:
        response = await api.client.post(
            "/api/contacts", json={"customer_id": cid, **body}, headers=h
        )
        assert any(got[: len(loc)] == loc for got in _locs(response)), (body, response.json())
    assert len((await api.client.get(f"/api/customers/{cid}/contacts", headers=h)).json()) == 2
    ghost = await api.client.post(
        "/api/contacts",
        json={"customer_id": 99999, "channel": "call", "direction": "inbound"},
        headers=h,
    )
    assert ghost.status_code == 404
    assert (await api.client.get("/api/customers/99999/contacts", headers=h)).status_code == 404
