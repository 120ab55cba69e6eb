"""One AMI listener per Asterisk server across processes: a PostgreSQL advisory lock per PBX name.

The same lock, under another `purpose`, elects the one process that delivers webhooks.

The lock lives on a dedicated connection kept open; PostgreSQL releases it the moment that
connection ends (the holder died), and another process takes it within a retry interval. The
holder stops its listener as soon as it cannot prove it still holds the lock, so two listeners
never run at once. SQLite has no such lock: a single process, always the leader.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy.engine import make_url

from callcenter.background import cancel_and_wait

log = logging.getLogger(__name__)


class Startable(Protocol):
    """What a leader runs while it holds the lock (an AmiListener, the webhook deliverer)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def lock_key(pbx: str, purpose: str = "ami-listener") -> int:
    """A stable signed 64-bit advisory-lock key for a PBX name (same in every process)."""
    digest = hashlib.blake2b(f"callcenter.{purpose}:{pbx}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def asyncpg_dsn(database_url: str) -> str | None:
    """The plain PostgreSQL DSN of a SQLAlchemy URL; None for databases without advisory locks."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class AmiLeader:
    """Runs `listener` only while this process holds the PBX's advisory lock.

    `purpose`, `label` and `role` name another lock of the same kind (key and log lines):
    the webhook deliverer is `AmiLeader(pbx="all", purpose="webhook-deliverer",
    label="webhooks", role="deliverer", ...)`.
    """

    def __init__(
        self,
        *,
        pbx: str,
        listener: Startable,
        database_url: str,
        retry_s: float = 1.0,
        check_s: float = 1.0,
        timeout_s: float = 2.0,
        on_change: Callable[[str, bool], None] | None = None,
        purpose: str = "ami-listener",
        label: str | None = None,
        role: str = "listener",
    ) -> None:
        self.pbx = pbx
        self.key = lock_key(pbx, purpose)
        self._label = label or f"AMI {pbx}"
        self._role = role
        self.leading = False
        self.terms = 0  # how many times this process became the leader
        self._listener = listener
        self._dsn = asyncpg_dsn(database_url)
        self._retry_s, self._check_s, self._timeout_s = retry_s, check_s, timeout_s
        self._on_change = on_change
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start competing for the lock; returns at once."""
        self._task = asyncio.create_task(self._run(), name=f"leader-{self._label}")

    async def stop(self) -> None:
        """Stop the listener and give the lock up."""
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None
        await self._follow()

    async def _run(self) -> None:
        if self._dsn is None:
            await self._lead()  # SQLite: one process, nothing to compete with
            return
        waiting_logged = False
        while True:
            conn: Any = None
            try:
                conn, lost = await self._connect()
                while not await self._try_lock(conn):
                    if not waiting_logged:
                        log.info("%s: another process is the %s", self._label, self._role)
                        waiting_logged = True
                    await asyncio.sleep(self._retry_s)
                await self._lead()
                await self._hold(conn, lost)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("%s: leader lock: %r", self._label, exc)
            finally:
                await self._follow()
                if conn is not None:
                    conn.terminate()
            waiting_logged = False
            await asyncio.sleep(self._retry_s)

    async def _connect(self) -> tuple[Any, asyncio.Event]:
        import asyncpg  # type: ignore[import-untyped]

        conn = await asyncpg.connect(self._dsn, timeout=self._timeout_s)
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _c: lost.set())
        return conn, lost

    async def _try_lock(self, conn: Any) -> bool:
        async with asyncio.timeout(self._timeout_s):
            got = await conn.fetchval("SELECT pg_try_advisory_lock($1::bigint)", self.key)
        return bool(got)

    async def _hold(self, conn: Any, lost: asyncio.Event) -> None:
        """Return (raise) as soon as the lock connection is gone or stops answering."""
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._check_s):
                    await lost.wait()
            if not lost.is_set():
                async with asyncio.timeout(self._timeout_s):
                    held = await conn.fetchval(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                        " AND pid = pg_backend_pid() AND granted"
                        " AND ((classid::bigint << 32) | objid::bigint) = $1::bigint",
                        self.key,
                    )
                if not held:
                    raise ConnectionError("advisory lock no longer held")
        raise ConnectionError("lock connection closed")

    async def _lead(self) -> None:
        if self.leading:
            return
        self.leading = True
        self.terms += 1
        log.info("%s: this process is the %s (term %d)", self._label, self._role, self.terms)
        await self._listener.start()
        if self._on_change is not None:
            self._on_change(self.pbx, True)

    async def _follow(self) -> None:
        if not self.leading:
            return
        self.leading = False
        log.warning("%s: no longer the %s; stopping it", self._label, self._role)
        await self._listener.stop()
        if self._on_change is not None:
            self._on_change(self.pbx, False)
