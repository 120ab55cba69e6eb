"""Write generated chunks: COPY on PostgreSQL (made in worker processes), batches on SQLite."""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex
from sqlalchemy.sql.ddl import ExecutableDDLElement

from callcenter.adapters.db.engine import make_engine
from callcenter.adapters.db.tables import AgentRow, AgentSkillRow, Base
from callcenter.adapters.db.tables_customers import CustomerRow
from callcenter.seeding.generator import SeedPlan, generate_chunk
from callcenter.seeding.known import KNOWN_AGENTS, KNOWN_CALLERS
from callcenter.seeding.rows import COLUMNS, JSON_COLUMNS, TABLES, Chunk

log = logging.getLogger(__name__)

OnChunk = Callable[[int], None]


class SeedError(Exception):
    """The database cannot be seeded as asked (e.g. it already holds customers)."""


@dataclass(frozen=True)
class SeedResult:
    """What a seed run wrote and how long it took."""

    rows: dict[str, int]
    seconds: float

    @property
    def customers(self) -> int:
        """How many customers were written."""
        return self.rows.get("customers", 0)


async def seed_database(
    url: str,
    *,
    customers: int,
    seed: int = 1,
    as_of: datetime | None = None,
    workers: int | None = None,
    on_chunk: OnChunk | None = None,
) -> SeedResult:
    """Seed a migrated, customer-less database; deterministic for (seed, as_of)."""
    if customers < len(KNOWN_CALLERS):
        raise SeedError(f"seed needs at least {len(KNOWN_CALLERS)} customers (the trace callers)")
    started = time.perf_counter()
    as_of = as_of or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            existing = await conn.scalar(select(func.count()).select_from(CustomerRow))
            if existing:
                raise SeedError(
                    f"the database already holds {existing} customers; seed an empty one"
                )
            agent_ids = await _ensure_agents(conn)
        plan = SeedPlan(customers=customers, seed=seed, as_of=as_of, agent_ids=agent_ids)
        counts = {t: 0 for t in TABLES}

        async def write(chunk: Chunk) -> None:
            for table in TABLES:
                counts[table] += len(chunk.rows[table])
            if on_chunk is not None:
                on_chunk(chunk.customers)

        async with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                await _load_postgres(conn, plan, write, workers)
            else:
                await _load_batches(conn, plan, write)
    finally:
        await engine.dispose()
    counts["agents"] = len(agent_ids)
    return SeedResult(rows=counts, seconds=time.perf_counter() - started)


async def _ensure_agents(conn: AsyncConnection) -> dict[str, int]:
    """Insert the traces' agents that are missing; returns code -> id for all of them."""
    codes = [a.code for a in KNOWN_AGENTS]
    found = {code: i for code, i in (await conn.execute(select(AgentRow.code, AgentRow.id))).all()}
    for agent in KNOWN_AGENTS:
        if agent.code in found:
            continue
        result = await conn.execute(
            insert(AgentRow)
            .values(
                code=agent.code,
                name=agent.name,
                interface=agent.interface,
                state_interface=agent.state_interface,
                active=agent.active,
            )
            .returning(AgentRow.id)
        )
        found[agent.code] = result.scalar_one()
        await conn.execute(
            insert(AgentSkillRow),
            [
                {"agent_id": found[agent.code], "group_slug": s.group_slug, "level": s.level}
                for s in agent.skills
            ],
        )
    return {code: found[code] for code in codes}


async def _load_batches(
    conn: AsyncConnection, plan: SeedPlan, write: Callable[[Chunk], Awaitable[None]]
) -> None:
    """SQLite (demo sizes): executemany per table per chunk, in this process."""
    tables = Base.metadata.tables
    for index in range(plan.chunks):
        chunk = generate_chunk(plan, index)
        for table in TABLES:
            cols = COLUMNS[table]
            rows = [dict(zip(cols, row, strict=True)) for row in chunk.rows[table]]
            if rows:
                await conn.execute(insert(tables[table]), rows)
        await write(chunk)


async def _load_postgres(
    conn: AsyncConnection,
    plan: SeedPlan,
    write: Callable[[Chunk], Awaitable[None]],
    workers: int | None,
) -> None:
    """PostgreSQL: chunks made in worker processes while COPY writes the previous ones."""
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    await conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    deferred = await _drop_secondary(conn)
    async for chunk in _chunks(plan, workers):
        for table in TABLES:
            rows = chunk.rows[table]
            if not rows:
                continue
            json_at = [i for i, c in enumerate(COLUMNS[table]) if (table, c) in JSON_COLUMNS]
            if json_at:
                rows = [_json_text(row, json_at) for row in rows]
            await driver.copy_records_to_table(table, records=rows, columns=COLUMNS[table])
        await write(chunk)
    for ddl in deferred:
        await conn.execute(ddl)
    for table in TABLES:
        # ids were chosen by the generator: move each sequence past them
        await conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )
        )
    await conn.execute(text("ANALYZE"))


async def _drop_secondary(conn: AsyncConnection) -> list[ExecutableDDLElement]:
    """Drop the seeded tables' secondary indexes and foreign keys; returns DDL to restore them.

    Building an index once and checking a foreign key with one join is many times faster than
    maintaining both row by row; all of it runs in the seed's transaction, so a failure restores
    everything. Only done when the seeded tables are empty.
    """
    for table in TABLES:
        if await conn.scalar(text(f"SELECT EXISTS (SELECT 1 FROM {table})")):
            return []
    restore: list[ExecutableDDLElement] = []
    tables = Base.metadata.tables
    for name in TABLES:
        for fk in tables[name].foreign_key_constraints:
            await conn.execute(DropConstraint(fk))
            restore.append(AddConstraint(fk))
        for index in tables[name].indexes:
            await conn.execute(DropIndex(index))
            restore.insert(0, CreateIndex(index))
    return restore


def _json_text(row: tuple[Any, ...], positions: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for i in positions:
        values[i] = json.dumps(values[i], ensure_ascii=False)
    return tuple(values)


async def _chunks(plan: SeedPlan, workers: int) -> Any:
    """Chunks in order; with workers > 1, a bounded window of them is made ahead in processes."""
    if workers <= 1 or plan.chunks <= 2:
        for index in range(plan.chunks):
            yield generate_chunk(plan, index)
        return
    context = multiprocessing.get_context("spawn")  # never fork a process holding sockets
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        light = replace(plan, agent_ids=dict(plan.agent_ids))
        pending: deque[Future[Chunk]] = deque()
        next_index = 0
        while next_index < plan.chunks or pending:
            while next_index < plan.chunks and len(pending) < workers * 2:
                pending.append(pool.submit(generate_chunk, light, next_index))
                next_index += 1
            yield await asyncio.wrap_future(pending.popleft(), loop=loop)
