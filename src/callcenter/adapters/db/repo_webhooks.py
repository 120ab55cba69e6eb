"""The webhook outbox over SQL (the WebhookOutbox port): each method is one short transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from callcenter.adapters.db.tables_webhooks import WebhookDeliveryRow, WebhookSubscriptionRow
from callcenter.ports.webhooks import Delivery, NewDelivery, Subscription


class SqlWebhookOutbox:
    """Subscriptions and deliveries; deliveries of one subscription go out in id order."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def add_subscription(
        self,
        *,
        url: str,
        events: Sequence[str],
        secret: str,
        group: str | None,
        direction: str | None,
    ) -> Subscription:
        row = WebhookSubscriptionRow(
            url=url,
            events=list(events),
            secret=secret,
            filter_group=group,
            filter_direction=direction,
            created_at=datetime.now(UTC),
        )
        async with self._sessions() as session:
            session.add(row)
            await session.commit()
            return _subscription(row)

    async def subscriptions(self) -> list[Subscription]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(WebhookSubscriptionRow).order_by(WebhookSubscriptionRow.id)
            )
            return [_subscription(r) for r in rows]

    async def remove_subscription(self, subscription_id: int) -> bool:
        async with self._sessions() as session:
            # Deliveries first: SQLite enforces no foreign keys unless asked to.
            await session.execute(
                delete(WebhookDeliveryRow).where(
                    WebhookDeliveryRow.subscription_id == subscription_id
                )
            )
            result = await session.execute(
                delete(WebhookSubscriptionRow).where(WebhookSubscriptionRow.id == subscription_id)
            )
            await session.commit()
            return bool(getattr(result, "rowcount", 0))

    async def enqueue(self, deliveries: Sequence[NewDelivery]) -> None:
        if not deliveries:
            return
        now = datetime.now(UTC)
        rows = [
            {
                "subscription_id": d.subscription_id,
                "delivery_id": d.delivery_id,
                "event": d.event,
                "body": d.body,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for d in deliveries
        ]
        async with self._sessions() as session:
            await session.execute(insert(WebhookDeliveryRow), rows)
            await session.commit()

    async def pending(self, subscription_id: int, limit: int) -> list[Delivery]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(WebhookDeliveryRow)
                .where(
                    WebhookDeliveryRow.subscription_id == subscription_id,
                    WebhookDeliveryRow.status == "pending",
                )
                .order_by(WebhookDeliveryRow.id)
                .limit(limit)
            )
            return [_delivery(r) for r in rows]

    async def pending_counts(self) -> dict[int, int]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(WebhookDeliveryRow.subscription_id, func.count())
                .where(WebhookDeliveryRow.status == "pending")
                .group_by(WebhookDeliveryRow.subscription_id)
            )
            return {int(sub): int(n) for sub, n in rows.all()}

    async def mark_delivered(self, deliveries: Sequence[int], at: datetime) -> None:
        if not deliveries:
            return
        await self._update(
            deliveries,
            status="delivered",
            attempts=WebhookDeliveryRow.attempts + 1,
            last_error=None,
            finished_at=at,
        )

    async def mark_failed(
        self, delivery: int, *, error: str, retry_at: datetime | None, at: datetime
    ) -> None:
        if retry_at is None:
            await self._update(
                delivery,
                status="dead",
                attempts=WebhookDeliveryRow.attempts + 1,
                last_error=error[:2000],
                finished_at=at,
            )
        else:
            await self._update(
                delivery,
                attempts=WebhookDeliveryRow.attempts + 1,
                last_error=error[:2000],
                next_attempt_at=retry_at,
            )

    async def dead_letters(self, subscription_id: int | None, limit: int) -> list[Delivery]:
        stmt = select(WebhookDeliveryRow).where(WebhookDeliveryRow.status == "dead")
        if subscription_id is not None:
            stmt = stmt.where(WebhookDeliveryRow.subscription_id == subscription_id)
        async with self._sessions() as session:
            rows = await session.scalars(stmt.order_by(WebhookDeliveryRow.id).limit(limit))
            return [_delivery(r) for r in rows]

    async def replay(self, delivery_ids: Sequence[int], at: datetime) -> int:
        if not delivery_ids:
            return 0
        async with self._sessions() as session:
            result = await session.execute(
                update(WebhookDeliveryRow)
                .where(
                    WebhookDeliveryRow.id.in_(list(delivery_ids)),
                    WebhookDeliveryRow.status == "dead",
                )
                .values(status="pending", attempts=0, next_attempt_at=at, finished_at=None)
            )
            await session.commit()
            return int(getattr(result, "rowcount", 0))

    async def _update(self, deliveries: int | Sequence[int], **values: object) -> None:
        ids = [deliveries] if isinstance(deliveries, int) else list(deliveries)
        async with self._sessions() as session:
            await session.execute(
                update(WebhookDeliveryRow).where(WebhookDeliveryRow.id.in_(ids)).values(**values)
            )
            await session.commit()


def _subscription(row: WebhookSubscriptionRow) -> Subscription:
    return Subscription(
        id=row.id,
        url=row.url,
        events=tuple(row.events),
        secret=row.secret,
        group=row.filter_group,
        direction=row.filter_direction,
        created_at=row.created_at,
    )


def _delivery(row: WebhookDeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        subscription_id=row.subscription_id,
        delivery_id=row.delivery_id,
        event=row.event,
        body=row.body,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )
