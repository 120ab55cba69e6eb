"""`callcenter serve`: the API, the websockets, the AMI listener(s) and FastAGI in one process."""

from __future__ import annotations

import argparse

HELP = "Run the backend: REST API, websockets, AMI listener and FastAGI server."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the serve command (defaults from CALLCENTER_* settings)."""
    parser.add_argument("--host", default=None, help="HTTP host (default: CALLCENTER_HTTP_HOST)")
    parser.add_argument("--port", type=int, default=None, help="HTTP port (CALLCENTER_HTTP_PORT)")
    parser.add_argument("--database-url", default=None, help="(CALLCENTER_DATABASE_URL)")


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    import uvicorn

    from callcenter.app import create_app
    from callcenter.settings import load_settings

    overrides: dict[str, object] = {}
    if args.host:
        overrides["http_host"] = args.host
    if args.port is not None:
        overrides["http_port"] = args.port
    if args.database_url:
        overrides["database_url"] = args.database_url
    settings = load_settings(**overrides)
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level.lower(),
        # Websocket URLs carry no tokens, but keep query strings out of access logs all the same.
        access_log=False,
    )
    return 0
