"""Screenshots of the agent desktop and the wallboard with live simulated traffic.

Builds a throw-away stack (SQLite in a temp dir seeded with a few hundred customers, the simulated
Asterisk generating calls, the backend under uvicorn), opens both pages in headless Chromium and
saves docs/screenshots/desktop.png and wallboard.png (Chinese, the default) and desktop-en.png and
wallboard-en.png (English).

    python3 scripts/screenshots.py [--out docs/screenshots] [--warmup 45]

Run with any Python: outside the project's `.venv` it starts itself again with `.venv/bin/python`.

Needs Debian's `chromium` (and `fonts-noto-cjk` so Chinese names do not render as boxes).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"


def _in_project_venv() -> None:
    """Re-run this script with the project's venv when started by another Python."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    python = VENV / "bin" / "python"
    if not python.is_file():
        sys.exit("screenshots: no .venv in the clone; run `make install` first")
    os.execv(python, [str(python), __file__, *sys.argv[1:]])


if __name__ == "__main__":
    _in_project_venv()

import httpx  # noqa: E402  (after the venv check on purpose)
import uvicorn  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SECRET = "screenshot-secret"
DESK_AGENT = "1001"  # Wang Fang, member hotline
PAUSED = {"1008": "Training", "1010": "Lunch break"}

log = logging.getLogger("screenshots")


async def prepare_database(url: str, customers: int) -> None:
    """Migrate and seed the synthetic book club."""
    from callcenter.adapters.db.migrate import upgrade
    from callcenter.seeding.loader import seed_database

    await upgrade(url)
    result = await seed_database(url, customers=customers)
    log.info("seeded %d customers", result.customers)


async def richest_known_caller(runtime: Any) -> tuple[str, str]:
    """The traces' caller whose record shows the most (orders, open complaints, alerts)."""
    from datetime import UTC, datetime

    from callcenter.seeding.known import KNOWN_CALLERS

    best: tuple[int, str, str] | None = None
    for known in KNOWN_CALLERS:
        found = await runtime.directory.lookup(raw=known.raw)
        if found.status != "matched" or found.customer_id is None:
            continue
        bundle = (
            await runtime.directory.bundle(customer_id=found.customer_id, now=datetime.now(UTC))
        ).to_json()
        score = (
            min(len(bundle["orders"]), 3)
            + 3 * len(bundle["complaints"])
            + 2 * len(bundle["alerts"])
            + min(len(bundle["contacts"]), 3)
        )
        if best is None or score > best[0]:
            best = (score, known.raw, known.name)
    if best is None:
        raise RuntimeError("no known caller matched a single customer")
    return best[1], best[2]


async def shoot(args: argparse.Namespace, workdir: Path) -> None:
    from playwright.async_api import async_playwright

    from callcenter.app import create_app
    from callcenter.commands.demo import round_the_clock_rules
    from callcenter.services.tokens import create_token
    from callcenter.settings import AmiServer, Settings
    from callcenter.sim.generator import Traffic, callers_from_db, generate, staff
    from callcenter.sim.server import SimulatedAsterisk

    url = f"sqlite+aiosqlite:///{workdir / 'screens.db'}"
    await prepare_database(url, args.customers)
    sim = SimulatedAsterisk(
        "callcenter", SECRET, answer_probability=0.85, talk_mean_s=50, seed=args.seed
    )
    staff(sim.model, 12)
    ami_port = await sim.start(port=0)
    settings = Settings(
        database_url=url,
        agi_port=0,
        ami_servers=[AmiServer(name="pbx1", port=ami_port, secret=SECRET)],  # type: ignore[arg-type]
        routing_file=round_the_clock_rules(workdir / "routing.toml"),
    )
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    )
    serving = asyncio.create_task(server.serve())
    traffic: asyncio.Task[int] | None = None
    try:
        while not server.started:
            if serving.done():
                await serving
                raise RuntimeError("the backend did not start")
            await asyncio.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        runtime = app.state.runtime
        if runtime.agi is not None:
            sim.agi = f"agi://127.0.0.1:{runtime.agi.port}/route"
        agent, _ = await create_token(uow=runtime.uow, role="agent", agent_code=DESK_AGENT)
        supervisor, _ = await create_token(uow=runtime.uow, role="supervisor")
        async with httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {supervisor}"}
        ) as client:
            for code, reason in PAUSED.items():
                reply = await client.post(f"/api/agents/{code}/pause", json={"reason": reason})
                if reply.status_code != 200:
                    log.warning("pause %s: %s %s", code, reply.status_code, reply.text)

        # Background traffic everywhere but the hotline, where the desktop's call will come in.
        busy = Traffic(rate=args.rate, talk_median_s=45)
        busy.queues = [q for q in busy.queues if q != "member-hotline"]
        traffic = asyncio.create_task(generate(sim, busy, await callers_from_db(url)))
        number, name = await richest_known_caller(runtime)
        log.info("desktop call from %s (%s); warming up %.0f s", name, number, args.warmup)

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            desk = await browser.new_page(viewport={"width": 1440, "height": 900})
            await desk.goto(f"{base}/desktop#token={agent}")
            await desk.wait_for_selector("#conn.online")
            board = await browser.new_page(viewport={"width": 1920, "height": 1080})
            await board.goto(f"{base}/wallboard#token={supervisor}")
            await board.wait_for_selector(".tile")

            await asyncio.sleep(args.warmup)
            sim.place_call(
                number, name, "8001", answer_by=DESK_AGENT, agent_answers_after=4, talk_s=600
            )
            await desk.wait_for_selector(".call-band.phase-connected", timeout=90_000)
            await desk.wait_for_selector("#record:not([hidden])")
            # A queue builds up behind the agent's call: callers nobody answers yet.
            for caller in ("+8613011112222", "+8613122223333", "+8613698765432"):
                sim.place_call(caller, None, "8001", answer_by="nobody", max_wait_s=600)
            await asyncio.sleep(3)
            args.out.mkdir(parents=True, exist_ok=True)
            for suffix, lang in (("", "zh-CN"), ("-en", "en")):
                for page in (desk, board):
                    await page.locator("header .lang-switch").select_option(lang)
                await asyncio.sleep(1.5)
                await desk.screenshot(path=str(args.out / f"desktop{suffix}.png"))
                await board.screenshot(path=str(args.out / f"wallboard{suffix}.png"))
            await browser.close()
        print(f"saved desktop(-en).png and wallboard(-en).png in {args.out}")
    finally:
        if traffic is not None:
            traffic.cancel()
            await asyncio.gather(traffic, return_exceptions=True)
        await sim.stop()
        server.should_exit = True
        await serving


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds of traffic first")
    parser.add_argument("--rate", type=float, default=0.35, help="background calls per second")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    if not Path(args.chromium).is_file():
        print(f"Chromium not found at {args.chromium} (apt-get install -y chromium)")
        return 2
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    logging.getLogger("callcenter").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="cc-screens-") as tmp:
        asyncio.run(shoot(args, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
