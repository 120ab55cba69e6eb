"""The queue_log read-back after a login: unseen finished calls stored once; a call in progress
that the tracker does not know is looked at again until it has ended."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from callcenter.domain.calls.records import CallRecord
from callcenter.services.queue_log_recovery import QueueLogRecovery
from fakes import FakeDatabase

ENTER = "1000|c1|member-hotline|NONE|ENTERQUEUE||+8613912345678|1"
CONNECT = "1004|c1|member-hotline|Zhang Wei|CONNECT|4|c1.2|2"
COMPLETE = "1010|c1|member-hotline|Zhang Wei|COMPLETECALLER|4|6|1"


class Log:
    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)

    async def recent(self, seconds: float) -> list[str]:
        return list(self.lines)


@dataclass
class Live:
    linkedid: str


class Tracker:
    def __init__(self) -> None:
        self.calls: list[Live] = []

    def live(self, pbx: str) -> list[Live]:
        return list(self.calls)


def recovery(log: Log, tracker: Tracker, submitted: list[CallRecord]) -> QueueLogRecovery:
    def submit(record: CallRecord) -> bool:
        submitted.append(record)
        return True

    return QueueLogRecovery(
        uow=FakeDatabase().uow,
        sources={"pbx1": log},
        trackers={"pbx1": tracker},  # type: ignore[dict-item]
        submit=submit,
        region="CN",
        recheck_s=0.01,
        rechecks=50,
    )


async def test_a_call_begun_unseen_is_stored_once_it_has_ended() -> None:
    """Figure: at the login the log shows a call talking that the tracker does not know; it ends
    2 rechecks later -> stored once, ended_during_outage, Zhang Wei, talk 6 s."""
    log, tracker, submitted = Log(ENTER, CONNECT), Tracker(), []
    service = recovery(log, tracker, submitted)
    assert await service.recover("pbx1") == 0  # still talking: nothing to store yet

    async def ends_later() -> None:
        await asyncio.sleep(0.03)
        log.lines.append(COMPLETE)

    await asyncio.gather(service.recover_or_log("pbx1"), ends_later())
    assert [(r.linkedid, r.agent, r.talk_s, r.ended_during_outage) for r in submitted] == [
        ("c1", "Zhang Wei", 6.0, True)
    ]


async def test_a_call_the_tracker_knows_is_left_to_it() -> None:
    log, tracker, submitted = Log(ENTER, CONNECT), Tracker(), []
    tracker.calls.append(Live("c1"))
    service = recovery(log, tracker, submitted)
    await service.recover_or_log("pbx1")  # returns at once: nothing unknown in progress
    log.lines.append(COMPLETE)
    tracker.calls.clear()  # it ended in the tracker's sight and was stored by it
    assert service.stats.runs == 1
    assert submitted == []
