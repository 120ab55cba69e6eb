"""PBX commands over the bus between two BusRpc ends: answers, refusals, timeouts."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from fastapi import HTTPException

from callcenter.adapters.bus.remote_pbx import RemotePbxCommands
from callcenter.adapters.bus.rpc import BusRpc
from callcenter.api.errors import http_errors
from callcenter.ports.pbx import PbxCommands
from callcenter.services.errors import PbxRefused, PbxUnavailable
from fakes.pbx import FakePbxCommands

REDIS_URL = os.environ.get("CALLCENTER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@asynccontextmanager
async def pair(
    prefix: str, pbx: FakePbxCommands | None, timeout_s: float = 2.0
) -> AsyncIterator[tuple[BusRpc, BusRpc]]:
    """A leader end serving `pbx` as 'pbx1' (none when None) and an asking end."""

    def local_for(name: str) -> PbxCommands | None:
        return pbx if name == "pbx1" else None

    leader = BusRpc(url=REDIS_URL, prefix=prefix, local_for=local_for)
    asker = BusRpc(url=REDIS_URL, prefix=prefix, local_for=lambda _n: None, timeout_s=timeout_s)
    await leader.start()
    await asker.start()
    try:
        async with asyncio.timeout(5):
            while not (leader.healthy and asker.healthy):
                await asyncio.sleep(0.02)
        yield leader, asker
    finally:
        await asker.aclose()
        await leader.aclose()


async def test_a_command_runs_on_the_leader_and_its_answer_comes_back(redis_prefix: str) -> None:
    pbx = FakePbxCommands(live_legs={"L1": "PJSIP/trunk-0001"})
    async with pair(redis_prefix, pbx) as (leader, asker):
        remote = RemotePbxCommands(asker, "pbx1")
        await remote.pause(interface="Local/1001@agents/n", reason="Lunch break")
        assert pbx.sent("pause") == [{"interface": "Local/1001@agents/n", "reason": "Lunch break"}]
        leg = await remote.customer_leg(linkedid="L1", agent_interface="Local/1001@agents/n")
        assert leg == "PJSIP/trunk-0001"
        assert leader.served == 2


async def test_asterisks_refusal_comes_back_as_the_same_error(redis_prefix: str) -> None:
    pbx = FakePbxCommands(refuse={"pause": "Interface not found"})
    async with pair(redis_prefix, pbx) as (_, asker):
        with pytest.raises(PbxRefused) as refused:
            await RemotePbxCommands(asker, "pbx1").pause(interface="Local/9@agents/n", reason="x")
        assert (refused.value.command, refused.value.message) == (
            "pause",
            "Interface not found",
        )


async def test_no_leader_answering_is_a_retryable_unavailable(redis_prefix: str) -> None:
    async with pair(redis_prefix, None, timeout_s=0.5) as (_, asker):
        with pytest.raises(PbxUnavailable) as unavailable:
            await RemotePbxCommands(asker, "pbx1").unpause(interface="Local/1001@agents/n")
        assert unavailable.value.retry_after_s is not None
        assert "may or may not have been applied" in str(unavailable.value)


def test_a_retryable_unavailable_is_503_with_retry_after() -> None:
    with pytest.raises(HTTPException) as raised, http_errors():
        raise PbxUnavailable("no process answered for Asterisk 'pbx1'", retry_after_s=2.0)
    assert raised.value.status_code == 503
    assert raised.value.headers == {"Retry-After": "2"}


class SlowPbx(FakePbxCommands):
    """Takes its time over a pause, as a listener about to lose its AMI connection might."""

    async def pause(self, *, interface: str, reason: str) -> None:
        await asyncio.sleep(30)


async def test_leader_gone_mid_command_is_a_retryable_error_not_a_silent_loss(
    redis_prefix: str,
) -> None:
    async with pair(redis_prefix, SlowPbx(), timeout_s=1.5) as (leader, asker):
        command = asyncio.create_task(
            RemotePbxCommands(asker, "pbx1").pause(interface="Local/1001@agents/n", reason="x")
        )
        await asyncio.sleep(0.3)  # the leader has taken it
        await leader.aclose()  # ... and goes away before answering
        with pytest.raises(PbxUnavailable) as unavailable:
            await command
        assert unavailable.value.retry_after_s is not None
