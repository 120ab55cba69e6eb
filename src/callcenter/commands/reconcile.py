"""`callcenter reconcile QUEUE_LOG`: Asterisk's queue_log against our stored calls."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from callcenter.services.reconcile import ReconcileReport

HELP = "Compare Asterisk's queue_log with the stored call records, call by call"


def when(text: str) -> datetime:
    """An ISO 8601 time (naive = UTC) or a Unix epoch number."""
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except ValueError:
        pass
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time or epoch: {text!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the reconcile command."""
    parser.add_argument("queue_log", type=Path, help="Asterisk's queue_log file")
    parser.add_argument(
        "--database-url", default=None, help="the stored calls (default: CALLCENTER_DATABASE_URL)"
    )
    parser.add_argument("--since", type=when, default=None, help="first moment (default: log's)")
    parser.add_argument("--until", type=when, default=None, help="end, excluded (default: log's)")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=1.0,
        help="seconds wait and talk may differ per queue stay (default 1: the queue_log's "
        "times are whole seconds)",
    )
    parser.add_argument("--pbx", default=None, help="only this Asterisk server's calls")


def run(args: argparse.Namespace) -> int:
    """Print one JSON object per missing or differing call, then the summary; 1 if any missing."""
    from callcenter.settings import load_settings

    if args.tolerance < 0:
        print("reconcile: --tolerance must not be negative", file=sys.stderr)
        return 2
    if args.since and args.until and args.until <= args.since:
        print("reconcile: --until must be after --since", file=sys.stderr)
        return 2
    url = args.database_url or load_settings().database_url
    try:
        handle = args.queue_log.open(encoding="utf-8", errors="replace", newline="")
    except OSError as exc:
        print(f"reconcile: cannot read {args.queue_log}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        with handle:
            report = asyncio.run(_reconcile(args, url, handle))
    except Exception as exc:  # a bad URL or a dead database: say so
        print(f"reconcile: database {url!r} failed: {exc!r}", file=sys.stderr)
        return 2
    for note in report.reading_notes():
        print(f"reconcile: {note}", file=sys.stderr)
    out = sys.stdout
    for row in report.lines_json():
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0 if report.result.missing_here == 0 else 1


async def _reconcile(args: argparse.Namespace, url: str, lines: TextIO) -> ReconcileReport:
    from callcenter.adapters.db.engine import make_engine, make_session_factory
    from callcenter.adapters.db.uow import SqlUnitOfWork
    from callcenter.services.reconcile import reconcile_queue_log

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        return await reconcile_queue_log(
            uow=lambda: SqlUnitOfWork(sessions),
            lines=lines,
            since=args.since,
            until=args.until,
            tolerance_s=args.tolerance,
            pbx=args.pbx,
        )
    finally:
        await engine.dispose()
