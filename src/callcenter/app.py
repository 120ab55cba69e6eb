"""The FastAPI app factory: its lifespan builds the runtime with `callcenter.bootstrap`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from callcenter.bootstrap import build_runtime
from callcenter.settings import Settings, load_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI application; its lifespan builds and closes the runtime."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await build_runtime(settings)
        app.state.runtime = runtime
        try:
            yield
        finally:
            await runtime.close()

    app = FastAPI(
        title="callcenter",
        version="0.1.0",
        description="Asterisk call-center backend: routing, screen-pop, wallboard, CRM.",
        lifespan=lifespan,
        docs_url=None,  # api/api_docs.py serves /docs from the package, not a CDN
        redoc_url=None,
    )
    from fastapi.exceptions import RequestValidationError

    from callcenter.api import ROUTERS, dialplan
    from callcenter.api.dialplan_hook import DialplanHook
    from callcenter.api.validation import validation_error
    from callcenter.api.ws_streams import WebsocketStreams

    app.add_exception_handler(RequestValidationError, validation_error)
    # The dialplan hook is answered by this middleware, ahead of FastAPI's router and its
    # per-request dependency resolution; dialplan.router keeps the route in the OpenAPI schema.
    app.add_middleware(DialplanHook, allow=settings.dialplan_allow)
    # So are the desktop and wallboard websockets, their handshakes a few at a time.
    app.add_middleware(WebsocketStreams)

    # Routes are matched in order, one by one: the dialplan hook's documented route comes first.
    app.include_router(dialplan.router)
    for router in ROUTERS:
        if router is not dialplan.router:
            app.include_router(router)
    return app
