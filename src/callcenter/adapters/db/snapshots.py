"""The router's snapshot of a caller in one round trip: no ORM session on the routing hot path."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.customer_rows import roles_from_db
from callcenter.domain.complaints.records import OPEN_COMPLAINT_STATUSES
from callcenter.domain.customers.records import Segment
from callcenter.domain.routing.inputs import CustomerSnapshot, OpenComplaint, ServedBy

RECENT_AGENTS = 5
# Lookups running at once; the rest wait their turn (and give up at the router's deadline).
# Below the pool's size: a burst of hook requests used to check out every pooled connection and
# open the overflow ones (an asyncpg connect, with its SSL attempt, costs more CPU than the
# lookups themselves: 15% of the process's time in a burst of 400), then close them again.
MAX_LOOKUPS = 8

# Owners of the number, their open complaints and the agents who served them, as one UNION:
# kind 'c' = customer, 'o' = open complaint, 'a' = an agent's last contact with the customer.
_SNAPSHOT = text(
    """
    WITH owner AS (SELECT DISTINCT customer_id AS id FROM phone_numbers WHERE e164 = :e164)
    SELECT 'c' AS kind, c.id AS customer_id, c.segment AS a, c.name AS b, c.roles AS c,
           CASE WHEN c.credit_hold THEN 1 ELSE 0 END AS n, NULL AS at
      FROM customers c JOIN owner ON owner.id = c.id
    UNION ALL
    SELECT 'o', cp.customer_id, cp.owner_group, ag.code, NULL, cp.id, cp.created_at
      FROM complaints cp JOIN owner ON owner.id = cp.customer_id
      LEFT JOIN agents ag ON ag.id = cp.owner_agent_id
     WHERE cp.status IN :open
    UNION ALL
    SELECT 'a', ct.customer_id, ag.code, NULL, NULL, NULL, MAX(ct.started_at)
      FROM contacts ct JOIN owner ON owner.id = ct.customer_id
      JOIN agents ag ON ag.id = ct.agent_id
     GROUP BY ct.customer_id, ag.code
    """
).bindparams(bindparam("open", expanding=True))


def _when(value: Any) -> datetime:
    """Timestamps as each driver returns them from a raw query (SQLite: ISO text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SqlSnapshots:
    """SnapshotSource over the database; a shared or unknown number gives no snapshot."""

    def __init__(self, engine: AsyncEngine, max_lookups: int = MAX_LOOKUPS) -> None:
        self._engine = engine
        self._lanes = asyncio.Semaphore(max_lookups)

    async def snapshot_for(self, e164: str) -> CustomerSnapshot | None:
        """The routing snapshot of the one customer holding this number, else None."""
        async with self._lanes, self._engine.connect() as conn:
            result = await conn.execute(
                _SNAPSHOT, {"e164": e164, "open": list(OPEN_COMPLAINT_STATUSES)}
            )
            rows = result.all()
        customers = [r for r in rows if r.kind == "c"]
        if len({r.customer_id for r in customers}) != 1:
            return None
        profile = customers[0]
        complaints = sorted(
            (
                OpenComplaint(
                    id=int(r.n), owner_group=r.a, owner_agent_code=r.b, opened_at=_when(r.at)
                )
                for r in rows
                if r.kind == "o"
            ),
            key=lambda c: (c.opened_at, c.id),
        )
        served: dict[str, datetime] = defaultdict(lambda: datetime.min.replace(tzinfo=UTC))
        for r in rows:
            if r.kind == "a":
                served[r.a] = max(served[r.a], _when(r.at))
        last = sorted(served.items(), key=lambda item: (-item[1].timestamp(), item[0]))
        return CustomerSnapshot(
            customer_id=int(profile.customer_id),
            segment=cast(Segment, profile.a),
            name=profile.b,
            roles=frozenset(roles_from_db(profile.c)),
            credit_hold=bool(profile.n),
            open_complaints=tuple(complaints),
            last_agents=tuple(ServedBy(agent_code=c, at=at) for c, at in last[:RECENT_AGENTS]),
        )
