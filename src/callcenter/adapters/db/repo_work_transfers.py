"""Work items sent to another group over SQL (the WorkTransferStore port): one transaction that
checks the item is still as the caller saw it, moves it, withdraws its offer and logs the move."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.adapters.db.repo_work_items import WorkItemRepository
from callcenter.adapters.db.tables import AgentRow
from callcenter.adapters.db.tables_work import WorkItemRow
from callcenter.adapters.db.tables_work_offers import WorkOfferRow
from callcenter.domain.work_items import WorkEvent
from callcenter.ports.work_transfers import Transfer


class SqlWorkTransfers:
    """The WorkTransferStore port on the work_items, work_offers and work_item_events tables."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def transfer(self, move: Transfer) -> bool:
        async with self._sessions() as session:
            item = await session.scalar(
                select(WorkItemRow).where(WorkItemRow.id == move.item_id).with_for_update()
            )
            if item is None:
                return False
            offer = await session.get(WorkOfferRow, move.item_id)
            holder = await _holder(session, item, offer)
            seen = (item.status, item.group_slug, holder)
            if seen != (move.expected_status, move.expected_group, move.expected_holder):
                return False
            item.status, item.group_slug, item.due_at = "new", move.group, move.due_at
            item.owner_agent_id = None
            item.preferred_agent = None  # the old group's sticky agent
            item.updated_at = move.at
            if offer is None:
                offer = WorkOfferRow(item_id=move.item_id, declined=[], attempts=0)
                session.add(offer)
            offer.agent, offer.expires_at, offer.updated_at = None, None, move.at
            offer.declined = [holder] if holder is not None else []  # the new group starts afresh
            await WorkItemRepository(session).add_event(
                item_id=move.item_id,
                event=WorkEvent(
                    kind="transfer",
                    actor=move.actor,
                    at=move.at,
                    from_status=move.expected_status,
                    to_status="new",
                    note=move.note,
                    from_group=move.expected_group,
                    to_group=move.group,
                ),
            )
            await session.commit()
            return True


async def _holder(
    session: AsyncSession, item: WorkItemRow, offer: WorkOfferRow | None
) -> str | None:
    """The agent the item is offered to, else the agent who owns it (as the offers read it)."""
    if item.status == "offered":
        return offer.agent if offer is not None else None
    if item.owner_agent_id is None:
        return None
    code = await session.scalar(select(AgentRow.code).where(AgentRow.id == item.owner_agent_id))
    return str(code) if code is not None else None
