"""Customers through the API: create, read, change, search, bad input, 404s (SQLite, PostgreSQL)."""

from __future__ import annotations

from typing import Any

from support import ApiHarness


async def _create(api: ApiHarness, headers: dict[str, str], **body: Any) -> int:
    response = await api.client.post("/api/customers", json=body, headers=headers)
    assert response.status_code == 201, response.text
    new_id = response.json()["id"]
    assert isinstance(new_id, int)
    return new_id


def _locs(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [e["loc"] for e in response.json()["detail"]]


async def test_create_then_get_returns_every_field_and_normalised_phones(api: ApiHarness) -> None:
    h = await api.headers("admin")
    new_id = await _create(
        api,
        h,
        name="Li Wei",
        phones=["+86 138 0013 8000", {"raw": "(010) 6552-9988", "kind": "landline"}],
        segment="senior",
        roles=["member", "author"],
        member_since="2019-03-01",
        birthday="1975-06-30",
        email="li.wei@example.cn",
        city="Beijing",
        preferred_genres=["history", "poetry"],
        do_not_call=True,
        credit_rating="B",
    )
    got = await api.client.get(f"/api/customers/{new_id}", headers=h)
    assert got.status_code == 200
    body = got.json()
    assert body["name"] == "Li Wei"
    assert body["segment"] == "senior"
    assert sorted(body["roles"]) == ["author", "member"]
    assert body["member_since"] == "2019-03-01"
    assert body["birthday"] == "1975-06-30"
    assert body["preferred_genres"] == ["history", "poetry"]
    assert body["do_not_call"] is True
    assert body["credit_rating"] == "B"
    assert body["member_number"]  # allocated by the directory
    phones = {p["raw"]: p for p in body["phones"]}
    assert phones["+86 138 0013 8000"]["e164"] == "+8613800138000"
    assert phones["+86 138 0013 8000"]["is_primary"] is True
    assert phones["(010) 6552-9988"] == {
        **phones["(010) 6552-9988"],
        "e164": "+861065529988",
        "kind": "landline",
        "is_primary": False,
    }


async def test_only_name_is_required_and_defaults_fill_the_rest(api: ApiHarness) -> None:
    h = await api.headers("supervisor")
    new_id = await _create(api, h, name="  Zhao Min  ")
    body = (await api.client.get(f"/api/customers/{new_id}", headers=h)).json()
    assert body["name"] == "Zhao Min"
    assert body["segment"] == "regular"
    assert body["roles"] == ["member"]
    assert body["phones"] == []
    assert body["do_not_call"] is False


async def test_duplicate_member_number_is_a_conflict_and_stores_nothing(api: ApiHarness) -> None:
    h = await api.headers("admin")
    await _create(api, h, name="First", member_number="M000000777")
    again = await api.client.post(
        "/api/customers", json={"name": "Second", "member_number": "M000000777"}, headers=h
    )
    assert again.status_code == 409
    assert "M000000777" in again.json()["detail"]
    found = await api.client.get("/api/customers", params={"q": "Second"}, headers=h)
    assert found.json() == []


async def test_bad_bodies_are_422s_that_name_the_field_and_store_nothing(api: ApiHarness) -> None:
    h = await api.headers("admin")
    cases: list[tuple[dict[str, Any], list[Any]]] = [
        ({"segment": "vip"}, ["body", "name"]),  # missing name
        ({"name": "   "}, ["body", "name"]),  # blank name
        ({"name": "X", "segment": "gold"}, ["body", "segment"]),
        ({"name": "X", "phones": [13800138000]}, ["body", "phones", 0]),  # a number, not text
        ({"name": "X", "phones": "13800138000"}, ["body", "phones"]),  # not a list
        ({"name": "X", "birthday": "1975-02-30"}, ["body", "birthday"]),
        ({"name": "X", "member_since": "yesterday"}, ["body", "member_since"]),
        ({"name": "X", "roles": ["reader"]}, ["body", "roles", 0]),
        ({"name": "X", "credit_rating": "E"}, ["body", "credit_rating"]),
        ({"name": "X", "email": "not-an-address"}, ["body", "email"]),
        ({"name": "X", "nickname": "typo"}, ["body", "nickname"]),  # unknown field
    ]
    for body, loc in cases:
        response = await api.client.post("/api/customers", json=body, headers=h)
        assert any(got[: len(loc)] == loc for got in _locs(response)), (body, response.json())
    assert (await api.client.get("/api/customers", params={"q": "X"}, headers=h)).json() == []


async def test_a_phone_that_is_not_a_number_is_refused_naming_its_index(api: ApiHarness) -> None:
    # Decision: an unparseable phone is refused (422), not stored raw: a number we cannot
    # match an incoming call against would silently never pop.
    h = await api.headers("admin")
    for bad in ["hello", "anonymous", "1001", "123"]:
        response = await api.client.post(
            "/api/customers", json={"name": "Y", "phones": ["13800138000", bad]}, headers=h
        )
        detail = response.json()["detail"]
        assert _locs(response) == [["body", "phones", 1]]
        assert repr(bad) in detail[0]["msg"]
    assert (await api.client.get("/api/customers", params={"q": "Y"}, headers=h)).json() == []


async def test_patch_changes_only_what_was_sent(api: ApiHarness) -> None:
    h = await api.headers("admin")
    new_id = await _create(api, h, name="Chen Jie", city="Shanghai", phones=["13912345678"])
    response = await api.client.patch(
        f"/api/customers/{new_id}",
        json={"segment": "vip", "birthday": None, "add_phones": ["021 6433 1234"]},
        headers=h,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["segment"] == "vip"
    assert body["city"] == "Shanghai"
    assert body["name"] == "Chen Jie"
    assert [p["e164"] for p in body["phones"]] == ["+8613912345678", "+862164331234"]
    assert [p["is_primary"] for p in body["phones"]] == [True, False]
    assert (await api.client.get(f"/api/customers/{new_id}", headers=h)).json() == body


async def test_bad_patches_are_422s_and_change_nothing(api: ApiHarness) -> None:
    h = await api.headers("admin")
    new_id = await _create(api, h, name="Chen Jie", segment="regular")
    before = (await api.client.get(f"/api/customers/{new_id}", headers=h)).json()
    cases: list[tuple[dict[str, Any], list[Any]]] = [
        ({"name": None}, ["body", "name"]),
        ({"segment": "platinum"}, ["body", "segment"]),
        ({"member_number": "M1"}, ["body", "member_number"]),  # identity is not patchable
        ({"birthday": "31/12/1980"}, ["body", "birthday"]),
        ({"segment": "vip", "add_phones": ["nope"]}, ["body", "add_phones", 0]),
    ]
    for body, loc in cases:
        response = await api.client.patch(f"/api/customers/{new_id}", json=body, headers=h)
        assert any(got[: len(loc)] == loc for got in _locs(response)), (body, response.json())
    assert (await api.client.get(f"/api/customers/{new_id}", headers=h)).json() == before


async def test_search_by_name_member_number_or_phone_in_any_shape(api: ApiHarness) -> None:
    h = await api.headers("admin")
    li = await _create(api, h, name="Li Wei", member_number="M000000101", phones=["13800138000"])
    lin = await _create(api, h, name="Lin Feng", phones=["+86 186 1234 5678"])
    await _create(api, h, name="Wang Jun", phones=["+86 189 1122 3344"])

    async def ids(q: str) -> list[int]:
        response = await api.client.get("/api/customers", params={"q": q}, headers=h)
        assert response.status_code == 200
        return [c["id"] for c in response.json()]

    assert await ids("Li") == [li, lin]  # name prefix, sorted by name
    assert await ids("Li W") == [li]
    assert await ids("M000000101") == [li]
    assert await ids("+86 138-0013-8000") == [li]
    assert await ids("008618612345678") == [lin]
    assert await ids("8618612345678") == [lin]
    assert await ids("Nobody") == []
    assert await ids("50%_") == []  # LIKE wildcards are matched literally
    assert await ids("'; DROP TABLE customers; --") == []
    assert await ids("Wang") != []  # the table is still there
    empty = await api.client.get("/api/customers", params={"q": ""}, headers=h)
    assert _locs(empty) == [["query", "q"]]


async def test_unknown_ids_are_404s(api: ApiHarness) -> None:
    h = await api.headers("admin")
    assert (await api.client.get("/api/customers/999999", headers=h)).status_code == 404
    patch = await api.client.patch("/api/customers/999999", json={"city": "X"}, headers=h)
    assert patch.status_code == 404
    assert "999999" in patch.json()["detail"]
    assert (await api.client.get("/api/customers/999999/bundle", headers=h)).status_code == 404
    not_an_id = await api.client.get("/api/customers/abc", headers=h)
    assert _locs(not_an_id) == [["path", "customer_id"]]
