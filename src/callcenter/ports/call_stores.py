"""Repositories of finished calls, their dispositions and the report reads."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from callcenter.domain.calls.records import CallRecord


class RecordSink(Protocol):
    """Where finished calls go to be stored (the bounded CallStore in production)."""

    def submit(self, record: CallRecord) -> bool:
        """Take a finished call; False when it had to be dropped (the sink was full)."""
        ...


@dataclass(frozen=True)
class CallRef:
    """A stored call as a write about it needs it: where it is and who handled it."""

    pbx: str
    linkedid: str
    agent_id: int | None
    customer_id: int | None
    handled_by: frozenset[int] = frozenset()  # agent ids of every leg that was answered


@dataclass(frozen=True)
class DispositionEntry:
    """One disposition given for a call; the newest entry of a call is the one that counts."""

    code: str
    settled: bool
    note: str | None
    agent_code: str  # whose wrap-up it is (the path's agent)
    set_by: str  # who gave it: "agent 1001", "supervisor 1101", "admin"
    at: datetime


class Calls(Protocol):
    """Finished calls; (pbx, linkedid) is unique: ask `exists` before `add`."""

    async def exists(self, pbx: str, linkedid: str) -> bool: ...
    async def stored_of(self, pbx: str, linkedids: Collection[str]) -> set[str]: ...
    async def add(self, record: CallRecord) -> int: ...
    async def get(self, pbx: str, linkedid: str) -> CallRecord | None: ...
    async def between(
        self, start: datetime, end: datetime, *, pbx: str | None = None
    ) -> list[CallRecord]: ...
    async def without_callback(
        self, *, outcomes: Collection[str], ended_since: datetime
    ) -> list[CallRecord]: ...
    async def ended_unseen(self, pbx: str, linkedids: Collection[str]) -> list[CallRecord]: ...
    async def correct(self, record: CallRecord) -> bool: ...


class Dispositions(Protocol):
    """Dispositions of stored calls, kept as history; the latest is written onto the call."""

    async def find_call(self, *, linkedid: str, pbx: str | None = None) -> CallRef | None: ...
    async def add(self, *, call: CallRef, entry: DispositionEntry) -> None: ...
    async def history(self, *, pbx: str, linkedid: str) -> list[DispositionEntry]: ...


class CallReports(Protocol):
    """Read-only queries over stored calls for reports and the wallboard."""

    async def call_records_between(self, *, start: datetime, end: datetime) -> list[CallRecord]: ...


class RecordBuffer(Protocol):
    """Finished calls on their way to the database (the CallStore)."""

    @property
    def pending(self) -> int: ...

    async def flushed(self, timeout_s: float = 10.0) -> bool: ...
