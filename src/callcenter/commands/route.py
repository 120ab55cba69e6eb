"""`callcenter route`: show where a call would go, and why, as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from callcenter.domain.routing.decision import RoutingDecision
    from callcenter.domain.routing.inputs import CustomerSnapshot
    from callcenter.domain.routing.rules import RoutingRules
    from callcenter.ports.routing import SnapshotSource
    from callcenter.settings import Settings

HELP = "Print the routing decision and its trace for a caller, DID and IVR choice (JSON)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the route command."""
    parser.add_argument("--caller", required=True, help="caller ID as Asterisk sends it")
    parser.add_argument("--did", required=True, help="dialled entry point, e.g. 8001")
    parser.add_argument("--menu", default=None, help="IVR choice (1-4), if any")
    parser.add_argument("--at", default=None, help="ISO time with offset (default: now)")
    parser.add_argument("--rules", type=Path, default=None, help="rule file (default: settings)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--customers",
        type=Path,
        default=None,
        help="JSON object E.164 -> snapshot fields, used instead of a database",
    )
    source.add_argument(
        "--database-url",
        default=None,
        help="look the caller up in this database (e.g. a seeded one) instead of none at all",
    )


def run(args: argparse.Namespace) -> int:
    """Decide once and print the decision with its trace."""
    import asyncio
    from datetime import UTC

    from callcenter.domain.routing.rules import RulesError
    from callcenter.services.routing import load_rules
    from callcenter.services.routing_sources import InMemorySnapshots
    from callcenter.settings import load_settings

    settings = load_settings()
    try:
        rules = load_rules(args.rules or settings.routing_file)
        snapshots = InMemorySnapshots(_load_customers(args.customers) if args.customers else {})
        now = datetime.fromisoformat(args.at) if args.at else datetime.now(UTC)
        if now.tzinfo is None:
            raise ValueError(f"--at {args.at!r} needs a UTC offset, e.g. 2026-11-23T10:00+08:00")
    except (RulesError, ValueError, OSError) as exc:
        print(f"callcenter route: {exc}", file=sys.stderr)
        return 2
    try:
        decision = asyncio.run(_decide(args, settings, rules, snapshots, now))
    except DatabaseUnusable as exc:
        print(f"callcenter route: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(decision.to_json(), ensure_ascii=False, indent=2))
    return 0


class DatabaseUnusable(Exception):
    """--database-url names a database we cannot read customers from."""


async def _decide(
    args: argparse.Namespace,
    settings: Settings,
    rules: RoutingRules,
    snapshots: SnapshotSource,
    now: datetime,
) -> RoutingDecision:
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from callcenter.adapters.db.database import Database
    from callcenter.adapters.db.snapshots import SqlSnapshots
    from callcenter.bootstrap import database
    from callcenter.services.routing import RoutingService

    db: Database | None = None
    if args.database_url:
        try:
            db = database(args.database_url)
            snapshots = SqlSnapshots(db.engine)
            # a one-off command waits for the database: a wrong URL is an error, not a fallback
            async with db.uow() as uow:
                await uow.customers.count()
        except (ArgumentError, SQLAlchemyError, OSError, ValueError) as exc:
            if db is not None:
                await db.aclose()
            raise DatabaseUnusable(f"--database-url: {type(exc).__name__}: {exc}") from exc
    service = RoutingService(
        rules=rules,
        snapshots=snapshots,
        region=settings.default_region,
        deadline_s=settings.route_deadline_ms / 1000,
    )
    try:
        return await service.route(caller_raw=args.caller, did=args.did, menu=args.menu, now=now)
    finally:
        if db is not None:
            await db.aclose()


def _load_customers(path: Path) -> dict[str, CustomerSnapshot]:
    from callcenter.domain.routing.inputs import CustomerSnapshot, OpenComplaint, ServedBy

    raw = json.loads(path.read_text("utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: must be a JSON object keyed by E.164 number")
    out: dict[str, CustomerSnapshot] = {}
    for e164, spec in raw.items():
        try:
            if spec.get("segment", "regular") not in ("regular", "senior", "vip"):
                raise ValueError(f"segment {spec.get('segment')!r} is not regular/senior/vip")
            out[e164] = CustomerSnapshot(
                customer_id=int(spec["customer_id"]),
                segment=spec.get("segment", "regular"),
                name=spec.get("name", ""),
                roles=frozenset(spec.get("roles", [])),
                credit_hold=bool(spec.get("credit_hold", False)),
                open_complaints=tuple(
                    OpenComplaint(
                        id=int(c["id"]),
                        owner_group=c.get("owner_group"),
                        owner_agent_code=c.get("owner_agent_code"),
                        opened_at=_aware(c["opened_at"]),
                    )
                    for c in spec.get("open_complaints", [])
                ),
                last_agents=tuple(
                    ServedBy(agent_code=str(s["agent_code"]), at=_aware(s["at"]))
                    for s in spec.get("last_agents", [])
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: customer {e164!r}: {exc!r}") from exc
    return out


def _aware(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"time {text!r} needs a UTC offset")
    return value
