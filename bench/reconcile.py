"""Reconcile speed: a synthetic month of queue_log against matching stored calls, on one core.

Usage: python bench/reconcile.py [--calls 500000] [--days 30] [--seed 7]

Generates (untimed) a queue_log of `--calls` calls over `--days` days in the shape app_queue
writes (answered, answered after a ring-no-answer, abandoned, timeout with overflow, timeout,
blind transfer, Redirect, attended transfer with its consultation callid, withdrawal, exit-empty,
members pausing) plus a few malformed lines, and the call records our state machine would have
stored for them (with sub-second differences, a few real disagreements, a few calls missing on
each side, and outbound calls that met no queue). Then times, in this one process: reading the
file, parsing and folding every line, and comparing call by call with the records held in memory.
Loading the records from a database is not part of the figure (see `callcenter reconcile`).
`seconds` is the CPU time of this single-threaded process (one core, whatever else the machine
runs); `wall_s` the elapsed time. The last line gives the figures as key=value pairs.
"""

from __future__ import annotations

import argparse
import heapq
import random
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from callcenter.domain.calls.records import CallRecord
from callcenter.domain.reconcile.matching import reconcile
from callcenter.domain.reconcile.queue_log import QueueLogFold

QUEUES = (
    "member-hotline",
    "online-service",
    "telemarketing",
    "letters",
    "documents",
    "finance",
    "data-maintenance",
)
AGENTS = tuple(f"Agent {n:03d}" for n in range(1, 121))
START = 1793491200  # 2026-11-01 00:00 UTC
# kind, share of calls
MIX = (
    ("answered", 0.62),
    ("rna_answered", 0.08),
    ("abandoned", 0.14),
    ("overflow", 0.04),
    ("timeout", 0.03),
    ("blind", 0.03),
    ("redirect", 0.02),
    ("attended", 0.02),
    ("withdraw", 0.01),
    ("empty", 0.01),
)


def _when(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)


def one_call(
    rng: random.Random, callid: str, at: int, kind: str
) -> tuple[list[tuple[int, str]], CallRecord]:
    """The queue_log lines (time, text) of one call and the record we would have stored."""
    q1, q2 = rng.sample(QUEUES, 2)
    a1, a2 = rng.sample(AGENTS, 2)
    caller = f"+86138{rng.randrange(10**8):08d}"
    wait, talk = rng.randint(0, 40), rng.randint(20, 600)
    lines = [(at, f"{at}|{callid}|{q1}|NONE|ENTERQUEUE||{caller}|1")]
    queues, agent, outcome, transferred = [q1], a1, "answered", False
    our_wait, our_talk = float(wait), float(talk)
    if kind in ("answered", "rna_answered"):
        if kind == "rna_answered":
            lines.append((at + 15, f"{at + 15}|{callid}|{q1}|{a2}|RINGNOANSWER|15000"))
            wait += 17
            our_wait = float(wait)
        c = at + wait
        lines.append((c, f"{c}|{callid}|{q1}|{agent}|CONNECT|{wait}|{callid}9|2"))
        end = rng.choice(("COMPLETECALLER", "COMPLETEAGENT"))
        lines.append((c + talk, f"{c + talk}|{callid}|{q1}|{agent}|{end}|{wait}|{talk}|1"))
    elif kind in ("abandoned", "timeout", "withdraw", "empty"):
        agent, our_talk = None, 0.0
        e = at + wait
        event, outcome = {
            "abandoned": ("ABANDON", "abandoned"),
            "timeout": ("EXITWITHTIMEOUT", "timeout"),
            "withdraw": ("WITHDRAW", "callback_requested"),
            "empty": ("EXITEMPTY", "timeout"),
        }[kind]
        extra = "|callback-requested" if kind == "withdraw" else ""
        lines.append((e, f"{e}|{callid}|{q1}|NONE|{event}|1|1|{wait}{extra}"))
    elif kind == "overflow":
        e = at + 25
        lines.append((e, f"{e}|{callid}|{q1}|NONE|EXITWITHTIMEOUT|1|1|25"))
        lines.append((e, f"{e}|{callid}|{q2}|NONE|ENTERQUEUE||{caller}|1"))
        c = e + wait
        lines.append((c, f"{c}|{callid}|{q2}|{agent}|CONNECT|{wait}|{callid}9|2"))
        lines.append((c + talk, f"{c + talk}|{callid}|{q2}|{agent}|COMPLETECALLER|{wait}|{talk}|1"))
        queues, our_wait = [q1, q2], float(wait + 25)
    else:  # blind, redirect, attended: the first agent talks `first` s, the second agent `talk`
        first = rng.randint(10, 60)
        c = at + wait
        lines.append((c, f"{c}|{callid}|{q1}|{a1}|CONNECT|{wait}|{callid}9|2"))
        t = c + first
        second_wait = rng.randint(1, 10)
        cid2 = callid if kind != "attended" else f"{callid}7"
        if kind == "blind":
            lines.append((t, f"{t}|{callid}|{q1}|{a1}|BLINDTRANSFER|7006|x|{wait}|{first}|1"))
        lines.append((t, f"{t}|{cid2}|{q2}|NONE|ENTERQUEUE||{caller}|1"))
        c2 = t + second_wait
        lines.append((c2, f"{c2}|{cid2}|{q2}|{a2}|CONNECT|{second_wait}|{callid}8|2"))
        end2 = c2 + talk
        lines.append((end2, f"{end2}|{cid2}|{q2}|{a2}|COMPLETEAGENT|{second_wait}|{talk}|1"))
        if kind == "redirect":  # closed in the first queue only at the hang-up
            lines.append((end2, f"{end2}|{callid}|{q1}|{a1}|COMPLETECALLER|{wait}|{end2 - c}|1"))
        if kind == "attended":
            x = c2 + 5
            talk1 = x - c
            lines.append((x, f"{x}|{callid}|{q1}|{a1}|ATTENDEDTRANSFER|BRIDGE|b|{wait}|{talk1}|1"))
            our_talk = float(end2 - c)
        else:
            our_talk = float(first + talk)
        queues, agent, transferred = [q1, q2], a2, True
        # the consultation's wait is the first agent's, not the customer's
        our_wait = float(wait if kind == "attended" else wait + second_wait)
    record = CallRecord(
        pbx="bench",
        linkedid=callid,
        direction="inbound",
        caller=caller,
        caller_name=None,
        queues=tuple(queues),
        agent=agent,
        outcome=outcome,
        wait_s=our_wait + rng.random() * 0.9,
        talk_s=our_talk + rng.random() * 0.9 if our_talk else 0.0,
        ring_attempts=1,
        transferred=transferred,
        started_at=_when(at - rng.random() * 3),
        ended_at=_when(at + wait + talk),
    )
    return lines, record


