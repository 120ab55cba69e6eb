"""Call dispositions: authorised against the call, kept as history, held until the call lands."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from callcenter.domain.access.auth import Principal
from callcenter.ports.call_stores import CallRef, DispositionEntry, RecordBuffer
from callcenter.ports.uow import UowFactory
from callcenter.services.call_access import check_call_write, principal_label
from callcenter.services.errors import Conflict, Forbidden, InvalidField, NotFound

log = logging.getLogger(__name__)

PENDING_LIMIT = 10_000
RETRY_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


@dataclass(frozen=True)
class Disposition:
    """What an agent (or a supervisor for them) said about a call."""

    linkedid: str
    code: str
    settled: bool
    note: str | None
    agent_code: str
    by: Principal


@dataclass(frozen=True)
class DispositionResult:
    """`stored` when written now, `pending` when it waits for the call record to land."""

    status: str
    linkedid: str
    pbx: str | None


class DispositionBook:
    """Applies dispositions to stored calls; holds those whose call is live or still buffered.

    Each disposition is a new history entry; the newest one is what the call shows.
    """

    def __init__(
        self,
        *,
        uow: UowFactory,
        codes: Collection[str],
        records: RecordBuffer | None = None,
        is_live: Callable[[str], bool] = lambda linkedid: False,
        on_applied: Callable[[Disposition, str], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._uow = uow
        self._on_applied = on_applied
        self.codes = list(codes)
        self._records = records
        self._is_live = is_live
        self._clock = clock
        self._pending: dict[str, list[Disposition]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.refused = 0  # held dispositions refused once their call landed (not its agent)

    def check(self, *, code: str, linkedid: str) -> None:
        """422 material: an unknown code or an empty Linkedid."""
        if code not in self.codes:
            raise InvalidField(("code",), f"unknown disposition code {code!r}")
        if not linkedid.strip():
            raise InvalidField(("linkedid",), "linkedid must not be empty")

    async def record(self, item: Disposition) -> DispositionResult:
        """Write it now when the call is stored, else hold it; an unknown call is NotFound.

        Forbidden (nothing stored) when the author neither handled the call nor supervises.
        """
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

    async def history(self, *, linkedid: str) -> list[DispositionEntry]:
        """Every disposition given for a stored call, oldest first; NotFound for an unknown call."""
        async with self._uow() as uow:
            call = await uow.dispositions.find_call(linkedid=linkedid)
            if call is None:
                raise NotFound(f"no call {linkedid!r}")
            return await uow.dispositions.history(pbx=call.pbx, linkedid=call.linkedid)

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
            call = await uow.dispositions.find_call(linkedid=item.linkedid)
            if call is None:
                return None
            check_call_write(item.by, call)
            entry = DispositionEntry(
                code=item.code,
                settled=item.settled,
                note=item.note,
                agent_code=item.agent_code,
                set_by=principal_label(item.by),
                at=self._clock(),
            )
            await uow.dispositions.add(call=call, entry=entry)
            await uow.commit()
        if self._on_applied is not None:
            self._on_applied(item, call.pbx)  # e.g. the wallboard's first-contact resolution
        return call

    def _hold(self, item: Disposition) -> None:
        if item.linkedid not in self._pending and len(self._pending) >= PENDING_LIMIT:
            raise Conflict("too many dispositions waiting for their calls; try again later")
        self._pending.setdefault(item.linkedid, []).append(item)  # applied in order: history
        if not self._is_live(item.linkedid):
            self._spawn(self._apply_later(item.linkedid))

    async def _apply_later(self, linkedid: str) -> None:
        for delay in RETRY_S:
            if self._records is not None:
                await self._records.flushed(delay)
            if await self._apply_held(linkedid):
                return
            await asyncio.sleep(delay)
        log.error("call %s never reached the database; its disposition stays held", linkedid)

    async def _apply_held(self, linkedid: str) -> bool:
        """Apply the held dispositions of a call in order; True when nothing is left held."""
        items = self._pending.get(linkedid)
        while items:
            try:
                if await self._apply(items[0]) is None:
                    return False
            except Forbidden as exc:
                self.refused += 1
                log.warning("held disposition of %s refused: %s", linkedid, exc)
            except Exception as exc:  # the database may be away: keep it and retry
                log.warning("applying the disposition of %s failed: %r", linkedid, exc)
                return False
            items.pop(0)
            log.info("held disposition of %s applied", linkedid)
        self._pending.pop(linkedid, None)
        return True

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
