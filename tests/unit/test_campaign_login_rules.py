"""Which campaigns an agent may join from the desktop: the running ones of their groups."""

from __future__ import annotations

from callcenter.domain.campaigns.campaign import Campaign, joinable


def test_an_agent_may_join_the_running_campaigns_of_their_groups() -> None:
    campaigns = [
        Campaign(4, "Web buyers", group="online-service", state="running"),
        Campaign(2, "Lapsing", group="member-hotline", state="running"),
        Campaign(3, "Paused", group="member-hotline", state="paused"),
        Campaign(5, "Draft", group="member-hotline", state="draft"),
        Campaign(6, "Winter catalogue", group="telemarketing", state="running"),
        Campaign(1, "Done", group="member-hotline", state="finished"),
    ]
    ids = [c.id for c in joinable(campaigns, {"member-hotline", "online-service"})]
    assert ids == [2, 4]
    assert [c.id for c in joinable(campaigns, {"telemarketing"})] == [6]
    assert joinable(campaigns, set()) == []
