"""`callcenter replay FILE.ami`: a recorded AMI stream through the live parser and state machine."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HELP = "Replay a recorded AMI byte stream and print one JSON line per finished call"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the replay command."""
    parser.add_argument("file", type=Path, help="recorded AMI bytes (.ami)")
    parser.add_argument("--chunk-size", type=int, default=65536, help="bytes per simulated read")
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
        help="match callers against customers (not wired yet: the command refuses it)",
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
    }


def run(args: argparse.Namespace) -> int:
    """Replay the file; print calls then the summary line."""
    from callcenter.adapters.ami.pipeline import AmiPipeline, Clock, RecordedClock, StreamClock
    from callcenter.domain.facts import CallEnded
    from callcenter.domain.numbers import parse_caller_id

    if args.database_url:
        # Hook for the integrator: enrich each record with customer matches before printing.
        print("replay: --database-url caller matching is not wired yet", file=sys.stderr)
        return 2
    if args.chunk_size < 1:
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
    pipeline.feed_bytes(data, chunk_size=args.chunk_size)
    counts = {"calls": 0, "answered": 0, "abandoned": 0, "timeout": 0}
    out = sys.stdout
    for fact in pipeline.drain():
        if isinstance(fact, CallEnded):
            counts["calls"] += 1
            counts[fact.record.outcome] = counts.get(fact.record.outcome, 0) + 1
            out.write(json.dumps(record_json(fact.record), ensure_ascii=False) + "\n")
    out.write(json.dumps({"summary": counts}) + "\n")
    return 0
