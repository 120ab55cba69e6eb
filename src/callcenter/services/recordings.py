"""Call recordings: indexed when a call is stored, played with access checks and an audit trail,
paused from the desktop (MixMonitorMute), purged after each group's retention."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from callcenter.domain.access.auth import MANAGERS, Principal
from callcenter.domain.calls.facts import CallEnded, Fact
from callcenter.domain.calls.records import CallRecord
from callcenter.ports.audit import AuditEntry, AuditLog
from callcenter.ports.pbx import PbxCommands
from callcenter.ports.recordings import (
    Playable,
    RecordingIndex,
    RecordingStore,
    StoredRecording,
)
from callcenter.ports.uow import UowFactory
from callcenter.services.call_access import principal_label
from callcenter.services.errors import Conflict, Forbidden, NotFound, PbxUnavailable
from callcenter.services.recording_writes import IndexWriter

log = logging.getLogger(__name__)

AUDIT_SESSION_S = 60.0  # Range requests of one listener to one call within this: one access
AUDITED_KEEP = 10_000
FOUND_TTL_S = 5.0  # a found recording is trusted this long for the same listener
GROUPS_TTL_S = 60.0  # the groups (queue -> slug) a recorded call is indexed under, read again after
LiveChannelOf = Callable[[str, str], tuple[str, str] | None]


class RecordingService:
    """The recordings of stored calls and who may hear them."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        store: RecordingStore | None,
        index: RecordingIndex,
        audit: AuditLog,
        pbxs: Mapping[str, PbxCommands] | None = None,
        live_channel_of: LiveChannelOf | None = None,
        agent_plays_own: bool = False,
        retention_days: Mapping[str, int] | None = None,
    ) -> None:
        self._uow = uow
        self._store = store
        self._index = index
        self.index_writes = IndexWriter(index)
        self._audit = audit
        self._pbxs: Mapping[str, PbxCommands] = pbxs if pbxs is not None else {}
        self._live_channel_of = live_channel_of
        self.agent_plays_own = agent_plays_own
        self.retention_days = dict(retention_days or {})
        self._pauses: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._writes: set[asyncio.Task[None]] = set()
        self._audited: dict[tuple[str, str, str], float] = {}
        self._found: dict[tuple[str, str, str], tuple[float, Playable]] = {}
        self._finding: dict[tuple[str, str, str], asyncio.Future[Playable]] = {}
        self._groups: tuple[float, dict[str, str]] = (-GROUPS_TTL_S, {})  # read at, queue -> slug

    # -- indexing ---------------------------------------------------------------------------

    def on_fact(self, fact: Fact) -> None:
        """Index the recordings of every call that ends (size, duration, hash, pauses)."""
        if not isinstance(fact, CallEnded):
            return
        pauses = self._pauses.pop((fact.pbx, fact.linkedid), [])
        if not fact.record.recordings:
            return
        task = asyncio.get_running_loop().create_task(self.index_call(fact.record, pauses))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def index_call(self, record: CallRecord, pauses: list[dict[str, Any]]) -> None:
        """Queue the call's recordings for the index, written in batches (`IndexWriter`); a
        missing file is indexed without facts."""
        try:
            group = await self._group_of(record)
            found: list[StoredRecording] = []
            for name in record.recordings:
                facts = await self._store.take(name) if self._store is not None else None
                if facts is None and self._store is not None:  # no store set: nothing to find
                    log.warning(
                        "recording %s of call %s is not in the store", name, record.linkedid
                    )
                found.append(
                    StoredRecording(
                        pbx=record.pbx,
                        linkedid=record.linkedid,
                        file=name,
                        size_bytes=facts.size_bytes if facts else None,
                        duration_s=facts.duration_s if facts else None,
                        sha256=facts.sha256 if facts else None,
                        group_slug=group,
                        stored_at=record.ended_at,
                        pauses=tuple(pauses),
                    )
                )
            self.index_writes.put(found)
        except Exception:
            log.exception("recordings of call %s not indexed", record.linkedid)

    async def aclose(self) -> None:
        """Wait for the index writes (and uploads) under way."""
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)
        await self.index_writes.flushed()

    async def close_store(self) -> None:
        """Release the store's connections (at shutdown, after `aclose`)."""
        if self._store is not None:
            await self._store.aclose()

    # -- playing ----------------------------------------------------------------------------

    async def recording(self, *, pbx: str, linkedid: str, by: Principal) -> Playable:
        """The call's recording if `by` may hear it; NotFound says why there is none.

        A player's Range requests come in bursts: the answer is kept for FOUND_TTL_S per
        listener and call (a deleted file or revoked right shows within that), and the requests
        that miss it together wait for one lookup."""
        key = (principal_label(by), pbx, linkedid)
        now = time.monotonic()
        known = self._found.get(key)
        if known is not None and now - known[0] < FOUND_TTL_S:
            return known[1]
        finding = self._finding.get(key)  # one lookup however many requests miss at once
        if finding is None:
            finding = asyncio.ensure_future(self._find(pbx, linkedid, by))
            self._finding[key] = finding
            finding.add_done_callback(lambda _: self._finding.pop(key, None))
        playable = await asyncio.shield(finding)
        if len(self._found) > AUDITED_KEEP:
            self._found.clear()
        self._found[key] = (now, playable)
        return playable

    async def _find(self, pbx: str, linkedid: str, by: Principal) -> Playable:
        await self._check_access(pbx, linkedid, by)
        indexed = await self._index.for_call(pbx, linkedid)
        names = [(r.file, r.sha256) for r in indexed]
        if not names:
            async with self._uow() as uow:
                record = await uow.calls.get(pbx, linkedid)
            names = [(name, None) for name in (record.recordings if record is not None else ())]
        if not names:
            raise NotFound(f"call {linkedid} on {pbx} has no recording")
        if self._store is None:
            raise NotFound("this center keeps no recordings (recordings_dir is not set)")
        name, sha256 = names[0]
        size = await self._store.size(name)
        if size is None:
            raise NotFound(f"the recording of call {linkedid} is missing from the store")
        etag = (sha256 or f"{pbx}-{linkedid}")[:32] + f"-{size}"
        return Playable(name=name, size_bytes=size, etag=etag)

    def read(self, playable: Playable, start: int, length: int) -> AsyncIterator[bytes]:
        """The bytes of a recording found by `recording`."""
        assert self._store is not None
        return self._store.read(playable.name, start, length)

    async def read_bytes(self, playable: Playable, start: int, length: int) -> bytes:
        """A small range at once (a player's seek); NotFound when the file went meanwhile."""
        try:
            return b"".join([chunk async for chunk in self.read(playable, start, length)])
        except FileNotFoundError as exc:
            self._found.clear()
            raise NotFound(f"the recording {playable.name} is missing from the store") from exc

    async def audit_access(self, *, pbx: str, linkedid: str, by: Principal, what: str) -> None:
        """An audit row per listening: the Range requests one player makes while seeking
        within AUDIT_SESSION_S of the last row are the same access (else a write per chunk)."""
        actor = principal_label(by)
        key = (actor, pbx, linkedid)
        now = time.monotonic()
        last = self._audited.get(key)
        if last is not None and now - last < AUDIT_SESSION_S:
            return
        self._audited[key] = now
        if len(self._audited) > AUDITED_KEEP:
            self._audited = {k: v for k, v in self._audited.items() if now - v < AUDIT_SESSION_S}
        await self._audit.add(
            AuditEntry(
                kind="recording",
                actor=actor,
                agent_code=by.agent_code,
                pbx=pbx,
                linkedid=linkedid,
                detail=what,
                started_at=datetime.now(UTC),
            )
        )

    # -- pause / resume ---------------------------------------------------------------------

    async def mute(self, *, code: str, muted: bool, by: Principal) -> str:
        """MixMonitorMute on the agent's live call; the pause is noted for the call's record."""
        async with self._uow() as uow:
            agent = await uow.agents.get_by_code(code=code)
        if agent is None:
            raise NotFound(f"no agent {code!r}")
        for name, pbx in self._pbxs.items():
            found = self._live_channel_of(name, agent.interface) if self._live_channel_of else None
            if found is None:
                continue
            if not pbx.connected:
                raise PbxUnavailable(f"not connected to Asterisk {name!r}")
            linkedid, channel = found
            await pbx.mute_recording(channel=channel, muted=muted)
            self._pauses.setdefault((name, linkedid), []).append(
                {"at": datetime.now(UTC).isoformat(), "paused": muted, "by": principal_label(by)}
            )
            return linkedid
        raise Conflict(f"agent {code} has no live call being recorded")

    # -- retention --------------------------------------------------------------------------

    async def purge(self, *, now: datetime, dry_run: bool = False) -> list[StoredRecording]:
        """Delete the recordings older than their group's retention; what was (or would be)."""
        gone: list[StoredRecording] = []
        for group, days in sorted(self.retention_days.items()):
            for rec in await self._index.stored_before(group, now - timedelta(days=days)):
                gone.append(rec)
                if dry_run:
                    log.info("would delete %s (%s, call %s)", rec.file, group, rec.linkedid)
                    continue
                if self._store is not None:
                    await self._store.delete(rec.file)
                await self._index.remove(rec)
                log.info(
                    "deleted %s (%s, call %s, kept %d days)", rec.file, group, rec.linkedid, days
                )
        return gone

    # -- internals --------------------------------------------------------------------------

    async def _check_access(self, pbx: str, linkedid: str, by: Principal) -> None:
        if by.role in MANAGERS:
            return
        if by.role != "agent" or not self.agent_plays_own:
            raise Forbidden("only supervisors may play recordings")
        async with self._uow() as uow:
            call = await uow.dispositions.find_call(linkedid=linkedid, pbx=pbx)
        if call is None:
            raise NotFound(f"no stored call {linkedid} on {pbx}")
        if by.agent_id not in call.handled_by and by.agent_id != call.agent_id:
            raise Forbidden("an agent may play only the calls they handled")

    async def _group_of(self, record: CallRecord) -> str | None:
        """The group of the call's last queue (the groups read at most once a minute: a read
        for every recorded call was 4 % of the backend's CPU at 100 calls/s)."""
        if not record.queues:
            return None
        read_at, groups = self._groups
        if time.monotonic() - read_at >= GROUPS_TTL_S or record.queues[-1] not in groups:
            async with self._uow() as uow:
                groups = {g.queue: g.slug for g in await uow.groups.list_all()}
            self._groups = (time.monotonic(), groups)
        return groups.get(record.queues[-1])
