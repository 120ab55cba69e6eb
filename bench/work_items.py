"""Work items: SMTP intake mails/s, and (from bench/work_offers_part.py) the offer figures.

SMTP: a backend process (`callcenter serve`, SQLite, seeded customers) with its SMTP receiver on
a free loopback port; --connections relay threads each send their share of --mails mails over
real SMTP sessions (one session per relay, as relays keep them open), every mail with a
--attachment-kb attachment of random bytes. mails/s = mails answered 250 / wall time from the
first MAIL to the last 250. Afterwards the stored `email` items are counted: every 250 must be
an item (nothing lost), or the figure is not printed as a success.

The offer / decision figures come from `measure_offers()` in bench/work_offers_part.py (offer
latency over real websockets, the pure policy's decisions per second).

The last line is `offer_p50_ms=… offer_p99_ms=… decisions_per_s=… smtp_mails_per_s=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import smtplib
import socket
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from callcenter.adapters.db.migrate import upgrade
from callcenter.bootstrap import open_database
from callcenter.seeding.loader import seed_database

HERE = Path(__file__).resolve().parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _mails(count: int, kb: int) -> list[bytes]:
    out = []
    for i in range(count):
        msg = EmailMessage()
        msg["From"] = f"Reader {i} <reader{i}@example.cn>"
        msg["To"] = "documents@club.example"
        msg["Subject"] = f"Remittance slip {i}"
        msg.set_content(f"My slip for order {i} is attached.")
        msg.add_attachment(
            os.urandom(kb * 1024), maintype="image", subtype="png", filename="slip.png"
        )
        out.append(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
    return out


def _relay(port: int, mails: list[bytes], codes: list[int]) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
        smtp.ehlo("relay.bench")
        for i, raw in enumerate(mails):
            smtp.mail(f"reader{i}@example.cn")
            smtp.rcpt("documents@club.example")
            code, _ = smtp.data(raw)
            codes.append(code)


async def _wait_port(port: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


async def smtp_bench(args: argparse.Namespace) -> dict[str, Any]:
    """Mails/s over real SMTP into a backend process on SQLite."""
    tmp = tempfile.TemporaryDirectory()
    url = f"sqlite+aiosqlite:///{Path(tmp.name) / 'bench.db'}"
    await upgrade(url)
    await seed_database(url, customers=args.customers, seed=1)
    smtp_port, http_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "CALLCENTER_DATABASE_URL": url,
        "CALLCENTER_HTTP_PORT": str(http_port),
        "CALLCENTER_AGI_ENABLED": "false",
        "CALLCENTER_SMTP_PORT": str(smtp_port),
        "CALLCENTER_WORK_FILES_DIR": str(Path(tmp.name) / "files"),
    }
    backend = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "callcenter", "--log-level", "WARNING", "serve", env=env
    )
    mails = _mails(args.mails, args.attachment_kb)
    try:
        await _wait_port(smtp_port)
        share = [mails[i :: args.connections] for i in range(args.connections)]
        codes: list[int] = []
        threads = [threading.Thread(target=_relay, args=(smtp_port, part, codes)) for part in share]
        started = time.perf_counter()
        for t in threads:
            t.start()
        await asyncio.to_thread(lambda: [t.join() for t in threads])
        elapsed = time.perf_counter() - started
    finally:
        backend.terminate()
        await asyncio.wait_for(backend.wait(), 30)
    async with open_database(url) as db, db.uow() as uow:
        stored = len(await uow.work_items.find(kind="email", limit=args.mails + 10))
    tmp.cleanup()
    accepted = codes.count(250)
    return {
        "mails": len(mails),
        "accepted": accepted,
        "stored": stored,
        "seconds": round(elapsed, 2),
        "smtp_mails_per_s": round(accepted / elapsed, 1) if accepted == stored else "lost",
    }


async def offer_figures() -> str:
    """The assignment half's figures: bench/work_offers_part.py's measure_offers() (it runs its
    own event loop and server, so in a thread of its own)."""
    spec = importlib.util.spec_from_file_location("work_offers_part", HERE / "work_offers_part.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = await asyncio.to_thread(module.measure_offers)
    keys = ("offer_p50_ms", "offer_p99_ms", "decisions_per_s")
    return " ".join(f"{k}={result[k]}" for k in keys)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mails", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--attachment-kb", type=int, default=100)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--skip-offers", action="store_true")
    args = parser.parse_args()
    smtp = await smtp_bench(args)
    print(" ".join(f"{k}={v}" for k, v in smtp.items()))
    offers = "offer_p50_ms=na offer_p99_ms=na decisions_per_s=na"
    if not args.skip_offers:
        offers = await offer_figures()
    print(f"{offers} smtp_mails_per_s={smtp['smtp_mails_per_s']}")


if __name__ == "__main__":
    asyncio.run(main())
