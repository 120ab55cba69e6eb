"""The work-item REST contract (SQLite + PostgreSQL): filing, matching, listing, roles, 422s,
the life cycle with its log, and a done item in the customer's contact history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from callcenter.domain.routing.work_sla import Calendar, due_at
from callcenter.domain.work_items import Sender
from callcenter.services.routing import load_rules
from callcenter.services.work_requests import Intake
from support import ApiHarness

RULES = load_rules(None)


async def _customer(api: ApiHarness, h: dict[str, str], **body: Any) -> int:
    response = await api.client.post("/api/customers", json=body, headers=h)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _file(api: ApiHarness, h: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await api.client.post("/api/work-items", json=body, headers=h)
    assert response.status_code == 201, response.text
    out: dict[str, Any] = response.json()
    return out


def _due(kind: str, group: str, at: datetime) -> datetime | None:
    calendar = Calendar.of(RULES.groups[group], RULES.timezone, RULES.holidays)
    return due_at(RULES.work.target(kind, group), calendar, at)


async def test_a_letter_is_matched_placed_and_due_in_working_days(api: ApiHarness) -> None:
    admin = await api.headers("admin")
    li = await _customer(api, admin, name="Li Wei", segment="senior", phones=["13800138000"])
    intake = await api.headers("intake")
    before = datetime.now(UTC)
    item = await _file(
        api,
        intake,
        kind="letter",
        subject="Wrong book delivered",
        body="Dear club, I ordered ...",
        **{"from": {"phone": "+86 138 0013 8000"}},
    )
    after = datetime.now(UTC)
    assert (item["kind"], item["group"], item["status"]) == ("letter", "letters", "new")
    assert item["from"]["phone"] == "+8613800138000"
    assert item["customer"]["status"] == "matched"
    assert [c["customer_id"] for c in item["customer"]["candidates"]] == [li]
    due = datetime.fromisoformat(item["due_at"])
    lo, hi = _due("letter", "letters", before), _due("letter", "letters", after)
    assert lo is not None and hi is not None and lo <= due <= hi
    assert due - before > (hi - lo)  # two working days ahead, not "now"


async def test_senders_by_member_number_email_shared_and_unknown(api: ApiHarness) -> None:
    admin = await api.headers("admin")
    father = await _customer(api, admin, name="Zhou Gang", phones=["010 6552 9988"])
    daughter = await _customer(
        api, admin, name="Zhou Lan", email="Lan@Example.cn", phones=["+86-10-65529988"]
    )
    member_no = (await api.client.get(f"/api/customers/{father}", headers=admin)).json()[
        "member_number"
    ]
    by_member = await _file(
        api,
        admin,
        kind="remittance_slip",
        subject="slip",
        body="",
        **{"from": {"member_no": member_no}},
    )
    assert by_member["customer"]["status"] == "matched"
    assert by_member["customer"]["candidates"][0]["customer_id"] == father
    assert by_member["group"] == "documents"  # [work.groups] of the rule book
    by_mail = await _file(
        api, admin, kind="email", subject="hi", body="", **{"from": {"email": "lan@example.CN"}}
    )
    assert by_mail["customer"]["candidates"][0]["customer_id"] == daughter
    shared = await _file(
        api, admin, kind="sms", subject="hi", body="", **{"from": {"phone": "861065529988"}}
    )
    assert shared["customer"]["status"] == "ambiguous"
    assert {c["customer_id"] for c in shared["customer"]["candidates"]} == {father, daughter}
    nobody = await _file(
        api, admin, kind="web", subject="hi", body="", **{"from": {"email": "x@nowhere.example"}}
    )
    assert nobody["customer"] == {
        "status": "unknown",
        "e164": None,
        "customer_id": None,
        "candidates": [],
    }


async def test_bad_bodies_are_422_naming_the_field_and_nothing_is_stored(
    api: ApiHarness,
) -> None:
    h = await api.headers("intake")
    good = {"kind": "letter", "subject": "s", "body": "b", "from": {"phone": "13800138000"}}
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({k: v for k, v in good.items() if k != "kind"}, ["body", "kind"]),  # kind missing
        ({**good, "kind": "fax"}, ["body", "kind"]),  # not a kind
        ({k: v for k, v in good.items() if k != "from"}, ["body", "from"]),  # no sender at all
        ({**good, "from": {}}, ["body", "from"]),  # a sender with nothing to match by
        ({**good, "from": {"phone": "hello"}}, ["body", "from", "phone"]),  # not a number
        ({**good, "from": {"email": "no-at-sign"}}, ["body", "from", "email"]),
        ({**good, "from": {"fax": "1"}}, ["body", "from", "fax"]),  # unknown sender field
        ({**good, "group": "nosuchgroup"}, ["body", "group"]),  # not a group of the rule book
        ({**good, "group": "Bad Slug!"}, ["body", "group"]),
        ({**good, "due_at": "2026-12-05T10:00:00"}, ["body", "due_at"]),  # no UTC offset
        ({**good, "due_at": "tomorrow"}, ["body", "due_at"]),
        ({**good, "subject": 5}, ["body", "subject"]),
        ({**good, "kind": "callback", "from": {"email": "a@b.cn"}}, ["body", "from", "phone"]),
    ]
    for body, loc in cases:
        response = await api.client.post("/api/work-items", json=body, headers=h)
        assert response.status_code == 422, (body, response.text)
        locs = [e["loc"] for e in response.json()["detail"]]
        assert any(list(found[: len(loc)]) == loc for found in locs), (body, locs)
    listed = await api.client.get("/api/work-items", headers=await api.headers("supervisor"))
    assert listed.json() == []


async def test_who_may_file_and_who_may_read(api: ApiHarness) -> None:
    body = {"kind": "web", "subject": "s", "body": "b", "from": {"email": "a@b.cn"}}
    await api.client.post(
        "/api/agents",
        json={"code": "1001", "name": "Ann", "interface": "PJSIP/1001"},
        headers=await api.headers("admin"),
    )
    expect = {"admin": 201, "supervisor": 201, "intake": 201, "agent": 403, "dialplan": 403}
    for role, code in expect.items():
        h = await api.headers(role, "1001" if role == "agent" else None)
        response = await api.client.post("/api/work-items", json=body, headers=h)
        assert response.status_code == code, (role, response.text)
    assert (await api.client.post("/api/work-items", json=body)).status_code == 401  # no token
    reads = {"admin": 200, "supervisor": 200, "agent": 200, "intake": 403, "dialplan": 403}
    for role, code in reads.items():
        h = await api.headers(role, "1001" if role == "agent" else None)
        response = await api.client.get("/api/work-items", headers=h)
        assert response.status_code == code, role
    listed = (await api.client.get("/api/work-items", headers=await api.headers("admin"))).json()
    assert len(listed) == 3


async def test_list_filters_and_soonest_due_first(api: ApiHarness) -> None:
    h = await api.headers("supervisor")
    sender = {"from": {"email": "a@b.cn"}}
    late = await _file(
        api, h, kind="letter", subject="late", body="", due_at="2030-01-02T00:00:00Z", **sender
    )
    soon = await _file(
        api, h, kind="letter", subject="soon", body="", due_at="2030-01-01T00:00:00+08:00", **sender
    )
    sms = await _file(api, h, kind="sms", subject="sms", body="", group="finance", **sender)
    everything = (await api.client.get("/api/work-items", headers=h)).json()
    dues = [datetime.fromisoformat(i["due_at"]) for i in everything]
    assert dues == sorted(dues)
    assert [i["id"] for i in everything][-2:] == [soon["id"], late["id"]]
    letters = (await api.client.get("/api/work-items", params={"kind": "letter"}, headers=h)).json()
    assert [i["id"] for i in letters] == [soon["id"], late["id"]]
    finance = (
        await api.client.get("/api/work-items", params={"group": "finance"}, headers=h)
    ).json()
    assert [i["id"] for i in finance] == [sms["id"]]
    new = (await api.client.get("/api/work-items", params={"status": "new"}, headers=h)).json()
    assert len(new) == 3
    bad = await api.client.get("/api/work-items", params={"status": "open"}, headers=h)
    assert bad.status_code == 422  # not a status: named, not an empty list
    assert bad.json()["detail"][0]["loc"] == ["query", "status"]


async def test_life_cycle_is_logged_and_done_becomes_a_contact(api: ApiHarness) -> None:
    admin = await api.headers("admin")
    await api.client.post(
        "/api/agents",
        json={"code": "1001", "name": "Ann", "interface": "PJSIP/1001"},
        headers=admin,
    )
    await api.client.post(
        "/api/agents",
        json={"code": "1002", "name": "Bob", "interface": "PJSIP/1002"},
        headers=admin,
    )
    li = await _customer(api, admin, name="Li Wei", phones=["13800138000"])
    item = await _file(
        api,
        admin,
        kind="letter",
        subject="Address change",
        body="new address",
        **{"from": {"phone": "13800138000"}},
    )
    url = f"/api/work-items/{item['id']}/status"
    sup = await api.headers("supervisor")
    ann_h = await api.headers("agent", "1001")
    bob_h = await api.headers("agent", "1002")
    # an agent cannot take an item nobody gave them: 403, status unchanged
    assert (
        await api.client.post(url, json={"status": "accepted"}, headers=ann_h)
    ).status_code == 403
    # a supervisor assigns it to Ann
    given = await api.client.post(
        url, json={"status": "accepted", "owner_agent": "1001"}, headers=sup
    )
    assert given.status_code == 200 and given.json()["owner_agent_id"] is not None
    # Bob may not touch Ann's item; an illegal move is 409 naming what is allowed
    assert (await api.client.post(url, json={"status": "done"}, headers=bob_h)).status_code == 403
    illegal = await api.client.post(url, json={"status": "triage"}, headers=ann_h)
    assert illegal.status_code == 409 and "allowed" in illegal.json()["detail"]
    assert (
        await api.client.post(url, json={"status": "in_progress"}, headers=ann_h)
    ).status_code == 200
    done = await api.client.post(
        url,
        json={"status": "done", "outcome": "answered", "disposition_code": "address_change"},
        headers=ann_h,
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    # final: nothing may follow
    assert (await api.client.post(url, json={"status": "new"}, headers=sup)).status_code == 409
    detail = (await api.client.get(f"/api/work-items/{item['id']}", headers=sup)).json()
    moves = [(e["from_status"], e["to_status"], e["actor"]) for e in detail["events"]]
    assert moves[0][1] == "new" and moves[0][2].startswith("admin token")
    assert moves[1:] == [
        ("new", "accepted", moves[1][2]),
        ("accepted", "in_progress", "agent 1001"),
        ("in_progress", "done", "agent 1001"),
    ]
    assert moves[1][2].startswith("supervisor token")
    contacts = (await api.client.get(f"/api/customers/{li}/contacts", headers=admin)).json()
    assert len(contacts) == 1
    (contact,) = contacts
    assert (contact["channel"], contact["direction"], contact["disposition_code"]) == (
        "letter",
        "inbound",
        "address_change",
    )
    assert contact["agent_code"] == "1001"


async def test_a_triage_item_routed_into_a_group_is_due_by_that_groups_rule(
    api: ApiHarness,
) -> None:
    assert api.runtime.work_items is not None
    friday_4pm = datetime(2026, 3, 6, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    kept = await api.runtime.work_items.submit(  # a letter nobody could place: kept in triage
        Intake(
            kind="letter",
            subject="?",
            body="",
            sender=Sender(),
            group="online-service",  # open at weekends: due Sunday 16:00 there
            triage="no sender",
        ),
        actor="post",
        now=friday_4pm,
    )
    assert kept.status == "triage" and kept.due_at == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)
    sup = await api.headers("supervisor")
    routed = await api.client.post(
        f"/api/work-items/{kept.id}/status", json={"status": "new", "group": "letters"}, headers=sup
    )
    assert routed.status_code == 200, routed.text
    item = routed.json()
    # letters: 2 working days, Monday to Friday, counted from when the letter came in
    tuesday_4pm = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    assert (item["group"], item["status"]) == ("letters", "new")
    assert (
        datetime.fromisoformat(item["due_at"])
        == tuesday_4pm
        == _due("letter", "letters", kept.created_at)
    )
    detail = (await api.client.get(f"/api/work-items/{kept.id}", headers=sup)).json()
    assert datetime.fromisoformat(detail["due_at"]) == tuesday_4pm
    last = detail["events"][-1]
    assert (last["from_status"], last["to_status"], last["from_group"], last["to_group"]) == (
        "triage",
        "new",
        "online-service",
        "letters",
    )
    assert last["actor"].startswith("supervisor token")
