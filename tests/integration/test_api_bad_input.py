"""Bad input is a 422 naming the field and stores nothing, never a 500 (SQLite + PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from support import ApiHarness

# One past the largest signed 64-bit id the databases hold.
TOO_BIG = 2**63
LARGEST = 2**63 - 1


def _locs(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [e["loc"] for e in response.json()["detail"]]


async def _customer(api: ApiHarness, h: dict[str, str], name: str = "Li Wei") -> int:
    response = await api.client.post("/api/customers", json={"name": name}, headers=h)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


@pytest.mark.parametrize(
    ("method", "path", "field", "body"),
    [
        ("GET", "/api/customers/{id}", "customer_id", None),
        ("PATCH", "/api/customers/{id}", "customer_id", {"city": "Beijing"}),
        ("GET", "/api/customers/{id}/bundle", "customer_id", None),
        ("GET", "/api/customers/{id}/orders", "customer_id", None),
        (
            "POST",
            "/api/customers/{id}/orders",
            "customer_id",
            {"channel": "sms", "items": [{"title": "A", "quantity": 1, "unit_price": 5}]},
        ),
        ("GET", "/api/customers/{id}/contacts", "customer_id", None),
        ("GET", "/api/complaints/{id}", "complaint_id", None),
        ("POST", "/api/complaints/{id}/escalate", "complaint_id", None),
        ("POST", "/api/complaints/{id}/transition", "complaint_id", {"to": "resolved"}),
        ("POST", "/api/tokens/{id}/revoke", "token_id", None),
    ],
)
async def test_an_id_in_the_path_beyond_64_bits_is_a_422_naming_it(
    api: ApiHarness, method: str, path: str, field: str, body: dict[str, Any] | None
) -> None:
    h = await api.headers("admin")
    too_big = await api.client.request(method, path.format(id=TOO_BIG), json=body, headers=h)
    assert ["path", field] in _locs(too_big)
    zero = await api.client.request(method, path.format(id=0), json=body, headers=h)
    assert ["path", field] in _locs(zero)
    # The largest id the database holds is a fair question: it simply names nothing.
    largest = await api.client.request(method, path.format(id=LARGEST), json=body, headers=h)
    assert largest.status_code in (200, 404), largest.text
    if largest.status_code == 200:  # lists of a customer that does not exist are empty
        assert largest.json() == []


async def test_an_id_in_the_body_beyond_64_bits_is_a_422_and_stores_nothing(
    api: ApiHarness,
) -> None:
    h = await api.headers("admin")
    cid = await _customer(api, h)
    complaint = await api.client.post(
        "/api/complaints",
        json={"customer_id": TOO_BIG, "category": "quality", "subject": "torn pages"},
        headers=h,
    )
    assert ["body", "customer_id"] in _locs(complaint)
    with_order = await api.client.post(
        "/api/complaints",
        json={
            "customer_id": cid,
            "order_id": TOO_BIG,
            "category": "delivery",
            "subject": "late",
        },
        headers=h,
    )
    assert ["body", "order_id"] in _locs(with_order)
    bundle = (await api.client.get(f"/api/customers/{cid}/bundle", headers=h)).json()
    assert bundle["complaints"] == []

    contact = await api.client.post(
        "/api/contacts",
        json={"channel": "call", "direction": "inbound", "customer_id": TOO_BIG},
        headers=h,
    )
    assert ["body", "customer_id"] in _locs(contact)


@pytest.mark.parametrize("report", ["daily", "agents", "interval"])
async def test_a_report_day_far_outside_the_served_years_is_a_422_naming_it(
    api: ApiHarness, report: str
) -> None:
    h = await api.headers("admin")
    url = f"/api/reports/{report}"
    year_one = await api.client.get(
        url, params={"from": "0001-01-01", "to": "0001-01-02"}, headers=h
    )
    assert _locs(year_one) == [["query", "from"]]
    assert "0001-01-01" in year_one.json()["detail"][0]["msg"]
    far_end = await api.client.get(
        url, params={"from": "2026-01-01", "to": "9999-12-31"}, headers=h
    )
    assert _locs(far_end) == [["query", "to"]]
    served = await api.client.get(url, params={"from": "2000-01-01", "to": "2000-01-02"}, headers=h)
    assert served.status_code == 200, served.text
    assert served.json()["report"] == report


async def test_a_nul_byte_in_free_text_is_a_422_naming_the_field_and_stores_nothing(
    api: ApiHarness,
) -> None:
    h = await api.headers("admin")
    search = await api.client.get("/api/customers", params={"q": "Li\x00"}, headers=h)
    assert _locs(search) == [["query", "q"]]
    created = await api.client.post("/api/customers", json={"name": "Wang\x00Fang"}, headers=h)
    assert ["body", "name"] in _locs(created)
    found = await api.client.get("/api/customers", params={"q": "Wang"}, headers=h)
    assert found.status_code == 200 and found.json() == []

    cid = await _customer(api, h)
    patched = await api.client.patch(
        f"/api/customers/{cid}", json={"city": "Bei\x00jing"}, headers=h
    )
    assert ["body", "city"] in _locs(patched)
    assert (await api.client.get(f"/api/customers/{cid}", headers=h)).json()["city"] is None

    subject = await api.client.post(
        "/api/complaints",
        json={"customer_id": cid, "category": "quality", "subject": "torn\x00"},
        headers=h,
    )
    assert ["body", "subject"] in _locs(subject)
    lookup = await api.client.get("/api/callers/lookup", params={"number": "138\x00"}, headers=h)
    assert _locs(lookup) == [["query", "number"]]
    agent = await api.client.get("/api/agents/a%00", headers=h)
    assert _locs(agent) == [["path", "code"]]
    report = await api.client.get(
        "/api/reports/daily",
        params={"from": "2026-01-01", "to": "2026-01-01", "group": "x\x00"},
        headers=h,
    )
    assert _locs(report) == [["query", "group"]]


async def test_notes_keep_line_breaks_but_not_other_control_characters(api: ApiHarness) -> None:
    h = await api.headers("admin")
    cid = await _customer(api, h)
    kept = await api.client.post(
        "/api/complaints",
        json={
            "customer_id": cid,
            "category": "quality",
            "subject": "torn pages",
            "description": "page 12 torn\r\n\tpage 13 missing",
        },
        headers=h,
    )
    assert kept.status_code == 201, kept.text
    stored = (await api.client.get(f"/api/complaints/{kept.json()['id']}", headers=h)).json()
    assert stored["description"] == "page 12 torn\r\n\tpage 13 missing"

    bell = await api.client.post(
        "/api/contacts",
        json={"channel": "call", "direction": "inbound", "customer_id": cid, "note": "ring\x07"},
        headers=h,
    )
    assert ["body", "note"] in _locs(bell)
    # a subject is one line: a line break in it is refused, not silently kept
    two_lines = await api.client.post(
        "/api/complaints",
        json={"customer_id": cid, "category": "quality", "subject": "torn\npages"},
        headers=h,
    )
    assert ["body", "subject"] in _locs(two_lines)
    contacts = (await api.client.get(f"/api/customers/{cid}/contacts", headers=h)).json()
    assert contacts == []


async def test_a_lone_surrogate_in_text_is_a_422_not_an_encoding_crash(api: ApiHarness) -> None:
    h = await api.headers("admin")
    cid = await _customer(api, h)
    # JSON may spell half a UTF-16 pair; no database can store it as text.
    raw = f'{{"customer_id": {cid}, "category": "quality", "subject": "torn \\ud832"}}'
    response = await api.client.post(
        "/api/complaints",
        content=raw.encode(),
        headers={**h, "Content-Type": "application/json"},
    )
    assert ["body", "subject"] in _locs(response)


async def test_days_and_times_outside_the_years_served_are_a_422_naming_them(
    api: ApiHarness,
) -> None:
    h = await api.headers("admin")
    cid = await _customer(api, h)
    item = [{"title": "A", "quantity": 1, "unit_price": 5}]
    # +05:00 on year 1 would fall before the first day Python can hold once in UTC
    early = await api.client.post(
        f"/api/customers/{cid}/orders",
        json={"channel": "sms", "placed_at": "0001-01-01T00:00:00+05:00", "items": item},
        headers=h,
    )
    assert ["body", "placed_at"] in _locs(early)
    late = await api.client.post(
        "/api/contacts",
        json={
            "channel": "call",
            "direction": "inbound",
            "customer_id": cid,
            "started_at": "2026-01-01T09:00:00+08:00",
            "ended_at": "9999-12-31T23:59:59-05:00",
        },
        headers=h,
    )
    assert ["body", "ended_at"] in _locs(late)
    born = await api.client.patch(
        f"/api/customers/{cid}", json={"birthday": "0001-01-01"}, headers=h
    )
    assert ["body", "birthday"] in _locs(born)
    stored = await api.client.get(f"/api/customers/{cid}/bundle", headers=h)
    assert stored.status_code == 200
    assert stored.json()["orders"] == [] and stored.json()["contacts"] == []
    assert stored.json()["customer"]["birthday"] is None
