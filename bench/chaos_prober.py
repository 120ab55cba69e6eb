"""The chaos bench's hook prober: a FastAGI routing request 5 times a second, from its own
process (as Asterisk is its own process), with plain blocking sockets (used by bench/chaos.py).

Each answer is timed three ways, so a late one says whose lateness it is:

- `ms`: from just before connect() to when the prober read the first answer line (what an
  Asterisk as busy as this prober would see);
- `kernel_ms`: from the same start to the kernel's receive stamp of that line (SO_TIMESTAMPNS):
  the prober being descheduled after the answer arrived does not count;
- `prober_wait_ms` / `serve_wait_ms`: how long the prober and the answering serve process sat
  runnable without a CPU from connect() to reading the first answer line (run delay,
  /proc/<tid>/schedstat), and `serve_ran_ms` how long the serve process ran meanwhile (busy with
  other work, or not).

An answer is late when `kernel_ms` is past the deadline: the product's lateness. `ms` past the
deadline with `kernel_ms` within it is the bench's (the prober got no CPU to read the answer).
A late answer is "starved" when `kernel_ms - serve_wait_ms` is within the deadline: the serve
process would have answered in time had it had a CPU whenever it was ready to run.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
from typing import Any

_WAITS = ("prober_wait_ms", "serve_wait_ms", "serve_ran_ms")
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)  # Linux; Python 3.11 lacks the name
_ENV = (
    "agi_network_script: route\nagi_request: agi://127.0.0.1/route\n"
    "agi_callerid: +86139{n:08d}\nagi_calleridname: X\n"
    "agi_extension: 8001\nagi_arg_1: 8001\nagi_arg_2: \n\n"
)


def schedstat_s(pid: int) -> tuple[float, float] | None:
    """Seconds the main thread of `pid` has run on a CPU, and has waited runnable for one."""
    try:
        with open(f"/proc/{pid}/task/{pid}/schedstat") as f:
            ran, waited = f.read().split()[:2]
    except (OSError, ValueError):
        return None
    return int(ran) / 1e9, int(waited) / 1e9


def _probe(port: int, n: int, serve_pid: int) -> dict[str, Any] | None:
    """One routing request; None when nothing listens on `port` (refused)."""
    me = os.getpid()
    mine0, serve0 = schedstat_s(me), schedstat_s(serve_pid) if serve_pid else None
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        sock.settimeout(5.0)
        start = time.time()
        try:
            sock.connect(("127.0.0.1", port))
        except ConnectionRefusedError:
            return None
        sock.sendall(_ENV.format(n=n).encode())
        data, ancillary, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(16))
        read_at = time.time()
        mine1, serve1 = schedstat_s(me), schedstat_s(serve_pid) if serve_pid else None
        stamp = next(
            (struct.unpack("qq", d[:16]) for lvl, typ, d in ancillary
             if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS),
            None,
        )  # fmt: skip
        arrived = stamp[0] + stamp[1] / 1e9 if stamp else read_at
        buffer = data
        while data:  # every SET VARIABLE answered "200 result=1", as Asterisk does
            lines = buffer.count(b"\n")
            sock.sendall(b"200 result=1\n" * lines)
            buffer = buffer[buffer.rfind(b"\n") + 1 :]
            data = sock.recv(4096)
            buffer += data
    return {
        "start": start,
        "ms": (read_at - start) * 1000,
        "kernel_ms": (arrived - start) * 1000,
        "prober_wait_ms": _delta_ms(mine0, mine1, 1),
        "serve_wait_ms": _delta_ms(serve0, serve1, 1),
        "serve_ran_ms": _delta_ms(serve0, serve1, 0),
    }


def _delta_ms(
    before: tuple[float, float] | None, after: tuple[float, float] | None, which: int
) -> float | None:
    return None if before is None or after is None else (after[which] - before[which]) * 1000


def prober_main(ports: list[int]) -> None:
    """Probe a random port 5 times a second (the other one if refused) until stdin says "stop"
    (lines "I PID" tell the pid behind port I); then print the answers and failures as JSON."""
    rng = random.Random(3)
    pids = [0] * len(ports)
    stop = threading.Event()

    def listen() -> None:
        for line in sys.stdin:
            if line.strip() == "stop":
                break
            i, pid = line.split()
            pids[int(i)] = int(pid)
        stop.set()

    threading.Thread(target=listen, daemon=True).start()
    answers: list[dict[str, Any]] = []
    failed: list[tuple[float, str]] = []
    print("probing", flush=True)
    while not stop.wait(0.2):
        order = rng.sample(range(len(ports)), len(ports))
        for i in order:
            try:
                got = _probe(ports[i], rng.randrange(10**8), pids[i])
            except (OSError, TimeoutError) as exc:
                failed.append((time.time(), type(exc).__name__))
                break
            if got is not None:
                got["node"] = i
                answers.append(got)
                break
        else:  # nothing listening: Asterisk's dialplan falls back on its own
            failed.append((time.time(), "refused"))
    print(json.dumps({"answers": answers, "failed": failed}), flush=True)


class Prober:
    """The prober process (only the standard library: it starts at once), told each new pid."""

    def __init__(self, ports: list[int]) -> None:
        cmd = [sys.executable, __file__, *map(str, ports)]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        self._proc.stdout.readline()  # "probing"

    def watch(self, i: int, pid: int) -> None:
        """The process behind port `i` is now `pid`."""
        assert self._proc.stdin is not None
        with contextlib.suppress(OSError):
            self._proc.stdin.write(f"{i} {pid}\n")
            self._proc.stdin.flush()

    def finish(self) -> dict[str, Any]:
        """Stop probing; what it measured (empty if the prober died)."""
        result: dict[str, Any] = {"answers": [], "failed": []}
        with contextlib.suppress(OSError, ValueError, subprocess.TimeoutExpired):
            out, _ = self._proc.communicate("stop\n", timeout=30)
            result = json.loads(out)
        return result


def summarise(
    result: dict[str, Any], deadline_ms: float, wall0: float, faults: list[tuple[float, str]]
) -> dict[str, Any]:
    """The hook figures: answers, spread, late ones (each with the fault, restart or return to
    listening just before it)."""
    answers = result["answers"]
    late = [a for a in answers if a["kernel_ms"] > deadline_ms]
    bench_late = [a for a in answers if a["ms"] > deadline_ms >= a["kernel_ms"]]
    # late, but in time had the serve process not sat runnable without a CPU meanwhile
    starved = [a for a in late if a["kernel_ms"] - (a["serve_wait_ms"] or 0) <= deadline_ms]
    # a process listening again after a restart is an event too: the first answer after refusals
    refusals = {round(at - wall0, 1) for at, why in result["failed"] if why == "refused"}
    back = [
        (a["start"] - wall0, f"listening again (node {a['node']})")
        for prev, a in itertools.pairwise(answers)
        if any(prev["start"] - wall0 < t < a["start"] - wall0 for t in refusals)
    ]
    faults = sorted(faults + back)

    def where(a: dict[str, Any]) -> dict[str, Any]:
        at = a["start"] - wall0
        before = [(t, what) for t, what in faults if t <= at]
        since = f"{at - before[-1][0]:.1f}s after {before[-1][1]}" if before else "before faults"
        return {
            "at": round(at, 1),
            "node": a["node"],
            "kernel_ms": round(a["kernel_ms"]),
            "ms": round(a["ms"]),
            **{k: None if a[k] is None else round(a[k]) for k in _WAITS},
            "since": since,
        }

    return {
        "hook_answers": len(answers),
        "hook_ms_p50_p99_max": spread([a["kernel_ms"] for a in answers]),
        "hook_late": len(late),
        "hook_late_bench": len(bench_late),  # read late by the prober, arrived in time
        "hook_late_starved": len(starved),
        "hook_failed": len(result["failed"]),
        "hook_failed_at": _failures(result["failed"], wall0),
        "hook_late_at": [where(a) for a in late][:40],
        "hook_late_bench_at": [where(a) for a in bench_late][:20],
    }


def _failures(failed: list[tuple[float, str]], wall0: float) -> list[str]:
    """Runs of failed probes: "from-to s why xN"."""
    runs: list[list[Any]] = []
    for at, why in failed:
        if runs and runs[-1][2] == why and at - wall0 - runs[-1][1] < 1.0:
            runs[-1][1], runs[-1][3] = at - wall0, runs[-1][3] + 1
        else:
            runs.append([at - wall0, at - wall0, why, 1])
    return [f"{a:.1f}-{b:.1f}s {why} x{n}" for a, b, why, n in runs][:20]


def spread(values: list[float]) -> list[int]:
    """p50, p99 and the largest, in whole ms (load-sensitive: compare runs side by side)."""
    if len(values) < 2:
        return [round(v) for v in values * 3]
    cuts = statistics.quantiles(values, n=100)
    return [round(cuts[49]), round(cuts[98]), round(max(values))]


if __name__ == "__main__":
    prober_main([int(port) for port in sys.argv[1:]])
