"""A small call-center floor in the fake database: two groups, three agents, two customers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from callcenter.domain.agents.records import Agent, Skill
from callcenter.domain.calls.records import CallRecord
from callcenter.domain.customers.records import Customer, Phone
from callcenter.domain.routing.groups import Group
from fakes.stores import FakeDatabase

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai

HOTLINE = Group("member-hotline", "Member hotline", "书友热线组", "member-hotline", "8001", 20, 80)
FINANCE = Group("finance", "Finance", "金融服务组", "finance", "8006", 20, 80)
LI_NA = Agent(1, "1001", "Li Na", "Local/1001@agents/n", "PJSIP/1001", True,
              (Skill("member-hotline", 7), Skill("finance", 3)))  # fmt: skip
WANG_FANG = Agent(2, "1002", "Wang Fang", "Local/1002@agents/n", "PJSIP/1002", True,
                  (Skill("member-hotline", 10),))  # fmt: skip
GONE = Agent(3, "1003", "Zhao Lei", "Local/1003@agents/n", None, False, (Skill("finance", 5),))
DNC_CUSTOMER = 1
PLAIN_CUSTOMER = 2
DNC_NUMBER = "+8613911112222"
PLAIN_NUMBER = "+8613800138000"


def _customer(customer_id: int, name: str, *, do_not_call: bool) -> Customer:
    return Customer(customer_id, f"M{customer_id:06d}", name, "regular", ("member",),
                    date(2020, 1, 1), None, None, "Shanghai", (), "zh", do_not_call, None, False,
                    T0, T0)  # fmt: skip


def floor() -> FakeDatabase:
    """A fresh fake database holding the floor above."""
    db = FakeDatabase()
    t = db.tables
    t.groups = {g.slug: g for g in (HOTLINE, FINANCE)}
    t.agents = {a.code: a for a in (LI_NA, WANG_FANG, GONE)}
    t.customers = {
        DNC_CUSTOMER: _customer(DNC_CUSTOMER, "Qian Jun", do_not_call=True),
        PLAIN_CUSTOMER: _customer(PLAIN_CUSTOMER, "Li Wei", do_not_call=False),
    }
    t.phones = [
        Phone(1, DNC_CUSTOMER, "139 1111 2222", DNC_NUMBER, "mobile", True),
        Phone(2, PLAIN_CUSTOMER, "138 0013 8000", PLAIN_NUMBER, "mobile", True),
    ]
    return db


def answered_call(
    linkedid: str,
    agent: Agent,
    *,
    started: datetime = T0,
    wait_s: float = 8.0,
    talk_s: float = 60.0,
    queue: str = "member-hotline",
) -> CallRecord:
    """An inbound call answered by `agent` in `queue`."""
    return CallRecord(
        pbx="pbx1", linkedid=linkedid, direction="inbound", caller=PLAIN_NUMBER,
        caller_name="Li Wei", queues=(queue,), agent=agent.name, outcome="answered",
        wait_s=wait_s, talk_s=talk_s, ring_attempts=1, transferred=False, started_at=started,
        ended_at=started + timedelta(seconds=wait_s + talk_s), agent_id=agent.id,
        answered_at=started + timedelta(seconds=wait_s),
    )  # fmt: skip


def abandoned_call(linkedid: str, *, started: datetime = T0, wait_s: float = 30.0) -> CallRecord:
    """An inbound call the caller gave up on in the hotline queue."""
    return CallRecord(
        pbx="pbx1", linkedid=linkedid, direction="inbound", caller=PLAIN_NUMBER,
        caller_name=None, queues=("member-hotline",), agent=None, outcome="abandoned",
        wait_s=wait_s, talk_s=0.0, ring_attempts=0, transferred=False, started_at=started,
        ended_at=started + timedelta(seconds=wait_s),
    )  # fmt: skip
