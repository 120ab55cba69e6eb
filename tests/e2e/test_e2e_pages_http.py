"""The pages' server side without a browser: static files, page headers, `GET /api/me`."""

from __future__ import annotations

from typing import Any

import pytest

from callcenter.api.pages import web_file


async def test_pages_and_their_files_are_served_without_a_token(api: Any) -> None:
    client = api.client
    desk = await client.get("/desktop")
    assert desk.status_code == 200
    assert desk.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in desk.headers["content-security-policy"]
    assert '<script type="module" src="/static/desktop.js">' in desk.text
    board = await client.get("/wallboard")
    assert board.status_code == 200 and "/static/wallboard.js" in board.text
    script = await client.get("/static/common.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "class PushSocket" in script.text
    css = await client.get("/static/style.css")
    assert css.headers["content-type"].startswith("text/css")


@pytest.mark.parametrize(
    "name",
    ["../pages.py", "..%2Fpages.py", "missing.js", ".hidden.js", "pages.py", "desktop"],
)
async def test_anything_but_a_shipped_page_file_is_a_404(api: Any, name: str) -> None:
    reply = await api.client.get(f"/static/{name}")
    assert reply.status_code == 404


def test_web_file_refuses_paths_and_unknown_kinds() -> None:
    for name in ("", "a/b.js", "..\\x.js", "x.py", ".x.css"):
        with pytest.raises(LookupError):
            web_file(name)
    body, kind = web_file("desktop.html")
    assert kind.startswith("text/html") and b"desktop.js" in body


async def test_me_tells_the_desktop_who_signed_in(api: Any) -> None:
    harness = api
    client = harness.client
    async with harness.runtime.uow() as uow:
        from callcenter.domain.agents.records import Skill

        await uow.agents.add(
            code="1001",
            name="Wang Fang",
            interface="Local/1001@agents/n",
            state_interface="Custom:agent1001",
            skills=[Skill(group_slug="member-hotline", level=10)],
        )
        await uow.commit()
    agent = await client.get("/api/me", headers=await harness.headers("agent", "1001"))
    assert agent.status_code == 200
    assert agent.json()["agent_code"] == "1001"
    assert agent.json()["agent_name"] == "Wang Fang"
    assert agent.json()["may_view_wallboard"] is False
    boss = await client.get("/api/me", headers=await harness.headers("supervisor"))
    assert boss.json() == {
        "role": "supervisor",
        "agent_code": None,
        "agent_name": None,
        "presence": None,
        "may_view_wallboard": True,
    }
    nobody = await client.get("/api/me", headers={"Authorization": "Bearer cc_wrong"})
    assert nobody.status_code == 401
    assert (await client.get("/api/me")).status_code == 401
