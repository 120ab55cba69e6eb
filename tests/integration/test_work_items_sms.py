"""The inbound SMS webhook (SQLite + PostgreSQL): JSON and form-encoded gateway posts become
`sms` items matched to the customer; bad posts are refused with the field named."""

from __future__ import annotations

from typing import Any

from support import ApiHarness


async def _customer(api: ApiHarness) -> int:
    h = await api.headers("admin")
    response = await api.client.post(
        "/api/customers", json={"name": "Li Wei", "phones": ["13800138000"]}, headers=h
    )
    return int(response.json()["id"])


async def test_json_and_form_encoded_posts_become_sms_items(api: ApiHarness) -> None:
    li = await _customer(api)
    h = await api.headers("intake")
    as_json = await api.client.post(
        "/api/work-items/sms",
        json={"from": "+8613800138000", "to": "10690000", "text": "ORDER 9787020002207 x1"},
        headers=h,
    )
    assert as_json.status_code == 201, as_json.text
    # the shape gateways such as Twilio post: form fields From / To / Body
    as_form = await api.client.post(
        "/api/work-items/sms",
        data={"From": "13800138000", "To": "10690000", "Body": "Where is my order?"},
        headers=h,
    )
    assert as_form.status_code == 201, as_form.text
    for reply, text in ((as_json, "ORDER 9787020002207 x1"), (as_form, "Where is my order?")):
        item: dict[str, Any] = reply.json()
        assert (item["kind"], item["channel"], item["source"]) == ("sms", "sms", "sms")
        assert item["body"] == text
        assert item["from"]["phone"] == "+8613800138000"
        assert item["customer"]["status"] == "matched"
        assert item["customer"]["candidates"][0]["customer_id"] == li
    listed = await api.client.get(
        "/api/work-items", params={"kind": "sms"}, headers=await api.headers("supervisor")
    )
    assert len(listed.json()) == 2


async def test_bad_sms_posts_are_refused_and_nothing_is_stored(api: ApiHarness) -> None:
    h = await api.headers("intake")
    url = "/api/work-items/sms"
    # no sending number: 422 naming `from`
    r = await api.client.post(url, json={"text": "hi"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "from"]
    # no text field: 422 naming `text`
    r = await api.client.post(url, data={"From": "13800138000"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "text"]
    # a sender that is no phone number: 422 naming from.phone
    r = await api.client.post(url, json={"from": "ACME", "text": "hi"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "from", "phone"]
    # not JSON although it says so: 422 naming the body
    r = await api.client.post(
        url, content=b"{nope", headers={**h, "content-type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body"]
    # another media type: 415
    r = await api.client.post(url, content=b"x", headers={**h, "content-type": "text/plain"})
    assert r.status_code == 415
    # no token, and a token that may not file work: 401, 403
    assert (await api.client.post(url, json={"from": "1", "text": "x"})).status_code == 401
    agentless = await api.headers("dialplan")
    r = await api.client.post(url, json={"from": "13800138000", "text": "x"}, headers=agentless)
    assert r.status_code == 403
    listed = await api.client.get("/api/work-items", headers=await api.headers("supervisor"))
    assert listed.json() == []
