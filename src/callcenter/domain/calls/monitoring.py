"""AMD results, ChanSpy sessions and MixMonitor recordings of a call."""

from __future__ import annotations

from callcenter.domain.calls import events as ev
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.state import TrackerState


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
        if e.started and spied is not None and spied is not spyer:
            spied.monitored += 1
        return []

    def _recording(self, e: ev.RecordingSeen) -> list[f.Fact]:
        call = self._find(e.pbx, e.channel, e.linkedid)
        if call is not None and e.file and e.file not in call.recordings:
            call.recordings.append(e.file)
        return []
