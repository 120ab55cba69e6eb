"""The app factory: the one module that builds and wires every component (no IO at import)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from callcenter.runtime import Runtime
from callcenter.settings import Settings, load_settings

log = logging.getLogger(__name__)


async def build_runtime(settings: Settings) -> Runtime:
    """Create the engine, hub and services of one process; the caller closes it."""
    from callcenter.adapters.db.engine import make_engine, make_session_factory
    from callcenter.adapters.db.uow import SqlUnitOfWork
    from callcenter.adapters.push.hub import PushHub
    from callcenter.services.auth import TokenAuthenticator

    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    runtime = Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        hub=PushHub.from_settings(settings),
        auth=TokenAuthenticator(uow=lambda: SqlUnitOfWork(sessions)),
    )
    return runtime


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
    )
    _include_routers(app)

    @app.exception_handler(LookupError)
    async def not_found(_request: Request, exc: LookupError) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    return app


def _include_routers(app: FastAPI) -> None:
    from callcenter.api import ROUTERS

    for router in ROUTERS:
        app.include_router(router)
