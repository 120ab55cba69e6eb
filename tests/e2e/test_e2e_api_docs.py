"""`/docs` renders the API's operations with every outside address unreachable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn

from callcenter.app import create_app
from callcenter.settings import Settings


@pytest.fixture
async def backend(sqlite_url: str) -> AsyncIterator[str]:
    app = create_app(Settings(database_url=sqlite_url, agi_enabled=False))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    async with asyncio.timeout(15):
        while not server.started:
            assert not serving.done(), "uvicorn did not start"
            await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving


async def test_docs_work_without_internet(backend: str, page: Any) -> None:
    outside: list[str] = []

    async def only_this_server(route: Any) -> None:
        if route.request.url.startswith(backend):
            await route.continue_()
        else:  # no network: anything else fails as it would offline
            outside.append(route.request.url)
            await route.abort("internetdisconnected")

    await page.route("**/*", only_this_server)
    await page.goto(f"{backend}/docs")
    operations = page.locator(".opblock")
    await operations.first.wait_for(timeout=15000)
    assert await operations.count() > 20
    text = await page.locator("#swagger-ui").inner_text()
    assert "/api/customers" in text and "/api/agents/{code}/login" in text
    assert outside == []
    assert page.errors == []


async def test_swagger_assets_are_only_the_shipped_ones(backend: str) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=backend) as client:
        script = await client.get("/docs/assets/swagger-ui-bundle.js")
        assert script.status_code == 200 and "SwaggerUIBundle" in script.text
        assert (await client.get("/docs/assets/index.html")).status_code == 404
        assert (await client.get("/docs/assets/..%2F__init__.py")).status_code == 404
        assert (await client.get("/redoc")).status_code == 404  # it would load from a CDN
