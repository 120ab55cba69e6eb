"""The `callcenter` command: one sub-command per module under callcenter.commands."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import Protocol, cast

# name -> module under callcenter.commands; each module has add_arguments(parser) and run(args).
COMMANDS: dict[str, str] = {
    "serve": "serve",
    "demo": "demo",
    "migrate": "migrate",
    "seed": "seed",
    "route": "route",
    "replay": "replay",
    "reconcile": "reconcile",
    "simulate": "simulate",
    "lookup": "lookup",
    "token": "token",
    "recordings": "recordings",
}


# Commands that read or write the stored center: checked for a migrated database first.
NEEDS_SCHEMA: frozenset[str] = frozenset({"lookup", "token", "recordings"})


class _Command(Protocol):
    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, every sub-command included."""
    parser = argparse.ArgumentParser(prog="callcenter", description=__doc__)
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING (default: INFO)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the database and routing rules `make demo` keeps in ./.demo",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = cast(_Command, importlib.import_module(f"callcenter.commands.{module_name}"))
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    from callcenter.adapters.logformat import configure

    log_format = os.environ.get("CALLCENTER_LOG_FORMAT", "text").strip().lower() or "text"
    # --log-level, else CALLCENTER_LOG_LEVEL (the setting `serve` documents), else INFO
    level = (args.log_level or os.environ.get("CALLCENTER_LOG_LEVEL") or "INFO").upper()
    try:
        configure(level, log_format)
    except ValueError as exc:
        print(f"callcenter: logging: {exc}", file=sys.stderr)
        return 2
    if level != "DEBUG":
        logging.getLogger("alembic").setLevel(logging.WARNING)  # migration chatter on every start
    if args.demo:
        _use_demo()
    if args.command in NEEDS_SCHEMA:
        from callcenter.commands.schema_check import schema_problem
        from callcenter.settings import load_settings

        url = getattr(args, "database_url", None) or load_settings().database_url
        problem = schema_problem(url)
        if problem is not None:
            print(f"callcenter {args.command}: {problem}", file=sys.stderr)
            return 2
    run = args._run
    return int(run(args))


def _use_demo() -> None:
    """Point this process at the demo's database and rules (explicit flags still win)."""
    from callcenter.commands.schema_check import DEMO_DIR, demo_database_url

    os.environ["CALLCENTER_DATABASE_URL"] = demo_database_url(DEMO_DIR)
    rules = DEMO_DIR / "routing.toml"
    if rules.is_file():
        os.environ["CALLCENTER_ROUTING_FILE"] = str(rules)
