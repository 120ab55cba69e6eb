"""The SQL unit of work (the UnitOfWork port): one session, its repositories, commit, rollback."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.adapters.db.integrity import unique
from callcenter.adapters.db.repo_contacts import CallRepository, ContactRepository
from callcenter.adapters.db.repo_customers import CustomerRepository, PhoneRepository
from callcenter.adapters.db.repo_dispositions import DispositionRepository
from callcenter.adapters.db.repo_sales import ComplaintRepository, OrderRepository
from callcenter.adapters.db.repo_staff import AgentRepository, GroupRepository, TokenRepository
from callcenter.adapters.db.repo_work_items import WorkItemRepository
from callcenter.adapters.db.reports import SqlCallReports
from callcenter.adapters.db.work_reports import SqlWorkReports

log = logging.getLogger(__name__)


class SqlUnitOfWork:
    """`async with uow: ...; await uow.commit()`; leaving without commit rolls back.

    One instance serves one task at a time; entering it again opens a fresh session.
    """

    customers: CustomerRepository
    phones: PhoneRepository
    orders: OrderRepository
    complaints: ComplaintRepository
    contacts: ContactRepository
    agents: AgentRepository
    groups: GroupRepository
    tokens: TokenRepository
    calls: CallRepository
    work_items: WorkItemRepository
    dispositions: DispositionRepository
    reports: SqlCallReports
    work_reports: SqlWorkReports

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = session_factory
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        """The open session (only inside `async with`)."""
        if self._session is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("unit of work is already open; use one per task")
        session = self._factory()
        self._session = session
        self.customers = CustomerRepository(session)
        self.phones = PhoneRepository(session)
        self.orders = OrderRepository(session)
        self.complaints = ComplaintRepository(session)
        self.contacts = ContactRepository(session)
        self.agents = AgentRepository(session)
        self.groups = GroupRepository(session)
        self.tokens = TokenRepository(session)
        self.calls = CallRepository(session)
        self.work_items = WorkItemRepository(session)
        self.dispositions = DispositionRepository(session)
        self.reports = SqlCallReports(session)
        self.work_reports = SqlWorkReports(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        try:
            await session.rollback()  # a no-op after commit; undoes anything uncommitted
        finally:
            await session.close()

    async def commit(self) -> None:
        """Make everything done in this unit of work permanent (DuplicateKey if a key clashes)."""
        with unique("a unique key"):
            await self.session.commit()

    async def rollback(self) -> None:
        """Undo everything not yet committed."""
        await self.session.rollback()
