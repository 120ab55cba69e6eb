"""The caller-lookup contract and the screen-pop bundle through the API (SQLite + PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from callcenter.services import sales
from support import ApiHarness


async def _customer(api: ApiHarness, h: dict[str, str], **body: Any) -> int:
    response = await api.client.post("/api/customers", json=body, headers=h)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _lookup(api: ApiHarness, h: dict[str, str], number: str) -> dict[str, Any]:
    response = await api.client.get("/api/callers/lookup", params={"number": number}, headers=h)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_number_matches_whatever_shape_it_was_stored_and_dialled_in(
    api: ApiHarness,
) -> None:
    h = await api.headers("admin")
    li = await _customer(api, h, name="Li Wei", segment="senior", phones=["+86 138 0013 8000"])
    for shape in ["008613800138000", "13800138000", "8613800138000", "tel:+86-138-0013-8000"]:
        body = await _lookup(api, h, shape)
        assert body == {
            "status": "matched",
            "e164": "+8613800138000",
            "candidates": [
                {
                    "customer_id": li,
                    "name": "Li Wei",
                    "segment": "senior",
                    "reason": "primary number, senior member, no previous contact",
                }
            ],
        }, shape


async def test_a_shared_number_is_ambiguous_and_lists_every_holder(api: ApiHarness) -> None:
    h = await api.headers("admin")
    # a family line: stored once as a national number, once as an international one
    father = await _customer(api, h, name="Zhou Gang", phones=["13900001111", "010 6552 9988"])
    daughter = await _customer(api, h, name="Zhou Lan", segment="vip", phones=["+86-10-65529988"])
    body = await _lookup(api, h, "861065529988")
    assert body["status"] == "ambiguous"
    assert body["e164"] == "+861065529988"
    # the daughter's primary number ranks before the father's secondary one
    assert [c["customer_id"] for c in body["candidates"]] == [daughter, father]
    assert body["candidates"][1]["reason"].startswith("secondary number")


async def test_unknown_and_withheld_numbers(api: ApiHarness) -> None:
    h = await api.headers("supervisor")
    await _customer(api, h, name="Li Wei", phones=["+86 138 0013 8000"])
    unknown = await _lookup(api, h, "+86 139 1234 5678")
    assert unknown == {"status": "unknown", "e164": "+8613912345678", "candidates": []}
    for hidden in ["anonymous", "", "Restricted", "<unknown>"]:
        body = await _lookup(api, h, hidden)
        assert body == {"status": "withheld", "e164": None, "candidates": []}, hidden
    # neither a number nor withheld: nobody to find, and nothing normalised
    for junk in ["hello", "1001", "x" * 256]:
        assert await _lookup(api, h, junk) == {"status": "unknown", "e164": None, "candidates": []}
    missing = await api.client.get("/api/callers/lookup", headers=h)
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["query", "number"]


async def test_bundle_shows_latest_orders_open_complaints_with_sla_and_alerts(
    api: ApiHarness,
) -> None:
    h = await api.headers("admin")
    cid = await _customer(api, h, name="Li Wei", segment="senior", phones=["13800138000"])
    now = datetime.now(UTC)
    for days, number in [(30, "OLD-1"), (2, "NEW-1")]:
        response = await api.client.post(
            f"/api/customers/{cid}/orders",
            json={
                "channel": "web",
                "status": "shipped",
                "order_number": number,
                "placed_at": (now - timedelta(days=days)).isoformat(),
                "items": [{"title": "红楼梦", "quantity": 2, "unit_price": "39.90"}],
            },
            headers=h,
        )
        assert response.status_code == 201, response.text
    # a complaint opened a week ago at high severity (two days' SLA) is overdue now
    overdue = await sales.open_complaint(
        uow=api.runtime.uow,
        complaint=sales.NewComplaint(
            customer_id=cid, category="delivery", severity="high", subject="Parcel missing"
        ),
        actor="test",
        now=now - timedelta(days=7),
    )
    fresh = await api.client.post(
        "/api/complaints",
        json={"customer_id": cid, "category": "billing", "severity": "low", "subject": "Fee"},
        headers=h,
    )
    settled = await api.client.post(
        "/api/complaints",
        json={"customer_id": cid, "category": "quality", "subject": "Torn cover"},
        headers=h,
    )
    settled_id = settled.json()["id"]
    for to in ["resolved", "closed"]:
        moved = await api.client.post(
            f"/api/complaints/{settled_id}/transition", json={"to": to}, headers=h
        )
        assert moved.status_code == 200
    call = await api.client.post(
        "/api/contacts",
        json={
            "customer_id": cid,
            "channel": "call",
            "direction": "inbound",
            "group": "member-hotline",
            "started_at": (now - timedelta(days=1)).isoformat(),
        },
        headers=h,
    )
    assert call.status_code == 201, call.text

    response = await api.client.get(f"/api/customers/{cid}/bundle", headers=h)
    assert response.status_code == 200
    bundle = response.json()
    assert bundle["customer"]["name"] == "Li Wei"
    assert [o["order_number"] for o in bundle["orders"]] == ["NEW-1", "OLD-1"]
    assert bundle["orders"][0]["total"] == "79.80"
    assert bundle["orders"][0]["items"][0]["title"] == "红楼梦"
    complaints = {c["id"]: c for c in bundle["complaints"]}
    assert set(complaints) == {overdue, fresh.json()["id"]}  # the closed one is not shown
    assert complaints[overdue]["sla_state"] == "overdue"
    assert complaints[overdue]["age_text"] == "7 d"
    assert complaints[fresh.json()["id"]]["sla_state"] == "ok"
    assert bundle["complaints"][0]["id"] == overdue  # most urgent first
    assert [c["channel"] for c in bundle["contacts"]] == ["call"]
    codes = [a["code"] for a in bundle["alerts"]]
    assert codes == ["overdue_complaint", "repeat_caller", "senior"]


async def test_bundle_keeps_only_the_last_ten_orders(api: ApiHarness) -> None:
    h = await api.headers("admin")
    cid = await _customer(api, h, name="Book Lover")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(12):
        response = await api.client.post(
            f"/api/customers/{cid}/orders",
            json={
                "channel": "postal_remittance",
                "order_number": f"PO-{n:02d}",
                "placed_at": (start + timedelta(days=n)).isoformat(),
                "items": [{"title": f"Vol. {n}", "quantity": 1, "unit_price": "10"}],
            },
            headers=h,
        )
        assert response.status_code == 201
    bundle = (await api.client.get(f"/api/customers/{cid}/bundle", headers=h)).json()
    assert [o["order_number"] for o in bundle["orders"]] == [
        f"PO-{n:02d}" for n in range(11, 1, -1)
    ]
    all_orders = (await api.client.get(f"/api/customers/{cid}/orders", headers=h)).json()
    assert len(all_orders) == 12
