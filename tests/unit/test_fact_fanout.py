"""The fact handlers share no state through their order: the pop and the recorder meet through
CallCustomers, a failing handler stops no other."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from callcenter.domain.calls import facts as f
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.customers.lookup import Candidate, LookupResult
from callcenter.domain.customers.screen_pop import Bundle
from callcenter.services.call_customers import CallCustomers
from callcenter.services.call_tracking import CallRecorder
from callcenter.services.fact_fanout import FactFanout, FactHandler
from callcenter.services.screen_pop import ScreenPopService
from fakes import FakeNotifier
from support.wallboard import ALL, DIRECTORY

TRACE = "answered_caller_hangs_up"


class OneCustomer:
    """The directory: every caller is customer 42."""

    async def lookup(self, *, raw: str | None) -> LookupResult:
        return LookupResult("matched", raw, (Candidate(42, "Li Wei", "senior", "phone"),))

    async def bundle(self, *, customer_id: int, now: datetime) -> Bundle:
        raise LookupError("no bundle in this test")  # the record still gets its customer


class Stored:
    def __init__(self) -> None:
        self.records: list[CallRecord] = []

    def submit(self, record: CallRecord) -> bool:
        self.records.append(record)
        return True


@pytest.mark.parametrize("recorder_first", [True, False])
async def test_the_record_gets_the_popped_customer_whichever_handler_runs_first(
    recorder_first: bool,
) -> None:
    customers = CallCustomers()
    stored = Stored()
    pops = ScreenPopService(
        notifier=FakeNotifier(), directory=OneCustomer(), agents=DIRECTORY, customers=customers
    )
    recorder = CallRecorder(store=stored, customers=customers)
    handlers: list[FactHandler] = [pops.on_fact, recorder.on_fact]
    fanout = FactFanout(handlers[::-1] if recorder_first else handlers)
    facts = ALL[TRACE]
    ended = [x for x in facts if isinstance(x, f.CallEnded)]
    assert ended, "the trace has a finished call"
    for fact in facts:
        if isinstance(fact, f.CallEnded):
            await asyncio.sleep(0.01)  # the pop's fetch ran while the call was up
        fanout.on_fact(fact)
    await pops.aclose()
    assert [r.linkedid for r in stored.records] == [e.linkedid for e in ended]
    assert {r.customer_id for r in stored.records} == {42}
    assert len(customers) == 0  # taken when the call ended: nothing kept for finished calls


def test_a_failing_handler_stops_no_other_and_every_fact_is_counted() -> None:
    seen: list[str] = []

    def broken(fact: f.Fact) -> None:
        raise RuntimeError("boom")

    fanout = FactFanout([broken, lambda fact: seen.append(type(fact).__name__)])
    facts = ALL[TRACE]
    for fact in facts:
        fanout.on_fact(fact)
    assert len(seen) == len(facts) == fanout.facts


def test_call_customers_keeps_only_the_newest() -> None:
    customers = CallCustomers(keep=2)
    for n in range(3):
        customers.matched("pbx1", f"call-{n}", n)
    assert customers.take("pbx1", "call-0") is None
    assert customers.take("pbx1", "call-2") == 2
    assert customers.take("pbx1", "call-2") is None
    assert len(customers) == 1
