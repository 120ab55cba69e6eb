"""CPU time of the event-loop thread per `GET /api/dialplan/route`, in process over ASGI.

No sockets and no database lookup (the callers are withheld, so no customer is looked up): what
remains is the HTTP layer and the routing decision, the part a burst of hook requests serialises
on the loop; the rule book is opened around the clock (out of hours every request would file a
callback item, and the figure would depend on the hour). Load-independent enough to compare two
versions of the code on a busy machine (run each with PYTHONPATH pointing at its src/). Uses a
scratch SQLite database; the last line is
`hook_loop_cpu_us_min=… hook_loop_cpu_us_median=… requests=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from importlib.resources import files
from pathlib import Path
from typing import Any

from callcenter.adapters.db.migrate import upgrade
from callcenter.app import create_app
from callcenter.settings import Settings

PATH = "/api/dialplan/route"


def always_open(folder: Path) -> Path:
    """The shipped rule book with every group open around the clock: out of hours each request
    would file a callback item (a database write), and the figure would depend on the hour."""
    text = (files("callcenter") / "routing" / "default.toml").read_text("utf-8")
    text = re.sub(r"^(holiday_)?hours = \[.*\]$", r'\1hours = ["00:00-24:00"]', text, flags=re.M)
    path = folder / "always-open.toml"
    path.write_text(text, "utf-8")
    return path


def _scope(seq: int) -> dict[str, Any]:
    query = f"did=800{seq % 7 + 1}&uniqueid=1795343813.{seq}"
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {"received_at": time.monotonic()},
    }


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite+aiosqlite:///{Path(scratch) / 'hook.db'}"
        await upgrade(url)
        settings = Settings(
            database_url=url,
            ami_servers=[],
            agi_enabled=False,
            dialplan_allow=["127.0.0.1"],
            routing_file=always_open(Path(scratch)),
        )
        app = create_app(settings)
        statuses: list[int] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        per_round: list[float] = []
        async with app.router.lifespan_context(app):
            for _ in range(args.rounds + 1):  # the first round warms up
                started = time.thread_time()
                for seq in range(args.requests):
                    await app(_scope(seq), receive, send)  # type: ignore[arg-type]
                per_round.append((time.thread_time() - started) / args.requests * 1e6)
        if set(statuses) != {200}:
            raise SystemExit(f"unexpected statuses {sorted(set(statuses))}")
        measured = per_round[1:]
        print(
            f"hook_loop_cpu_us_min={min(measured):.0f} "
            f"hook_loop_cpu_us_median={statistics.median(measured):.0f} "
            f"requests={args.requests * args.rounds}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    asyncio.run(main(parser.parse_args()))
