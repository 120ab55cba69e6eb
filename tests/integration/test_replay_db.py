"""`callcenter replay --database-url`: callers matched to customers, records stored exactly once."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import date

from callcenter.adapters.db.engine import make_engine, make_session_factory
from callcenter.adapters.db.uow import SqlUnitOfWork
from callcenter.domain.customers.records import NewCustomer, PhoneInput
from support import TRACES


async def _add_li_wei(url: str) -> int:
    engine = make_engine(url)
    try:
        async with SqlUnitOfWork(make_session_factory(engine)) as uow:
            # stored in another raw shape than the trace's +8613800138000
            customer_id = await uow.customers.add(
                customer=NewCustomer(
                    member_number="M100",
                    name="Li Wei",
                    member_since=date(2020, 1, 1),
                    phones=(PhoneInput(raw="008613800138000", e164="+8613800138000"),),
                )
            )
            await uow.commit()
            return customer_id
    finally:
        await engine.dispose()


async def _counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    try:
        async with SqlUnitOfWork(make_session_factory(engine)) as uow:
            calls = await uow.calls.get("pbx1", "1795343813.0")
            contacts = await uow.contacts.recent_for_customer(
                customer_id=calls.customer_id if calls and calls.customer_id else -1
            )
            return (1 if calls else 0), len(contacts)
    finally:
        await engine.dispose()


async def _replay(url: str) -> tuple[list[dict[str, object]], str]:
    cmd = [
        sys.executable,
        "-m",
        "callcenter",
        "replay",
        str(TRACES / "answered_caller_hangs_up.ami"),
        "--pbx",
        "pbx1",
        "--database-url",
        url,
        "--store",
    ]
    done = await asyncio.to_thread(subprocess.run, cmd, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()], done.stderr


async def test_replay_matches_and_stores_once(database_url: str) -> None:
    customer_id = await _add_li_wei(database_url)

    rows, err = await _replay(database_url)
    call, summary = rows[0], rows[-1]
    assert summary == {"summary": {"calls": 1, "answered": 1, "abandoned": 0, "timeout": 0}}
    customer = call["customer"]
    assert isinstance(customer, dict)
    assert customer["status"] == "matched"
    assert customer["candidates"][0]["customer_id"] == customer_id
    assert "stored 1 new call records" in err

    again, err = await _replay(database_url)
    # the same calls; only the match reason now mentions the contact the first replay stored
    assert [{k: v for k, v in r.items() if k != "customer"} for r in again] == [
        {k: v for k, v in r.items() if k != "customer"} for r in rows
    ]
    assert "last contact" in again[0]["customer"]["candidates"][0]["reason"]  # type: ignore[index]
    assert "stored 0 new call records" in err
    assert await _counts(database_url) == (1, 1)  # one call record, one contact row


def test_replay_with_an_unreachable_database_fails_cleanly() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "callcenter",
            "replay",
            str(TRACES / "answered_caller_hangs_up.ami"),
            "--database-url",
            "postgresql+asyncpg://nobody@127.0.0.1:1/none",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""  # nothing half-done on stdout
    assert "failed" in done.stderr
