"""Finished calls into the database: a bounded buffer that rides out an outage; stored once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

from callcenter.domain.calls.records import CallRecord
from callcenter.ports.uow import UowFactory

log = logging.getLogger(__name__)


class CallStore:
    """Queues call records and writes them in order, what is queued in one transaction (up to
    `batch_max`); retries while the database is away."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        capacity: int = 10_000,
        batch_max: int = 200,
        retry_min_s: float = 0.2,
        retry_max_s: float = 5.0,
        agent_ids: Callable[[str | None, str | None], int | None] | None = None,
    ) -> None:
        self._uow = uow
        self._queue: asyncio.Queue[CallRecord] = asyncio.Queue(maxsize=capacity)
        self._batch_max = batch_max  # records written per transaction, at most
        self._cut_off: list[CallRecord] = []  # the batch in flight when the writer was stopped
        self._retry_min = retry_min_s
        self._retry_max = retry_max_s
        self._agent_ids = agent_ids
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self.stored = 0
        self.duplicates = 0
        self.lost = 0
        self.failures = 0
        self.submitted = 0  # records accepted, in order (the live-call journal waits on these)

    @property
    def completed(self) -> int:
        """Records written or found stored already; in order, so the first `completed` of the
        `submitted` ones are safely in the database."""
        return self.stored + self.duplicates

    @property
    def pending(self) -> int:
        """Records waiting to be written (with the batch a stop cut off in flight)."""
        return self._queue.qsize() + len(self._cut_off)

    def start(self) -> None:
        """Start the writer task."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="call-store")

    def submit(self, record: CallRecord) -> bool:
        """Queue a record; False (counted and logged, never silent) when the buffer is full."""
        try:
            self._queue.put_nowait(record)
        except asyncio.QueueFull:
            self.lost += 1
            log.error(
                "call buffer full (%d): call %s/%s NOT stored (%d lost so far)",
                self._queue.maxsize,
                record.pbx,
                record.linkedid,
                self.lost,
            )
            return False
        self.submitted += 1
        self._idle.clear()
        return True

    async def flushed(self, timeout_s: float = 10.0) -> bool:
        """Wait until every queued record is written; False on timeout."""
        try:
            async with asyncio.timeout(timeout_s):
                await self._idle.wait()
        except TimeoutError:
            return False
        return True

    async def aclose(self, *, drain_s: float = 2.0) -> None:
        """Write what can be written within `drain_s`, then stop."""
        if self._task is None:
            return
        if not self._idle.is_set():  # queued, or a batch in flight
            await self.flushed(drain_s)
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
        if self.pending:
            log.error("stopping with %d call records unwritten", self.pending)

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._batch_max and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            delay = self._retry_min
            while True:
                try:
                    await self._write(batch)
                    break
                except asyncio.CancelledError:
                    self._cut_off = batch
                    raise
                except Exception as exc:
                    self.failures += 1
                    log.warning(
                        "storing %d call(s) from %s failed (%r); retry in %.1fs, %d waiting",
                        len(batch),
                        batch[0].linkedid,
                        exc,
                        delay,
                        self._queue.qsize(),
                    )
                    await asyncio.sleep(delay)
                    delay = min(self._retry_max, delay * 2)
            if self._queue.empty():
                self._idle.set()

    async def _write(self, batch: list[CallRecord]) -> None:
        if self._agent_ids is not None:
            batch = [
                r if r.agent_id is not None else replace(r, agent_id=self._agent_ids(r.agent, None))
                for r in batch
            ]
        fresh = await store_calls(uow=self._uow, records=batch)
        self.stored += fresh
        self.duplicates += len(batch) - fresh


async def store_call(*, uow: UowFactory, record: CallRecord) -> bool:
    """Store a finished call and its contact row once; False when it was already stored."""
    return await store_calls(uow=uow, records=[record]) == 1


async def store_calls(*, uow: UowFactory, records: Sequence[CallRecord]) -> int:
    """Store finished calls and their contact rows in one transaction, each (pbx, linkedid)
    once: those stored already (or twice in `records`) are skipped. Returns how many were new."""
    async with uow() as work:
        stored: set[tuple[str, str]] = set()
        for pbx in {r.pbx for r in records}:
            ids = [r.linkedid for r in records if r.pbx == pbx]
            stored.update((pbx, i) for i in await work.calls.stored_of(pbx, ids))
        fresh = 0
        for record in records:
            if (record.pbx, record.linkedid) in stored:
                continue
            stored.add((record.pbx, record.linkedid))
            fresh += 1
            await work.calls.add(record)
            if record.customer_id is not None:
                await work.contacts.add(
                    channel="call",
                    direction=record.direction,
                    started_at=record.started_at,
                    ended_at=record.ended_at,
                    customer_id=record.customer_id,
                    group_slug=record.queues[-1] if record.queues else None,
                    agent_id=record.agent_id,
                    outcome=record.outcome,
                    call_linkedid=record.linkedid,
                    pbx=record.pbx,
                )
        await work.commit()
    return fresh
