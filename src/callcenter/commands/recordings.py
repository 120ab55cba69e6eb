"""`callcenter recordings purge [--dry-run]`: delete recordings past their group's retention."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from callcenter.ports.recordings import StoredRecording
    from callcenter.settings import Settings

HELP = "Delete recordings older than their group's retention (recording_retention_days)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sub-command purge."""
    parser.add_argument("--database-url", default=None, help="database URL (default: settings)")
    sub = parser.add_subparsers(dest="recordings_command", required=True, metavar="ACTION")
    purge = sub.add_parser("purge", help="delete what is past retention; one JSON line each")
    purge.add_argument("--dry-run", action="store_true", help="list what would go; keep it")
    purge.add_argument("--database-url", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Print one JSON line per deleted (or, dry run, deletable) recording, then a summary."""
    from callcenter.settings import load_settings

    settings = load_settings()
    if args.database_url:
        settings = settings.model_copy(update={"database_url": args.database_url})
    if not settings.recording_retention_days:
        print("callcenter recordings: no recording_retention_days set: nothing to purge",
              file=sys.stderr)  # fmt: skip
        return 0
    if any(days < 1 for days in settings.recording_retention_days.values()):
        print("callcenter recordings: retention days must be at least 1", file=sys.stderr)
        return 2
    gone = asyncio.run(_purge(settings, dry_run=args.dry_run))
    for rec in gone:
        print(json.dumps({"pbx": rec.pbx, "linkedid": rec.linkedid, "file": rec.file,
                          "group": rec.group_slug, "stored_at": rec.stored_at.isoformat(),
                          "deleted": not args.dry_run}))  # fmt: skip
    verb = "would delete" if args.dry_run else "deleted"
    print(f"callcenter recordings: {verb} {len(gone)} recording(s)", file=sys.stderr)
    return 0


async def _purge(settings: Settings, *, dry_run: bool) -> list[StoredRecording]:
    from callcenter.bootstrap import open_database
    from callcenter.supervision_wiring import recording_service

    async with open_database(settings) as db:
        service = recording_service(settings, db)
        try:
            return await service.purge(now=datetime.now(UTC), dry_run=dry_run)
        finally:
            await service.close_store()
