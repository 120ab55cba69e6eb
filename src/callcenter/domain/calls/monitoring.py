"""AMD results, ChanSpy sessions and MixMonitor recordings of a call."""

from __future__ import annotations

from callcenter.domain.calls import events as ev
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.state import TrackerState

# ChanSpy's option d: the supervisor's keys 4, 5 and 6 switch its mode
SPY_MODE_KEYS = {"4": "listen", "5": "whisper", "6": "barge"}


class MonitorRules(TrackerState):
    """What was detected on, listened to, or recorded of a call."""

    def _amd(self, e: ev.AmdResultSeen) -> list[f.Fact]:
        call = self._find(e.pbx, e.channel, e.linkedid)
        if call is not None:
            call.amd = e.status.upper()
        return []

    def _spy(self, e: ev.SpyStartedSeen) -> list[f.Fact]:
        spyer = self._calls.get((e.pbx, e.spyer_linkedid))
        if spyer is not None:
            spyer.spy_leg = True  # the supervisor's own leg is never a call
        spied = self._find(e.pbx, e.spyee_channel, e.spyee_linkedid)
        if spied is not None and spied is spyer:
            return []
        if e.started and spied is not None:
            spied.monitored += 1
        # ChanSpyStop comes after the spied call hung up: the session ends all the same
        return [
            f.SpyChanged(
                pbx=e.pbx,
                at=e.at,
                linkedid=spied.linkedid if spied is not None else e.spyee_linkedid,
                spyer_channel=e.spyer_channel,
                spyee_channel=e.spyee_channel,
                started=e.started,
            )
        ]

    def _key(self, e: ev.KeyPressedSeen) -> list[f.Fact]:
        spyer = self._calls.get((e.pbx, e.linkedid))
        mode = SPY_MODE_KEYS.get(e.digit)
        if spyer is None or not spyer.spy_leg or mode is None:
            return []  # a caller's or an agent's digit: not ours to read
        return [f.SpyKeyed(pbx=e.pbx, at=e.at, spyer_channel=e.channel, mode=mode)]

    def agent_call(self, pbx: str, interface: str) -> tuple[str, str] | None:
        """(Linkedid, the agent's own channel) of the call the agent is talking on now, if any.

        Read from the live legs (never the agent's state interface, which carries no audio).
        """
        wanted = interface.lower()
        for (p, linkedid), call in self._calls.items():
            if p != pbx or call.spy_leg:
                continue
            for leg in reversed(call.legs):
                live = leg.talk is None and not leg.left and leg.end is None
                if live and leg.channel and leg.interface.lower() == wanted:
                    return linkedid, leg.channel
        return None

    def _recording(self, e: ev.RecordingSeen) -> list[f.Fact]:
        call = self._find(e.pbx, e.channel, e.linkedid)
        if call is not None and e.file and e.file not in call.recordings:
            call.recordings.append(e.file)
        return []
