"""A campaign that counts AMD's false positives as abandons (simulated Asterisk over real AMI,
SQLite and PostgreSQL): its live abandon rate, the rate a restarted process reads back from the
stored attempts and its CSV report all count every machine result it hung up on."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import update
from test_campaign_desk import _desk
from test_campaign_dialing import NUMBERS, Floor, _agents, _campaign, _until, floor

from callcenter.adapters.db.tables_campaigns import CampaignRow
from callcenter.domain.campaigns.campaign import RetryPolicy
from callcenter.sim.pstn import Pstn

__all__ = ["floor"]


async def test_machines_count_as_abandons_where_the_campaign_says_so(floor: Floor) -> None:
    """Figure: 10 numbers, one try each, half answering machines (hung up on), 2 agents, the
    campaign counting AMD false positives -> the 1 h abandon rate and the report's abandoned
    column count every machine (plus any drop); a restarted process reads the same rate back;
    the same attempts under a campaign without the rule show only the drops."""
    floor.sim.pstn = Pstn(rates={"answer": 0.5, "machine": 0.5}, ring_mean_s=1.0, talk_mean_s=5)
    service = floor.service()
    desk = _desk(floor, service)
    await _agents(floor, 2)
    campaign = replace(
        _campaign(), retry=RetryPolicy(max_attempts=1), amd_false_positive_is_abandon=True
    )
    built = await service.create(
        campaign=campaign, segment=None, csv_text="\n".join(NUMBERS[:10]), created_by="test"
    )
    cid = built.campaign.id
    await service.start(cid)
    dialer = service.dialers[cid][1]
    await _until(floor, lambda: dialer.state == "finished", 600)
    live = await service.figures(cid)
    machines, dropped = dialer.calls.counts.machines, live["abandoned"] - live["machines"]
    assert machines > 0 and dropped >= 0
    live_answers = dialer.calls.counts.connected + dropped + machines
    assert live["abandoned"] == machines + dropped
    assert live["abandon_rate"]["1h"] == round(100 * (machines + dropped) / live_answers, 3)

    restarted = floor.service()  # a new process: the rate from the stored attempts
    assert (await restarted.figures(cid))["abandon_rate"] == live["abandon_rate"]

    rows = await desk.report_rows(cid)
    header, total = rows[0], rows[-1]
    assert total[header.index("machine")] == str(machines)
    assert total[header.index("abandoned")] == str(machines + dropped)
    assert total[header.index("abandon_pct")] == f"{100 * (machines + dropped) / live_answers:.2f}"

    async with floor.db.sessions() as session:  # the same attempts, the rule switched off
        await session.execute(
            update(CampaignRow)
            .where(CampaignRow.id == cid)
            .values(amd_false_positive_is_abandon=False)
        )
        await session.commit()
    rows = await desk.report_rows(cid)
    assert rows[-1][rows[0].index("abandoned")] == str(dropped)
    plain = (await floor.service().figures(cid))["abandon_rate"]["1h"]
    answered = live_answers - machines
    assert plain == (round(100 * dropped / answered, 3) if answered else 0.0)
