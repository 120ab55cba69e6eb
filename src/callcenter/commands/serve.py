"""`callcenter serve`: the API, the websockets, the AMI listener(s) and FastAGI in one process."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn

    from callcenter.settings import Settings

HELP = "Run the backend: REST API, websockets, AMI listener and FastAGI server."

_QUERY = re.compile(r"\?[^\s\"']*")


# uvicorn's three INFO lines for every websocket: a reconnect storm of 1,000 desktops wrote 3,000.
_PER_SOCKET = ('"WebSocket %s" [accepted]', "connection open", "connection closed")


class QueryRedaction(logging.Filter):
    """Drops query strings from the server's log lines: a token put in a URL is never logged.

    uvicorn's per-websocket INFO lines are kept for DEBUG (`--log-level DEBUG`).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if _per_socket_chatter(record) and not logging.getLogger("uvicorn.error").isEnabledFor(
            logging.DEBUG
        ):
            return False
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(
                _QUERY.sub("?…", a) if isinstance(a, str) and "?" in a else a for a in record.args
            )
        if isinstance(record.msg, str) and "?" in record.msg and not record.args:
            record.msg = _QUERY.sub("?…", record.msg)
        return True


def _per_socket_chatter(record: logging.LogRecord) -> bool:
    return (
        record.levelno == logging.INFO
        and isinstance(record.msg, str)
        and record.msg.endswith(_PER_SOCKET)
    )


_REDACTION = QueryRedaction()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the serve command (defaults from CALLCENTER_* settings)."""
    parser.add_argument("--host", default=None, help="HTTP host (default: CALLCENTER_HTTP_HOST)")
    parser.add_argument("--port", type=int, default=None, help="HTTP port (CALLCENTER_HTTP_PORT)")
    parser.add_argument("--database-url", default=None, help="(CALLCENTER_DATABASE_URL)")


SHUTDOWN_GRACE_S = 10


def server_config(app: Any, settings: Settings, **overrides: Any) -> uvicorn.Config:
    """The uvicorn configuration with this project's connection limits and proxy trust.

    Every way of serving the app (this command, tests, benchmarks) should come through here.
    """
    import uvicorn

    from callcenter.adapters.http_limits import BodyLimit, ConnectionGuard, limited_protocols

    guard = ConnectionGuard(
        max_total=settings.http_max_connections,
        max_per_source=settings.http_max_connections_per_source,
        header_timeout_s=settings.http_header_timeout_s,
        max_header_bytes=settings.http_max_header_bytes,
        new_per_turn=settings.http_new_connections_per_turn,
    )
    http, ws = limited_protocols(guard)
    trusted = list(settings.trusted_proxies)
    options: dict[str, Any] = {
        "host": settings.http_host,
        "port": settings.http_port,
        "log_level": settings.log_level.lower(),
        # Websocket URLs carry no tokens, but keep query strings out of access logs all the same.
        "access_log": False,
        "http": http,
        "ws": ws,
        "ws_max_size": settings.ws_max_message_bytes,
        "ws_per_message_deflate": settings.ws_compression,
        "timeout_keep_alive": settings.http_idle_timeout_s,
        "h11_max_incomplete_event_size": settings.http_max_header_bytes,
        # uvicorn believes X-Forwarded-For from loopback unless told otherwise: only configured
        # proxies are believed, and none by default.
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted,
        # On stop, connections still busy after this long are cut instead of waited for forever.
        "timeout_graceful_shutdown": SHUTDOWN_GRACE_S,
        **overrides,
    }
    config = uvicorn.Config(BodyLimit(app, settings.http_max_body_bytes), **options)
    for name in ("uvicorn.error", "uvicorn.access", "uvicorn"):
        logging.getLogger(name).addFilter(_REDACTION)
    config.connection_guard = guard  # type: ignore[attr-defined]
    return config


class StartupReport:
    """ASGI wrapper for `serve`: a start-up refused for a reason the operator can fix
    (`StartupRefused`) reaches uvicorn without its traceback; `refused` keeps the one line."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.refused: str | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        from callcenter.lifecycle import StartupRefused

        held: list[dict[str, Any]] = []  # the failure, told once the exception is known

        async def relay(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.failed":
                held.append(message)
            else:
                await send(message)

        try:
            await self.app(scope, receive, relay)
        except StartupRefused as exc:
            self.refused = str(exc)
            held[:] = [{"type": "lifespan.startup.failed", "message": ""}]
            raise
        finally:
            for message in held:
                await send(message)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    import uvicorn

    from callcenter.app import create_app
    from callcenter.domain.routing.rules import RulesError
    from callcenter.services.routing import load_rules
    from callcenter.settings import load_settings

    overrides: dict[str, object] = {}
    if args.host:
        overrides["http_host"] = args.host
    if args.port is not None:
        overrides["http_port"] = args.port
    if args.database_url:
        overrides["database_url"] = args.database_url
    settings = load_settings(**overrides)
    try:
        load_rules(settings.routing_file)  # a bad rule book is one line, not a start-up traceback
    except RulesError as exc:
        print(f"callcenter serve: {exc}", file=sys.stderr)
        return 2
    app = StartupReport(create_app(settings))
    try:
        uvicorn.Server(server_config(app, settings)).run()
    except SystemExit:  # uvicorn's exit when the start-up failed
        if app.refused is None:
            raise
        print(f"callcenter serve: {app.refused}", file=sys.stderr)
        return 2
    return 0
