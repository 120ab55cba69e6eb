"""`callcenter simulate`: a simulated Asterisk AMI server replaying a trace or generating calls."""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from callcenter.sim.pstn import Pstn

HELP = "run a simulated Asterisk (AMI server): replay a recorded trace or generate calls"


def calls_per_second(text: str) -> float:
    """A --rate value: a finite number of calls per second above zero."""
    try:
        rate = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < rate < float("inf"):
        raise argparse.ArgumentTypeError(f"must be above 0 calls per second, not {text}")
    return rate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of the simulate command."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5038)
    parser.add_argument("--username", default="callcenter")
    parser.add_argument(
        "--secret",
        default=None,
        help="AMI secret (default: $CALLCENTER_SIM_SECRET, else empty)",
    )
    parser.add_argument("--rate", type=calls_per_second, default=0.2, help="calls per second (> 0)")
    parser.add_argument("--queues", nargs="*", default=None, help="queues to call (default all)")
    parser.add_argument("--agents", type=int, default=None, help="number of agents (default 10)")
    callers = parser.add_mutually_exclusive_group()
    callers.add_argument("--callers-from-db", metavar="URL", default=None)
    callers.add_argument("--callers", metavar="FILE", type=Path, default=None)
    parser.add_argument(
        "--trace", metavar="FILE.ami", type=Path, default=None, help="replay once a client logs in"
    )
    parser.add_argument(
        "--speed", type=float, default=1.0, help="trace replay speed (0 = no waits)"
    )
    parser.add_argument("--agi", default=None, help="FastAGI URL to ask before Queue()")
    parser.add_argument("--duration", type=float, default=None, help="seconds, then stop")
    parser.add_argument("--time-scale", type=float, default=1.0, help="real s per simulated s")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--quiet-dialplan", action="store_true", help="drop VarSet/Newexten")
    parser.add_argument(
        "--recordings-dir",
        type=Path,
        default=None,
        help="write a small WAV per MixMonitor recording here (default: none written)",
    )
    parser.add_argument(
        "--no-recording", action="store_true", help="queue calls are not MixMonitor-recorded"
    )
    parser.add_argument(
        "--dial-outcomes",
        default=None,
        metavar="answer=0.6,busy=0.1,…",
        help="outcome shares of dialled numbers (answer busy noanswer congestion invalid machine)",
    )


def dial_outcomes(text: str | None) -> Pstn | None:
    """`answer=0.6,busy=0.1` -> the simulated network's outcome shares (ValueError if bad)."""
    from callcenter.sim.pstn import Pstn

    if not text:
        return None
    rates: dict[str, float] = {}
    for part in text.split(","):
        name, sep, share = part.partition("=")
        try:
            rates[name.strip()] = float(share)
        except ValueError:
            raise ValueError(f"--dial-outcomes: {part!r} is not outcome=share") from None
        if not sep:
            raise ValueError(f"--dial-outcomes: {part!r} is not outcome=share")
    return Pstn(rates=rates)


async def _main(args: argparse.Namespace) -> int:
    from callcenter.sim.generator import Traffic, callers_from_db, generate, read_callers, staff
    from callcenter.sim.server import SimulatedAsterisk
    from callcenter.sim.tracereplay import replay

    secret = args.secret if args.secret is not None else os.environ.get("CALLCENTER_SIM_SECRET", "")
    sim = SimulatedAsterisk(
        args.username,
        secret,
        time_scale=args.time_scale,
        noise=not args.quiet_dialplan,
        agi=args.agi,
        seed=args.seed,
        record_calls=not args.no_recording,
        recordings_dir=args.recordings_dir,
        pstn=dial_outcomes(args.dial_outcomes),
    )
    if args.agents is not None:
        staff(sim.model, args.agents)
    port = await sim.start(host=args.host, port=args.port)
    print(f"simulated Asterisk AMI listening on {args.host}:{port}", flush=True)
    try:
        if args.trace is not None:
            # Start when the first client has logged in (others get a moment to follow).
            await sim.first_login.wait()
            count = await replay(sim, args.trace, speed=args.speed, start_delay_s=0.5)
            print(f"replayed {count} events from {args.trace}", flush=True)
            if args.duration:
                await asyncio.sleep(args.duration)
            return 0
        callers = None
        if args.callers is not None:
            callers = read_callers(args.callers)
        elif args.callers_from_db:
            callers = await callers_from_db(args.callers_from_db)
        traffic = Traffic(rate=args.rate)
        if args.queues:
            unknown = [q for q in args.queues if q not in sim.model.queues]
            if unknown:
                print(f"unknown queues: {', '.join(unknown)}")
                return 2
            traffic.queues = list(args.queues)
        await generate(sim, traffic, callers, duration_s=args.duration)
        await sim.wait_idle()
        return 0
    finally:
        await sim.stop()


def run(args: argparse.Namespace) -> int:
    """Run until --duration passes (or Ctrl-C)."""
    try:
        return asyncio.run(_main(args))
    except KeyboardInterrupt:
        return 0
    except (OSError, ValueError) as exc:
        print(f"simulate: {exc}")
        return 2
