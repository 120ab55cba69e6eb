"""An in-memory database behind the UnitOfWork port: writes become visible on commit only."""

from __future__ import annotations

import copy
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Self

from callcenter.domain.agents.records import Agent
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.customers.records import Customer, CustomerSummary, NumberOwner, Phone
from callcenter.domain.routing.groups import Group
from callcenter.ports.call_stores import CallRef, DispositionEntry
from callcenter.services.errors import DuplicateKey


@dataclass
class Tables:
    """The rows of the fake database."""

    agents: dict[str, Agent] = field(default_factory=dict)  # by code
    groups: dict[str, Group] = field(default_factory=dict)  # by slug
    customers: dict[int, Customer] = field(default_factory=dict)
    phones: list[Phone] = field(default_factory=list)
    calls: dict[tuple[str, str], CallRecord] = field(default_factory=dict)
    dispositions: list[tuple[str, str, DispositionEntry]] = field(default_factory=list)


@dataclass
class FakeDatabase:
    """What every FakeUnitOfWork over it sees once committed."""

    tables: Tables = field(default_factory=Tables)
    commits: int = 0

    def uow(self) -> FakeUnitOfWork:
        """A new unit of work (the UowFactory)."""
        return FakeUnitOfWork(self)


class _Repo:
    def __init__(self, tables: Tables) -> None:
        self.t = tables


class FakeAgents(_Repo):
    async def get(self, *, agent_id: int) -> Agent | None:
        return next((a for a in self.t.agents.values() if a.id == agent_id), None)

    async def get_by_code(self, *, code: str) -> Agent | None:
        return self.t.agents.get(code)

    async def list_all(self, *, active_only: bool = False) -> list[Agent]:
        return [a for a in self.t.agents.values() if a.active or not active_only]


class FakeGroups(_Repo):
    async def list_all(self) -> list[Group]:
        return list(self.t.groups.values())

    async def get(self, *, slug: str) -> Group | None:
        return self.t.groups.get(slug)


class FakeCustomers(_Repo):
    async def get(self, *, customer_id: int) -> Customer | None:
        return self.t.customers.get(customer_id)


class FakePhones(_Repo):
    async def for_customer(self, *, customer_id: int) -> list[Phone]:
        return [p for p in self.t.phones if p.customer_id == customer_id]

    async def customers_by_e164(self, *, e164: str) -> list[NumberOwner]:
        owners = []
        for phone in self.t.phones:
            customer = self.t.customers.get(phone.customer_id)
            if phone.e164 == e164 and customer is not None:
                summary = CustomerSummary(
                    customer.id,
                    customer.member_number,
                    customer.name,
                    customer.segment,
                    customer.roles,
                    customer.city,
                )
                owners.append(NumberOwner(summary, phone.is_primary, None))
        return owners


class FakeCalls(_Repo):
    async def exists(self, pbx: str, linkedid: str) -> bool:
        return (pbx, linkedid) in self.t.calls

    async def stored_of(self, pbx: str, linkedids: Collection[str]) -> set[str]:
        return {i for i in linkedids if (pbx, i) in self.t.calls}

    async def add(self, record: CallRecord) -> int:
        if (record.pbx, record.linkedid) in self.t.calls:
            raise DuplicateKey(f"call {record.linkedid} is already taken")
        self.t.calls[(record.pbx, record.linkedid)] = replace(record, id=len(self.t.calls) + 1)
        return len(self.t.calls)

    async def get(self, pbx: str, linkedid: str) -> CallRecord | None:
        return self.t.calls.get((pbx, linkedid))

    async def between(
        self, start: datetime, end: datetime, *, pbx: str | None = None
    ) -> list[CallRecord]:
        found = [
            r for r in self.t.calls.values() if start <= r.started_at < end and pbx in (None, r.pbx)
        ]
        return sorted(found, key=lambda r: r.started_at)

    async def ended_unseen(self, pbx: str, linkedids: Collection[str]) -> list[CallRecord]:
        found = (self.t.calls.get((pbx, i)) for i in linkedids)
        return [r for r in found if r is not None and r.ended_during_outage]

    async def correct(self, record: CallRecord) -> bool:
        stored = self.t.calls.get((record.pbx, record.linkedid))
        if stored is None or not stored.ended_during_outage:
            return False
        self.t.calls[(record.pbx, record.linkedid)] = record
        return True


class FakeDispositions(_Repo):
    async def find_call(self, *, linkedid: str, pbx: str | None = None) -> CallRef | None:
        found = [r for (p, lid), r in self.t.calls.items() if lid == linkedid and pbx in (None, p)]
        if not found:
            return None
        r = max(found, key=lambda c: c.ended_at)
        handled = frozenset({r.agent_id}) if r.agent_id is not None else frozenset[int]()
        return CallRef(r.pbx, r.linkedid, r.agent_id, r.customer_id, handled)

    async def add(self, *, call: CallRef, entry: DispositionEntry) -> None:
        self.t.dispositions.append((call.pbx, call.linkedid, entry))
        key = (call.pbx, call.linkedid)
        self.t.calls[key] = replace(
            self.t.calls[key], disposition_code=entry.code, settled_first_contact=entry.settled
        )

    async def history(self, *, pbx: str, linkedid: str) -> list[DispositionEntry]:
        return [e for p, lid, e in self.t.dispositions if (p, lid) == (pbx, linkedid)]


class FakeReports(_Repo):
    async def call_records_between(self, *, start: datetime, end: datetime) -> list[CallRecord]:
        calls = [c for c in self.t.calls.values() if start <= c.started_at < end]
        return sorted(calls, key=lambda c: (c.started_at, c.id or 0))


class FakeUnitOfWork:
    """Works on a copy of the tables; commit makes the copy the database's."""

    def __init__(self, db: FakeDatabase) -> None:
        self._db = db
        self._work: Tables | None = None

    async def __aenter__(self) -> Self:
        if self._work is not None:
            raise RuntimeError("unit of work is already open; use one per task")
        self._bind(copy.deepcopy(self._db.tables))
        return self

    def _bind(self, work: Tables) -> None:
        self._work = work
        self.agents = FakeAgents(work)
        self.groups = FakeGroups(work)
        self.customers = FakeCustomers(work)
        self.phones = FakePhones(work)
        self.calls = FakeCalls(work)
        self.dispositions = FakeDispositions(work)
        self.reports = FakeReports(work)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._work = None

    async def commit(self) -> None:
        assert self._work is not None, "commit outside 'async with'"
        self._db.tables = copy.deepcopy(self._work)
        self._db.commits += 1

    async def rollback(self) -> None:
        assert self._work is not None, "rollback outside 'async with'"
        self._bind(copy.deepcopy(self._db.tables))
