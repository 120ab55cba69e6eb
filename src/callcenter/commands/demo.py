"""`callcenter demo`: the whole center on one machine (SQLite, simulated Asterisk, backend)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from pathlib import Path

HELP = "Run the embedded demo: seeded SQLite book club, simulated Asterisk, backend, pages."

log = logging.getLogger(__name__)

DEMO_SECRET = "demo-only-secret"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the demo command."""
    parser.add_argument("--dir", type=Path, default=Path(".demo"), help="where the demo DB lives")
    parser.add_argument("--customers", type=int, default=2000, help="customers to seed (first run)")
    parser.add_argument("--http-port", type=int, default=8000)
    parser.add_argument("--ami-port", type=int, default=0, help="simulated AMI port (0: any free)")
    parser.add_argument("--agi-port", type=int, default=0, help="FastAGI port (0: any free)")
    parser.add_argument("--agents", type=int, default=12, help="simulated agents logged in")
    parser.add_argument("--rate", type=float, default=0.4, help="calls per second")
    parser.add_argument("--duration", type=float, default=None, help="stop after S seconds")
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")


def run(args: argparse.Namespace) -> int:
    """Run until Ctrl-C (or --duration)."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_demo(args))
    return 0


async def _prepare(url: str, customers: int) -> None:
    """Migrate, and seed the book club when the database has no customers yet."""
    from rich.progress import Progress

    from callcenter.adapters.db.engine import make_engine, make_session_factory
    from callcenter.adapters.db.migrate import upgrade
    from callcenter.adapters.db.uow import SqlUnitOfWork
    from callcenter.seeding.loader import seed_database

    await upgrade(url)
    engine = make_engine(url)
    try:
        async with SqlUnitOfWork(make_session_factory(engine)) as uow:
            existing = await uow.customers.count()
    finally:
        await engine.dispose()
    if existing:
        print(f"using the existing demo database ({existing} customers)", flush=True)
        return
    with Progress(transient=True) as progress:
        task = progress.add_task("seeding the book club", total=customers)
        await seed_database(url, customers=customers, on_chunk=lambda n: progress.advance(task, n))


async def _tokens(runtime: object, agent_code: str) -> tuple[str, str, str]:
    from callcenter.runtime import Runtime
    from callcenter.services.tokens import create_token

    assert isinstance(runtime, Runtime)
    admin, _ = await create_token(uow=runtime.uow, role="admin", label="demo admin")
    supervisor, _ = await create_token(uow=runtime.uow, role="supervisor", label="demo wallboard")
    agent, _ = await create_token(
        uow=runtime.uow, role="agent", agent_code=agent_code, label="demo desktop"
    )
    return admin, supervisor, agent


async def _demo(args: argparse.Namespace) -> None:
    import uvicorn

    from callcenter.app import create_app
    from callcenter.settings import AmiServer, load_settings
    from callcenter.sim.generator import Traffic, callers_from_db, generate, staff
    from callcenter.sim.server import SimulatedAsterisk

    args.dir.mkdir(parents=True, exist_ok=True)
    db_file = args.dir / "demo.db"
    if args.fresh and db_file.exists():
        db_file.unlink()
    url = f"sqlite+aiosqlite:///{db_file}"
    await _prepare(url, args.customers)

    sim = SimulatedAsterisk("callcenter", DEMO_SECRET, answer_probability=0.85, talk_mean_s=40)
    staff(sim.model, args.agents)
    ami_port = await sim.start(port=args.ami_port)
    settings = load_settings(
        database_url=url,
        http_port=args.http_port,
        agi_port=args.agi_port,
        ami_servers=[AmiServer(name="demo", port=ami_port, secret=DEMO_SECRET)],  # type: ignore[arg-type]
    )
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.http_host,
            port=settings.http_port,
            log_level="warning",
            access_log=False,
        )
    )
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            await serving
            raise SystemExit(f"the backend could not start on port {settings.http_port}")
        await asyncio.sleep(0.05)
    runtime = app.state.runtime
    if runtime.agi is not None:
        sim.agi = f"agi://127.0.0.1:{runtime.agi.port}/route"  # the dialplan asks our router
    admin, supervisor, agent = await _tokens(runtime, "1001")
    base = f"http://{settings.http_host}:{settings.http_port}"
    print(
        "\ncallcenter demo is running (Ctrl-C stops it)\n"
        f"  agent desktop (Wang Fang, 1001): {base}/desktop#token={agent}\n"
        f"  supervisor wallboard:            {base}/wallboard#token={supervisor}\n"
        f"  API docs:                        {base}/docs   (admin token: {admin})\n",
        flush=True,
    )
    callers = await callers_from_db(url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    traffic = asyncio.create_task(generate(sim, Traffic(rate=args.rate), callers))
    try:
        if args.duration is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), args.duration)
        else:
            await stop.wait()
    finally:
        print("stopping…", flush=True)
        traffic.cancel()
        await asyncio.gather(traffic, return_exceptions=True)
        await sim.stop()
        server.should_exit = True
        await serving
