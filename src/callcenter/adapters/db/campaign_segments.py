"""CRM segments a campaign list is built from: one query per segment, primary numbers only."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Select, and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.adapters.db.tables_customers import CustomerRow, OrderRow, PhoneRow
from callcenter.ports.campaigns import SegmentMember

SEGMENTS: tuple[str, ...] = (
    "no_order_this_quarter",  # members who have not bought this quarter's book
    "lapsing_members",  # membership year ends within 30 days
    "senior_members",  # the new catalogue for 资深会员
    "distributors_overdue",  # distributors on credit hold (overdue balance)
)


def quarter_start(today: date) -> date:
    return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)


def _anniversary_within(since: date, today: date, days: int) -> bool:
    """Whether the membership year that began on `since`'s day ends within `days` of today."""
    try:
        this_year = since.replace(year=today.year)
    except ValueError:  # 29 February
        this_year = date(today.year, 3, 1)
    end = this_year if this_year >= today else this_year.replace(year=today.year + 1)
    return (end - today).days <= days and since < today


class SqlSegments:
    """The members of a segment with their primary (or first) E.164 number."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def members(self, segment: str, *, today: date | None = None) -> list[SegmentMember]:
        today = today or datetime.now(UTC).date()
        query = _base()
        if segment == "no_order_this_quarter":
            since = datetime.combine(quarter_start(today), datetime.min.time(), UTC)
            ordered = exists().where(
                and_(OrderRow.customer_id == CustomerRow.id, OrderRow.placed_at >= since)
            )
            query = query.where(CustomerRow.roles.contains("member"), ~ordered)
        elif segment == "lapsing_members":
            query = query.where(CustomerRow.roles.contains("member"))
        elif segment == "senior_members":
            query = query.where(CustomerRow.segment == "senior")
        elif segment == "distributors_overdue":
            query = query.where(
                CustomerRow.roles.contains("distributor"), CustomerRow.credit_hold.is_(True)
            )
        else:
            raise ValueError(f"unknown segment {segment!r}")
        async with self._sessions() as session:
            rows = (await session.execute(query)).all()
        seen: set[int] = set()
        out = []
        for cid, name, dnc, since_day, number in rows:
            if cid in seen:
                continue  # the primary number sorts first
            if segment == "lapsing_members" and not _anniversary_within(since_day, today, 30):
                continue
            seen.add(cid)
            out.append(SegmentMember(cid, name, number, bool(dnc)))
        return out


def _base() -> Select[int, str, bool, date, str | None]:
    return (
        select(
            CustomerRow.id,
            CustomerRow.name,
            CustomerRow.do_not_call,
            CustomerRow.member_since,
            PhoneRow.e164,
        )
        .join(PhoneRow, PhoneRow.customer_id == CustomerRow.id)
        .where(PhoneRow.e164.is_not(None))
        .order_by(CustomerRow.id, PhoneRow.is_primary.desc(), PhoneRow.id)
    )
