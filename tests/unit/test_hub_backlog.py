"""Hub memory: agent channels keep a history to resume from; the wallboard, its last snapshot."""

from __future__ import annotations

import json

from callcenter.adapters.push.hub import PushHub
from callcenter.adapters.push.protocol import WALLBOARD, agent_channel
from callcenter.settings import Settings


def test_wallboard_keeps_one_snapshot_while_agents_keep_their_backlog() -> None:
    hub = PushHub.from_settings(Settings(ws_backlog=50))
    desk = agent_channel("1001")
    for n in range(200):
        hub.publish(WALLBOARD, "wallboard", {"n": n})
        hub.publish(desk, "agent_state", {"n": n})
    # a desktop that missed the last 50 messages resumes without a gap
    with hub.subscribe(desk, since=150, generation=hub.generation) as sub:
        assert len(sub._replay) == 50
    # a resuming wallboard is told to refetch: its history is one snapshot, not 50
    with hub.subscribe(WALLBOARD, since=150, generation=hub.generation) as board:
        assert len(board._replay) == 1
        assert json.loads(board._replay[0])["type"] == "resync"
    with hub.subscribe(WALLBOARD, since=199, generation=hub.generation) as board:
        assert len(board._replay) == 1 and '"n": 199' in board._replay[0].replace(
            '"n":199', '"n": 199'
        )
