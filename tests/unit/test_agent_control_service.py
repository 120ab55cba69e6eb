"""Agent control on fakes: what the PBX is told, and what is refused before it is told anything."""

from __future__ import annotations

import pytest

from callcenter.domain.access.auth import Principal
from callcenter.domain.agents.presence import PresenceBoard
from callcenter.domain.calls.facts import CallAnswered
from callcenter.services.agent_control import AgentControl
from callcenter.services.errors import (
    Conflict,
    Forbidden,
    InvalidField,
    NotFound,
    PbxRefused,
    PbxUnavailable,
)
from fakes import FakeDatabase, FakePbxCommands
from fakes.floor import DNC_CUSTOMER, LI_NA, PLAIN_CUSTOMER, WANG_FANG, floor

AGENT_1001 = Principal("agent", agent_id=LI_NA.id, agent_code="1001", token_id=11)
SUPERVISOR = Principal("supervisor", token_id=20)


def control(db: FakeDatabase, pbx: FakePbxCommands) -> AgentControl:
    return AgentControl(
        uow=db.uow,
        pbxs={"pbx1": pbx},
        presence=PresenceBoard(),
        pause_reasons=["lunch", "training"],
        disposition_codes=["order_status", "wrong_number"],
        region="CN",
        is_live=lambda linkedid: linkedid.startswith("1800."),
    )


async def test_login_adds_the_agent_to_each_skill_queue_with_penalty_ten_minus_level() -> None:
    pbx = FakePbxCommands()
    added = await control(floor(), pbx).login(code="1001")
    assert added == [("member-hotline", 3), ("finance", 7)]
    assert [(c["queue"], c["interface"], c["penalty"], c["member_name"])
            for c in pbx.sent("add_member")] == [
        ("member-hotline", LI_NA.interface, 3, "Li Na"),
        ("finance", LI_NA.interface, 7, "Li Na"),
    ]  # fmt: skip


async def test_a_refusal_from_asterisk_reaches_the_caller_with_asterisks_message() -> None:
    pbx = FakePbxCommands(refuse_queue={"finance": "Unable to add interface: No such queue"})
    with pytest.raises(PbxRefused) as refused:
        await control(floor(), pbx).login(code="1001")
    assert refused.value.message == "Unable to add interface: No such queue"
    assert [c["queue"] for c in pbx.sent("add_member")] == ["member-hotline"]  # that one stays


async def test_logout_removes_every_membership_and_skips_queues_the_agent_was_not_in() -> None:
    pbx = FakePbxCommands()
    agents = control(floor(), pbx)
    await agents.login(code="1001")
    pbx.members["finance"].clear()  # a supervisor took the agent out of finance already
    assert await agents.logout(code="1001") == ["member-hotline"]
    assert pbx.members == {"member-hotline": set(), "finance": set()}


async def test_pause_with_an_unknown_reason_is_refused_and_asterisk_never_hears_of_it() -> None:
    pbx = FakePbxCommands()
    with pytest.raises(InvalidField) as bad:
        await control(floor(), pbx).pause(code="1001", reason="coffee")
    assert bad.value.loc == ("reason",) and "coffee" in bad.value.message
    assert pbx.commands == []


async def test_pause_and_resume_carry_the_reason_to_the_agents_interface() -> None:
    pbx = FakePbxCommands()
    agents = control(floor(), pbx)
    await agents.pause(code="1001", reason="lunch")
    await agents.resume(code="1001")
    assert pbx.commands == [
        ("pause", {"interface": LI_NA.interface, "reason": "lunch"}),
        ("unpause", {"interface": LI_NA.interface}),
    ]


async def test_do_not_call_refuses_a_dial_before_any_pbx_command() -> None:
    pbx = FakePbxCommands()
    agents = control(floor(), pbx)
    with pytest.raises(Conflict, match="do-not-call"):
        await agents.dial(code="1001", customer_id=DNC_CUSTOMER)
    with pytest.raises(Conflict, match="do-not-call"):
        await agents.dial(code="1001", number="139 1111 2222")  # the same customer's number
    with pytest.raises(NotFound):
        await agents.dial(code="1001", customer_id=999)
    assert pbx.commands == []


async def test_dial_rings_the_agent_first_then_the_national_number() -> None:
    pbx = FakePbxCommands()
    reference = await control(floor(), pbx).dial(code="1001", customer_id=PLAIN_CUSTOMER)
    (sent,) = pbx.sent("originate_agent_first")
    assert reference == "fake-dial-1"
    assert sent["agent_interface"] == LI_NA.interface
    assert sent["dial"] == "13800138000"
    assert (sent["caller_name"], sent["caller_number"]) == ("Li Na", "1001")
    assert sent["variables"] == {
        "CC_AGENT": "1001",
        "CC_DIALLED": "+8613800138000",
        "CC_CUSTOMER_ID": str(PLAIN_CUSTOMER),
    }


async def test_an_inactive_agent_or_a_missing_pbx_is_refused() -> None:
    with pytest.raises(Conflict, match="inactive"):
        await control(floor(), FakePbxCommands()).login(code="1003")
    with pytest.raises(PbxUnavailable):
        await control(floor(), FakePbxCommands(connected=False)).pause(code="1001", reason="lunch")


async def test_transfer_redirects_the_customers_leg_to_the_groups_transfer_extension() -> None:
    pbx = FakePbxCommands(live_legs={"1700.1": "PJSIP/trunk-00000001"})
    agents = control(floor(), pbx)
    with pytest.raises(Conflict, match="no answered call"):
        await agents.transfer(code="1001", group="finance")
    agents.on_fact(CallAnswered("pbx1", 1.0, "1700.1", "Li Na", LI_NA.interface, "hotline", 4.0))
    assert await agents.transfer(code="1001", group="finance") == "1700.1"
    assert pbx.sent("redirect") == [{"channel": "PJSIP/trunk-00000001", "exten": "7006"}]


async def test_a_live_call_answered_by_another_agent_is_refused_at_once() -> None:
    agents = control(floor(), FakePbxCommands())
    agents.on_fact(CallAnswered("pbx1", 1.0, "1800.1", "Wang Fang", WANG_FANG.interface, "q", 2.0))
    with pytest.raises(Forbidden, match="1001 did not handle call"):
        await agents.record_disposition(
            code="1001", linkedid="1800.1", disposition="wrong_number", settled=False,
            note=None, by=AGENT_1001,
        )  # fmt: skip
    assert agents.dispositions.pending() == []
    held = await agents.record_disposition(
        code="1002", linkedid="1800.1", disposition="order_status", settled=True, note=None,
        by=SUPERVISOR,
    )  # fmt: skip
    assert held.status == "pending"  # a supervisor may; it waits for the call record
    await agents.aclose()
