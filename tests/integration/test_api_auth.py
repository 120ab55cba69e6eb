"""Who may call what: 401 without a valid token, 403 for a wrong role, agents only as themselves."""

from __future__ import annotations

from typing import Any

from callcenter.services.tokens import revoke_token
from support import ApiHarness

MY_PREFIXES = (
    "/api/customers",
    "/api/callers",
    "/api/complaints",
    "/api/contacts",
    "/api/agents",
    "/api/groups",
)


async def _agent(api: ApiHarness, code: str) -> None:
    h = await api.headers("admin")
    body = {"code": code, "name": f"Agent {code}", "interface": f"PJSIP/{code}"}
    response = await api.client.post("/api/agents", json=body, headers=h)
    assert response.status_code == 201, response.text


async def test_every_route_wants_a_valid_bearer_token(api: ApiHarness) -> None:
    api.runtime.auth.throttle.limit = 1000  # one failed check per route: more than the default
    spec = (await api.client.get("/openapi.json")).json()
    assert (await api.client.get("/docs")).status_code == 200
    routes = [
        (
            method,
            path.replace("{customer_id}", "1")
            .replace("{complaint_id}", "1")
            .replace("{code}", "1001"),
        )
        for path, methods in spec["paths"].items()
        if path.startswith(MY_PREFIXES)
        for method in methods
    ]
    assert len(routes) >= 17
    for headers in [{}, {"Authorization": "Bearer cc_" + "x" * 43}, {"Authorization": "Basic abc"}]:
        for method, path in routes:
            response = await api.client.request(method.upper(), path, headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert response.headers["www-authenticate"] == "Bearer"


async def test_a_revoked_token_is_refused(api: ApiHarness) -> None:
    token = await api.token("admin")
    async with api.runtime.uow() as uow:
        token_id = (await uow.tokens.list_all())[0].id
    assert await revoke_token(uow=api.runtime.uow, token_id=token_id)
    response = await api.client.get("/api/groups", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_roles_get_exactly_what_the_permission_table_gives(api: ApiHarness) -> None:
    await _agent(api, "1001")
    new_agent = {"code": "2001", "name": "New", "interface": "PJSIP/2001"}
    skills = {"skills": [{"group": "finance", "level": 5}]}
    for role, code, may_manage in [
        ("admin", None, True),
        ("supervisor", None, True),
        ("agent", "1001", False),
    ]:
        h = await api.headers(role, code)
        assert (
            await api.client.get("/api/customers", params={"q": "a"}, headers=h)
        ).status_code == 200
        assert (await api.client.get("/api/agents", headers=h)).status_code == 200
        assert (await api.client.get("/api/groups", headers=h)).status_code == 200
        created = await api.client.post("/api/customers", json={"name": f"By {role}"}, headers=h)
        assert created.status_code == 201
        put = await api.client.put("/api/agents/1001/skills", json=skills, headers=h)
        post = await api.client.post(
            "/api/agents", json={**new_agent, "code": f"2{len(role)}0{int(may_manage)}"}, headers=h
        )
        expected = 200 if may_manage else 403
        assert put.status_code == expected, (role, put.text)
        assert post.status_code == (201 if may_manage else 403), (role, post.text)
    agent_h = await api.headers("agent", "1001")
    denied = await api.client.post("/api/agents", json=new_agent, headers=agent_h)
    assert denied.json()["detail"] == "role 'agent' may not agents.manage"
    # the dialplan token asks for routing decisions only; customer data is not its business
    dialplan = await api.headers("dialplan")
    for method, path in [
        ("GET", "/api/customers/1"),
        ("GET", "/api/callers/lookup?number=1"),
        ("GET", "/api/agents"),
    ]:
        assert (await api.client.request(method, path, headers=dialplan)).status_code == 403


async def test_an_agent_token_cannot_act_as_another_agent(api: ApiHarness) -> None:
    await _agent(api, "1001")
    await _agent(api, "1002")
    admin = await api.headers("admin")
    cid = (await api.client.post("/api/customers", json={"name": "Li Wei"}, headers=admin)).json()[
        "id"
    ]
    me = await api.headers("agent", "1001")
    call: dict[str, Any] = {"customer_id": cid, "channel": "call", "direction": "inbound"}
    other = await api.client.post("/api/contacts", json={**call, "agent_code": "1002"}, headers=me)
    assert other.status_code == 403
    assert "1002" in other.json()["detail"]
    own = await api.client.post("/api/contacts", json={**call, "agent_code": "1001"}, headers=me)
    assert own.status_code == 201
    implied = await api.client.post("/api/contacts", json=call, headers=me)
    assert implied.json()["agent_code"] == "1001"  # recorded as the token's agent
    listed = (await api.client.get(f"/api/customers/{cid}/contacts", headers=admin)).json()
    assert [c["agent_code"] for c in listed] == ["1001", "1001"]  # nothing stored for 1002
    # a supervisor may record on anyone's behalf
    sup = await api.headers("supervisor")
    by_sup = await api.client.post(
        "/api/contacts", json={**call, "agent_code": "1002"}, headers=sup
    )
    assert by_sup.status_code == 201
    # the complaint log names the agent the token belongs to
    complaint = await api.client.post(
        "/api/complaints",
        json={"customer_id": cid, "category": "billing", "subject": "Double charge"},
        headers=me,
    )
    log = (await api.client.get(f"/api/complaints/{complaint.json()['id']}", headers=me)).json()
    assert log["events"][0]["actor"] == "agent:1001"
