"""`callcenter token create|revoke|list`: manage API tokens (only their hashes are stored)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from callcenter.ports.uow import UowFactory

HELP = "Create, revoke or list API tokens; `create` prints the new token and nothing else."

T = TypeVar("T")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sub-commands create, revoke and list."""
    parser.add_argument("--database-url", default=None, help="database URL (default: settings)")
    sub = parser.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = sub.add_parser("create", help="issue a token and print it (shown only once)")
    create.add_argument(
        "--role", required=True, help="admin, supervisor, agent, dialplan or intake"
    )
    create.add_argument("--agent", default=None, help="agent code; required for --role agent")
    create.add_argument("--label", default=None, help="a note on who or what holds the token")
    revoke = sub.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("token_id", type=int, metavar="ID")
    listing = sub.add_parser(
        "list", help="list tokens as JSON lines (ids, roles, labels; no secrets)"
    )
    for action in (create, revoke, listing):
        # accepted after the action too: `token create --role admin --database-url URL`
        action.add_argument("--database-url", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Do the action; errors go to stderr with exit status 2 (1 for an unknown id to revoke)."""
    import asyncio

    from callcenter.settings import load_settings

    url = args.database_url or load_settings().database_url
    try:
        if args.token_command == "create":
            token = asyncio.run(_with_db(url, lambda uow: _create(uow, args)))
            print(token)
            return 0
        if args.token_command == "revoke":
            done = asyncio.run(_with_db(url, lambda uow: _revoke(uow, args.token_id)))
            if not done:
                print(f"callcenter token: no active token {args.token_id}", file=sys.stderr)
                return 1
            print(f"revoked token {args.token_id}", file=sys.stderr)
            return 0
        for line in asyncio.run(_with_db(url, _list)):
            print(line)
        return 0
    except (ValueError, LookupError) as exc:
        print(f"callcenter token: {exc}", file=sys.stderr)
        return 2


async def _with_db(url: str, work: Callable[[UowFactory], Awaitable[T]]) -> T:
    from callcenter.bootstrap import open_database

    async with open_database(url) as db:
        return await work(db.uow)


async def _create(uow: UowFactory, args: argparse.Namespace) -> str:
    from callcenter.services.tokens import create_token

    token, _ = await create_token(uow=uow, role=args.role, agent_code=args.agent, label=args.label)
    return token


async def _revoke(uow: UowFactory, token_id: int) -> bool:
    from callcenter.services.tokens import revoke_token

    return await revoke_token(uow=uow, token_id=token_id)


async def _list(uow: UowFactory) -> list[str]:
    async with uow() as work:
        tokens = await work.tokens.list_all()
        codes = {a.id: a.code for a in await work.agents.list_all()}
    return [
        json.dumps(
            {
                "id": t.id,
                "role": t.role,
                "agent": codes.get(t.agent_id) if t.agent_id is not None else None,
                "label": t.label,
                "created_at": t.created_at.isoformat(),
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            },
            ensure_ascii=False,
        )
        for t in tokens
    ]
