"""`callcenter replay FILE.ami`: a recorded AMI stream through the live parser and state machine."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

HELP = "Replay a recorded AMI byte stream and print one JSON line per finished call"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the replay command."""
    parser.add_argument("file", type=Path, help="recorded AMI bytes (.ami)")
    parser.add_argument(
        "--chunk-size", type=int, default=None, help="bytes per simulated read (default: all)"
    )
    parser.add_argument("--pbx", default="asterisk", help="name of the Asterisk server")
    parser.add_argument("--region", default="CN", help="region for national caller numbers")
    parser.add_argument(
        "--timing",
        default="auto",
        help="auto (the recording's NAME.jsonl receipt times when present), stream "
        "(only times the stream proves: whole seconds), or a .jsonl file",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="also match each caller to customers in this database (adds a `customer` field)",
    )
    parser.add_argument(
        "--store",
        action="store_true",
        help="with --database-url: store each call and contact once (replaying again adds nothing)",
    )


def record_json(record: Any) -> dict[str, Any]:
    """The contract's JSON object for one finished call."""
    return {
        "linkedid": record.linkedid,
        "pbx": record.pbx,
        "direction": record.direction,
        "caller": record.caller,
        "caller_name": record.caller_name,
        "queues": list(record.queues),
        "agent": record.agent,
        "outcome": record.outcome,
        "wait_s": record.wait_s,
        "talk_s": record.talk_s,
        "ring_attempts": record.ring_attempts,
        "transferred": record.transferred,
        "started_at": record.started_at.isoformat(),
        "answered_at": record.answered_at.isoformat() if record.answered_at else None,
        "ended_at": record.ended_at.isoformat(),
        "routing": record.routing or {},
        "caller_verified": record.caller_verified,
        "legs": [
            {"agent": leg.agent, "queue": leg.queue, "talk_s": leg.talk_s} for leg in record.legs
        ],
        "monitored": record.monitored,
        "recordings": list(record.recordings),
        "amd": record.amd,
    }


def run(args: argparse.Namespace) -> int:
    """Replay the file; print calls then the summary line."""
    from callcenter.adapters.ami.pipeline import AmiPipeline, Clock, RecordedClock, StreamClock
    from callcenter.domain.calls.facts import CallEnded
    from callcenter.domain.customers.numbers import parse_caller_id

    if args.store and not args.database_url:
        print("replay: --store needs --database-url", file=sys.stderr)
        return 2
    if args.chunk_size is not None and args.chunk_size < 1:
        print("replay: --chunk-size must be at least 1", file=sys.stderr)
        return 2
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"replay: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    clock: Clock = StreamClock()
    timing = args.file.with_suffix(".jsonl") if args.timing == "auto" else Path(args.timing)
    if args.timing != "stream" and timing.is_file():
        with timing.open(encoding="utf-8") as lines:
            clock = RecordedClock.from_jsonl(lines)
    elif args.timing not in ("auto", "stream"):
        print(f"replay: no timing file {timing}", file=sys.stderr)
        return 2
    try:
        parse_caller_id(None, args.region)  # rejects an unknown region before any work
    except ValueError as exc:
        print(f"replay: {exc}", file=sys.stderr)
        return 2
    pipeline = AmiPipeline(pbx=args.pbx, region=args.region, clock=clock)
    pipeline.feed_bytes(data, chunk_size=args.chunk_size or max(1, len(data)))
    records = [fact.record for fact in pipeline.drain() if isinstance(fact, CallEnded)]
    rows = [record_json(record) for record in records]
    if args.database_url:
        try:
            asyncio.run(_match(args, records, rows))
        except Exception as exc:  # a bad URL or a dead database: say so, print nothing half-done
            print(f"replay: database {args.database_url!r} failed: {exc!r}", file=sys.stderr)
            return 2
    counts = {"calls": 0, "answered": 0, "abandoned": 0, "timeout": 0}
    out = sys.stdout
    for row in rows:
        counts["calls"] += 1
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    out.write(json.dumps({"summary": counts}) + "\n")
    return 0


async def _match(args: argparse.Namespace, records: list[Any], rows: list[dict[str, Any]]) -> None:
    """Add each caller's customer match (and store the records with --store)."""
    from dataclasses import replace

    from callcenter.bootstrap import directory, open_database
    from callcenter.services.call_store import store_call

    stored = 0
    async with open_database(args.database_url) as db:
        customers = directory(db, args.region)
        for record, row in zip(records, rows, strict=True):
            found = await customers.lookup(raw=record.caller)
            row["customer"] = found.to_json()
            if args.store:
                with_customer = replace(record, customer_id=found.customer_id)
                stored += await store_call(uow=db.uow, record=with_customer)
    if args.store:
        print(f"replay: stored {stored} new call records", file=sys.stderr)
