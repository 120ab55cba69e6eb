"""Supervision on fakes: which channel is spied on, who may, and how the audit row is closed."""

from __future__ import annotations

import asyncio

import pytest

from callcenter.domain.access.auth import Principal
from callcenter.domain.agents.directory import AgentDirectory, KnownAgent
from callcenter.domain.calls.facts import SpyChanged
from callcenter.services.errors import Conflict, Forbidden, InvalidField
from callcenter.services.supervision import Supervision
from fakes import FakeAuditLog, FakeDatabase, FakePbxCommands
from fakes.floor import WANG_FANG, floor

BOSS = Principal("supervisor", token_id=20)
PHONE = "Local/1101@agent-phone/n"
CHANNEL = "Local/1002@agents-0000002a;1"


def service(
    pbx: FakePbxCommands, audit: FakeAuditLog, live: dict[str, tuple[str, str]]
) -> Supervision:
    db: FakeDatabase = floor()
    return Supervision(
        uow=db.uow,
        pbxs={"pbx1": pbx},
        audit=audit,
        live_channel_of=lambda pbx_name, iface: live.get(iface),
    )


def spy_fact(started: bool, at: float) -> SpyChanged:
    return SpyChanged("pbx1", at, "1800.7", "Local/1101@agent-phone-00000031;1", CHANNEL, started)


async def test_the_agents_live_channel_is_spied_on_and_the_session_closed_on_stop() -> None:
    pbx, audit = FakePbxCommands(), FakeAuditLog()
    sup = service(pbx, audit, {WANG_FANG.interface: ("1800.7", CHANNEL)})
    session = await sup.monitor(code="1002", mode="barge", supervisor=PHONE, by=BOSS)
    assert pbx.sent("spy") == [{"supervisor": PHONE, "channel": CHANNEL, "mode": "barge"}]
    assert sup.monitored() == {}  # not until ChanSpyStart
    sup.on_fact(spy_fact(True, 1_800_000_000.0))
    assert sup.monitored() == {"1002": "barge"}
    sup.on_fact(spy_fact(False, 1_800_000_060.0))
    await sup.aclose()
    assert sup.monitored() == {}
    (row,) = audit.entries
    assert (row.id, row.agent_code, row.linkedid) == (session.audit_id, "1002", "1800.7")
    assert row.actor == "supervisor (token 20)" and row.detail == f"barge from {PHONE}"
    assert row.ended_at is not None and row.ended_at.timestamp() == 1_800_000_060.0


async def test_a_stop_seen_before_the_audit_row_is_written_still_closes_it() -> None:
    pbx, audit = FakePbxCommands(), FakeAuditLog()
    sup = service(pbx, audit, {WANG_FANG.interface: ("1800.7", CHANNEL)})
    real_spy = pbx.spy

    async def spy_then_events(**kwargs: str) -> str:
        reference = await real_spy(**kwargs)
        sup.on_fact(spy_fact(True, 1_800_000_000.0))  # the events beat the reply
        sup.on_fact(spy_fact(False, 1_800_000_001.0))
        return reference

    pbx.spy = spy_then_events  # type: ignore[method-assign]
    await sup.monitor(code="1002", mode="listen", supervisor=PHONE, by=BOSS)
    assert audit.entries[0].ended_at is not None


async def test_refusals_come_before_anything_is_sent() -> None:
    pbx, audit = FakePbxCommands(), FakeAuditLog()
    sup = service(pbx, audit, {})
    agent = Principal("agent", agent_id=WANG_FANG.id, agent_code="1002", token_id=11)
    with pytest.raises(Forbidden):
        await sup.monitor(code="1002", mode="listen", supervisor=PHONE, by=agent)
    with pytest.raises(InvalidField):
        await sup.monitor(code="1002", mode="shout", supervisor=PHONE, by=BOSS)
    with pytest.raises(Conflict, match="no live call"):
        await sup.monitor(code="1002", mode="listen", supervisor=PHONE, by=BOSS)
    with pytest.raises(Forbidden):
        sup.visible_to(agent, "1002")
    sup.agent_sees_monitoring = True
    assert sup.visible_to(agent, "1002") is None
    await asyncio.sleep(0)
    assert pbx.commands == [] and audit.entries == []


async def test_a_running_session_switches_mode_with_one_audit_row_per_mode() -> None:
    pbx, audit = FakePbxCommands(), FakeAuditLog()
    sup = service(pbx, audit, {WANG_FANG.interface: ("1800.7", CHANNEL)})
    await sup.monitor(code="1002", mode="listen", supervisor=PHONE, by=BOSS)
    with pytest.raises(Conflict, match="not answered yet"):
        await sup.switch(code="1002", mode="whisper", by=BOSS)
    sup.on_fact(spy_fact(True, 1_800_000_000.0))
    agent = Principal("agent", agent_id=WANG_FANG.id, agent_code="1002", token_id=11)
    with pytest.raises(Forbidden):
        await sup.switch(code="1002", mode="whisper", by=agent)
    with pytest.raises(InvalidField):
        await sup.switch(code="1002", mode="shout", by=BOSS)
    await sup.switch(code="1002", mode="whisper", by=BOSS)
    await sup.switch(code="1002", mode="whisper", by=BOSS)  # already: nothing sent
    await sup.switch(code="1002", mode="barge", by=BOSS)
    spyer = spy_fact(True, 0).spyer_channel
    assert pbx.sent("switch_spy_mode") == [
        {"spyer_channel": spyer, "mode": "whisper"},
        {"spyer_channel": spyer, "mode": "barge"},
    ]
    assert sup.monitored() == {"1002": "barge"}
    sup.on_fact(spy_fact(False, 1_800_000_060.0))
    await sup.aclose()
    assert [e.detail.split(" ")[0] for e in audit.entries] == ["listen", "whisper", "barge"]
    assert all(e.ended_at is not None for e in audit.entries)
    assert audit.entries[-1].ended_at.timestamp() == 1_800_000_060.0  # type: ignore[union-attr]
    with pytest.raises(Conflict, match="nobody monitors"):
        await sup.switch(code="1002", mode="listen", by=BOSS)


async def test_the_agent_directory_in_memory_finds_the_call_and_a_stale_one_falls_back() -> None:
    pbx, audit = FakePbxCommands(), FakeAuditLog()
    live = {WANG_FANG.interface: ("1800.7", CHANNEL)}
    directory = AgentDirectory([KnownAgent("1002", "Wang Fang", WANG_FANG.interface)])
    sup = Supervision(
        uow=floor().uow,
        pbxs={"pbx1": pbx},
        audit=audit,
        live_channel_of=lambda pbx_name, iface: live.get(iface),
        interface_of=directory.interface_of,
    )
    await sup.monitor(code="1002", mode="listen", supervisor=PHONE, by=BOSS)
    assert pbx.sent("spy")[-1]["channel"] == CHANNEL
    # the directory still has an old phone: the agents table's interface is the one on the call
    directory.replace([KnownAgent("1002", "Wang Fang", "PJSIP/old-phone")])
    await sup.monitor(code="1002", mode="whisper", supervisor=PHONE, by=BOSS)
    assert [s["mode"] for s in pbx.sent("spy")] == ["listen", "whisper"]
    assert [e.linkedid for e in audit.entries] == ["1800.7", "1800.7"]
