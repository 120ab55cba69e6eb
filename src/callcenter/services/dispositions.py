"""Call dispositions: written onto the stored call, or held until the call record lands."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from callcenter.adapters.db.repo_dispositions import CallRef, DispositionRepository
from callcenter.services.customers import Conflict, InvalidField, NotFound
from callcenter.services.ports import UowFactory

log = logging.getLogger(__name__)

PENDING_LIMIT = 10_000
RETRY_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


class RecordBuffer(Protocol):
    """Finished calls on their way to the database (the CallStore)."""

    @property
    def pending(self) -> int: ...

    async def flushed(self, timeout_s: float = 10.0) -> bool: ...


@dataclass(frozen=True)
class Disposition:
    """What the agent said about a call."""

    linkedid: str
    code: str
    settled: bool
    note: str | None
    agent_code: str


@dataclass(frozen=True)
class DispositionResult:
    """`stored` when written now, `pending` when it waits for the call record to land."""

    status: str
    linkedid: str
    pbx: str | None


class DispositionBook:
    """Applies dispositions to stored calls; holds those whose call is live or still buffered."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        codes: Collection[str],
        records: RecordBuffer | None = None,
        is_live: Callable[[str], bool] = lambda linkedid: False,
        on_applied: Callable[[Disposition, str], None] | None = None,
    ) -> None:
        self._uow = uow
        self._on_applied = on_applied
        self.codes = list(codes)
        self._records = records
        self._is_live = is_live
        self._pending: dict[str, Disposition] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def check(self, *, code: str, linkedid: str) -> None:
        """422 material: an unknown code or an empty Linkedid."""
        if code not in self.codes:
            raise InvalidField(("code",), f"unknown disposition code {code!r}")
        if not linkedid.strip():
            raise InvalidField(("linkedid",), "linkedid must not be empty")

    async def record(self, item: Disposition) -> DispositionResult:
        """Write it now when the call is stored, else hold it; an unknown call is NotFound."""
        self.check(code=item.code, linkedid=item.linkedid)
        call = await self._apply(item)
        if call is None and self._buffered() and not self._is_live(item.linkedid):
            assert self._records is not None
            await self._records.flushed(2.0)  # the record may be one write away
            call = await self._apply(item)
        if call is not None:
            return DispositionResult("stored", item.linkedid, call.pbx)
        if self._is_live(item.linkedid) or self._buffered():
            self._hold(item)
            return DispositionResult("pending", item.linkedid, None)
        raise NotFound(f"no call {item.linkedid!r}")

    def pending(self) -> list[str]:
        """Linkedids whose disposition waits for the call record."""
        return list(self._pending)

    def call_ended(self, linkedid: str) -> None:
        """A call ended: its record is on its way, so apply what is held for it."""
        if linkedid in self._pending:
            self._spawn(self._apply_later(linkedid))

    async def aclose(self) -> None:
        """Stop waiting; what is still held is logged, never silently dropped."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._pending:
            log.error("dispositions never applied (no call record): %s", sorted(self._pending))

    def _buffered(self) -> bool:
        return self._records is not None and self._records.pending > 0

    async def _apply(self, item: Disposition) -> CallRef | None:
        async with self._uow() as uow:
            repo = DispositionRepository(uow.session)
            call = await repo.find_call(linkedid=item.linkedid)
            if call is None:
                return None
            await repo.apply(call=call, code=item.code, settled=item.settled, note=item.note)
            await uow.commit()
        if self._on_applied is not None:
            self._on_applied(item, call.pbx)  # e.g. the wallboard's first-contact resolution
        return call

    def _hold(self, item: Disposition) -> None:
        if item.linkedid not in self._pending and len(self._pending) >= PENDING_LIMIT:
            raise Conflict("too many dispositions waiting for their calls; try again later")
        self._pending[item.linkedid] = item  # a second one for the same call replaces the first
        if not self._is_live(item.linkedid):
            self._spawn(self._apply_later(item.linkedid))

    async def _apply_later(self, linkedid: str) -> None:
        for delay in RETRY_S:
            if self._records is not None:
                await self._records.flushed(delay)
            item = self._pending.get(linkedid)
            if item is None:
                return
            try:
                if await self._apply(item) is not None:
                    self._pending.pop(linkedid, None)
                    log.info("held disposition of %s applied", linkedid)
                    return
            except Exception as exc:  # the database may be away: keep it and retry
                log.warning("applying the disposition of %s failed: %r", linkedid, exc)
            await asyncio.sleep(delay)
        log.error("call %s never reached the database; its disposition stays held", linkedid)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
