"""Dispositions on fakes: only the call's agent or a supervisor may write; history is kept."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from callcenter.domain.access.auth import Principal
from callcenter.services.dispositions import Disposition, DispositionBook
from callcenter.services.errors import Forbidden, InvalidField, NotFound
from fakes import FakeDatabase
from fakes.floor import LI_NA, WANG_FANG, answered_call, floor

AGENT_1001 = Principal("agent", agent_id=LI_NA.id, agent_code="1001", token_id=11)
AGENT_1002 = Principal("agent", agent_id=WANG_FANG.id, agent_code="1002", token_id=12)
SUPERVISOR = Principal("supervisor", token_id=20)
NOON = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)


def book(db: FakeDatabase, *, live: set[str] | None = None) -> DispositionBook:
    return DispositionBook(
        uow=db.uow,
        codes=["order_status", "wrong_number"],
        is_live=lambda linkedid: linkedid in (live or set()),
        clock=lambda: NOON,
    )


def stored(code: str, linkedid: str, by: Principal, agent: str = "1002") -> Disposition:
    return Disposition(linkedid, code, code == "order_status", None, agent, by)


async def test_the_agent_who_handled_the_call_sets_its_disposition() -> None:
    db = floor()
    db.tables.calls[("pbx1", "1.1")] = answered_call("1.1", WANG_FANG)
    result = await book(db).record(stored("order_status", "1.1", AGENT_1002))
    assert (result.status, result.pbx) == ("stored", "pbx1")
    assert db.tables.calls[("pbx1", "1.1")].disposition_code == "order_status"


async def test_another_agent_is_forbidden_and_nothing_is_stored() -> None:
    db = floor()
    db.tables.calls[("pbx1", "1.1")] = answered_call("1.1", WANG_FANG)
    with pytest.raises(Forbidden, match=r"1001 did not handle call 1\.1"):
        await book(db).record(stored("wrong_number", "1.1", AGENT_1001, agent="1001"))
    assert db.tables.dispositions == [] and db.commits == 0
    assert db.tables.calls[("pbx1", "1.1")].disposition_code is None


async def test_a_supervisor_correction_is_kept_as_history_and_the_latest_counts() -> None:
    db = floor()
    db.tables.calls[("pbx1", "1.1")] = answered_call("1.1", WANG_FANG)
    dispositions = book(db)
    await dispositions.record(stored("order_status", "1.1", AGENT_1002))
    await dispositions.record(stored("wrong_number", "1.1", SUPERVISOR))
    history = await dispositions.history(linkedid="1.1")
    assert [(h.code, h.set_by) for h in history] == [
        ("order_status", "agent 1002"),
        ("wrong_number", "supervisor (token 20)"),
    ]
    assert db.tables.calls[("pbx1", "1.1")].disposition_code == "wrong_number"


async def test_unknown_codes_and_calls_are_refused() -> None:
    db = floor()
    with pytest.raises(InvalidField):
        await book(db).record(stored("great_call", "1.1", AGENT_1002))
    with pytest.raises(NotFound):
        await book(db).record(stored("order_status", "9.9", AGENT_1002))
    with pytest.raises(NotFound):
        await book(db).history(linkedid="9.9")


async def test_a_disposition_given_during_the_call_lands_once_the_record_does() -> None:
    db = floor()
    dispositions = book(db, live={"2.1"})
    result = await dispositions.record(stored("order_status", "2.1", AGENT_1002))
    assert result.status == "pending" and dispositions.pending() == ["2.1"]
    db.tables.calls[("pbx1", "2.1")] = answered_call("2.1", WANG_FANG)  # the call store wrote it
    dispositions.call_ended("2.1")
    async with asyncio.timeout(1):
        while dispositions.pending():
            await asyncio.sleep(0.01)
    assert db.tables.calls[("pbx1", "2.1")].disposition_code == "order_status"


async def test_a_held_disposition_from_another_agent_is_refused_when_the_call_lands() -> None:
    db = floor()
    dispositions = book(db, live={"3.1"})
    await dispositions.record(stored("wrong_number", "3.1", AGENT_1001, agent="1001"))
    db.tables.calls[("pbx1", "3.1")] = answered_call("3.1", WANG_FANG)
    dispositions.call_ended("3.1")
    async with asyncio.timeout(1):
        while dispositions.pending():
            await asyncio.sleep(0.01)
    assert dispositions.refused == 1
    assert db.tables.dispositions == []
    assert db.tables.calls[("pbx1", "3.1")].disposition_code is None
