"""`callcenter migrate` and `callcenter seed` as an operator runs them."""

from __future__ import annotations

import asyncio

import pytest

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.migrate import current_revision
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.cli import main


async def customers_in(url: str) -> int:
    engine = make_engine(url)
    try:
        async with SqlUnitOfWork(make_session_factory(engine)) as uow:
            return await uow.customers.count()
    finally:
        await engine.dispose()


async def test_migrate_then_seed_then_refuse_a_second_seed(
    empty_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = empty_database_url

    def run(*argv: str) -> int:
        return main([*argv, "--database-url", url])

    assert await asyncio.to_thread(run, "migrate") == 0
    assert await current_revision(url) == "0016"
    assert "at revision 0016" in capsys.readouterr().err
    seed = ("seed", "--customers", "120", "--seed", "3", "--as-of", "2026-11-01", "--quiet")
    assert await asyncio.to_thread(run, *seed) == 0
    assert "customers=120" in capsys.readouterr().err
    assert await customers_in(url) == 120
    assert await asyncio.to_thread(run, *seed) == 1
    assert "already holds 120 customers" in capsys.readouterr().err
    assert await asyncio.to_thread(run, "seed", "--customers", "50", "--as-of", "soon") == 2
    assert "not an ISO date" in capsys.readouterr().err
    assert await customers_in(url) == 120  # nothing added by the refused runs
    assert await asyncio.to_thread(run, "migrate", "--downgrade", "--revision", "base") == 0
    assert await current_revision(url) is None