def month(calls: int, days: int, seed: int, path: Path) -> tuple[list[CallRecord], int, int, int]:
    """Write the queue_log; (records, lines written, calls left out of ours, ours left out)."""
    rng = random.Random(seed)
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    records: list[CallRecord] = []
    pending: list[tuple[int, int, str]] = []
    seq = order = written = missing_here = missing_there = 0
    per_day = calls // days
    with path.open("w", encoding="utf-8") as out:

        def flush(before: int) -> None:
            nonlocal written
            while pending and pending[0][0] < before:
                out.write(heapq.heappop(pending)[2] + "\n")
                written += 1

        for day in range(days):
            base = START + day * 86400
            out.write(f"{base + 28000}|NONE|NONE|NONE|QUEUESTART|\n")
            count = per_day + (calls - per_day * days if day == days - 1 else 0)
            times = sorted(rng.randint(base + 28800, base + 75600) for _ in range(count))
            for i, at in enumerate(times):
                flush(at)
                if i % 2000 == 0:
                    agent = rng.choice(AGENTS)
                    out.write(f"{at}|NONE|{QUEUES[0]}|{agent}|PAUSE|Lunch break\n")
                    out.write(f"{at}|garbage line {i}\n")
                    written += 2
                callid = f"{at}.{seq}"
                seq += 1
                lines, record = one_call(rng, callid, at, rng.choices(kinds, weights)[0])
                for when, text in lines:
                    order += 1
                    heapq.heappush(pending, (when, order, text))
                roll = rng.random()
                if roll < 0.0005:
                    missing_here += 1  # we never stored it
                elif roll < 0.001:
                    records.append(replace(record, agent="Someone Else"))
                else:
                    records.append(record)
                if roll > 0.9995:  # a call of ours Asterisk never logged
                    missing_there += 1
                    records.append(replace(record, linkedid=f"x{callid}"))
                if roll > 0.97:  # an outbound call: no queue, nothing in the queue_log
                    records.append(replace(record, linkedid=f"o{callid}", queues=()))
        flush(2**62)
    return records, written, missing_here, missing_there


def lines_of(path: Path) -> Iterator[str]:
    """The file's lines, as `callcenter reconcile` reads them."""
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        yield from handle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "queue_log"
        t0 = time.perf_counter()
        records, written, gone_here, gone_there = month(args.calls, args.days, args.seed, path)
        made = time.perf_counter() - t0
        size_mb = path.stat().st_size / 1e6
        start, wall = time.process_time(), time.perf_counter()
        fold = QueueLogFold().feed_all(lines_of(path))
        folded = time.process_time()
        assert fold.first_at is not None and fold.last_at is not None
        result = reconcile(
            fold.calls(), records, since=fold.first_at, until=fold.last_at + 1, tolerance_s=1.0
        )
        done, wall = time.process_time(), time.perf_counter() - wall
    s = result.summary()
    seconds = done - start
    print(
        f"generated {written} lines ({size_mb:.0f} MB) and {len(records)} records in {made:.1f}s; "
        f"expected missing_here={gone_here} missing_there={gone_there}"
    )
    print(
        f"calls={s['asterisk_calls']} lines={fold.lines} mb={size_mb:.0f} "
        f"parse_fold_s={folded - start:.2f} compare_s={done - folded:.2f} "
        f"seconds={seconds:.2f} wall_s={wall:.2f} calls_per_s={s['asterisk_calls'] / seconds:.0f} "
        f"missing_here={s['missing_here']} missing_there={s['missing_there']} "
        f"differing={s['differing']} explained={s['explained']} malformed={fold.malformed}"
    )


if __name__ == "__main__":
    main()
