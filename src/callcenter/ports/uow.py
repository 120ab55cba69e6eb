"""The unit of work: one transaction and the repositories over it. No session, no SQL."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from callcenter.ports.call_stores import CallReports, Calls, Dispositions
from callcenter.ports.customer_stores import Complaints, Contacts, Customers, Orders, Phones
from callcenter.ports.staff_stores import Agents, Groups, Tokens
from callcenter.ports.work_items import WorkItems, WorkReports


class UnitOfWork(Protocol):
    """`async with uow: ...; await uow.commit()`; leaving without commit undoes everything.

    Repositories are usable only inside `async with`.
    """

    @property
    def customers(self) -> Customers: ...
    @property
    def phones(self) -> Phones: ...
    @property
    def orders(self) -> Orders: ...
    @property
    def complaints(self) -> Complaints: ...
    @property
    def contacts(self) -> Contacts: ...
    @property
    def agents(self) -> Agents: ...
    @property
    def groups(self) -> Groups: ...
    @property
    def tokens(self) -> Tokens: ...
    @property
    def calls(self) -> Calls: ...
    @property
    def work_items(self) -> WorkItems: ...
    @property
    def dispositions(self) -> Dispositions: ...
    @property
    def reports(self) -> CallReports: ...
    @property
    def work_reports(self) -> WorkReports: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


UowFactory = Callable[[], UnitOfWork]
