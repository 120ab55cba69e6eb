"""A process that dies while a campaign runs: a new process resumes the running campaigns (never
the paused ones) without dialling a number twice (simulated Asterisk over real AMI; SQLite and
PostgreSQL)."""

from __future__ import annotations

from test_campaign_desk import _desk
from test_campaign_dialing import (
    NUMBERS,
    Floor,
    _agents,
    _attempts,
    _campaign,
    _until,
    dialled_one_at_a_time,
    floor,
)

__all__ = ["floor"]


async def test_a_new_process_resumes_running_campaigns_without_dialling_twice(
    floor: Floor,
) -> None:
    """Figure: the process dies after 5 dials of a running campaign (and a paused one exists);
    a new process's resume() starts the running one only, with no supervisor -> the list
    finishes, every attempt before the crash is kept, no number is originated while its
    previous call is up and each number is dialled no more often than its attempts allow."""
    first = floor.service()
    await _agents(floor, 2)
    built = await first.create(
        campaign=_campaign(), segment=None, csv_text="\n".join(NUMBERS[:12]), created_by="t"
    )
    paused = await first.create(
        campaign=_campaign(), segment=None, csv_text="\n".join(NUMBERS[12:]), created_by="t"
    )
    cid = built.campaign.id
    await first.start(cid)
    await first.pause(paused.campaign.id)
    await _until(floor, lambda: len(floor.watch.originated) >= 5, 60)
    _, _, task = first.dialers.pop(cid)
    task.cancel()  # the process dies: nothing more stored
    before = {a.id for a in await _attempts(floor.db)}
    second = floor.service()
    resumed = await _desk(floor, second).resume()
    assert resumed == [cid]
    dialler = second.dialers[cid][1]
    await _until(floor, lambda: dialler.state == "finished", 900)
    after = await _attempts(floor.db)
    assert before <= {a.id for a in after}
    seen = dialled_one_at_a_time(floor.watch)
    assert set(seen) == set(NUMBERS[:12])
    per_number = [n for n, _ in floor.watch.originated]
    assert max(per_number.count(n) for n in seen) <= 3  # max_attempts
    assert not set(NUMBERS[12:]) & set(seen)  # the paused campaign stayed paused
