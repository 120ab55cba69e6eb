"""The simulated Asterisk's queue_log: app_queue's lines written from the events it plays.

Asterisk writes every queue stay to its queue_log whether or not an AMI client is logged in, so
a call that began and ended while the backend was away is still in it. The lines follow
app_queue's layout (`time|callid|queue|agent|event|data...`, agent = member name as with
`log_membername_as_agent = yes`); times, waits and talk are the host's clock, as the backend
measures them (the simulator's own clock may run faster).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from callcenter.sim.model import Message


class QueueLogWriter:
    """Appends a queue_log line for each queue event the simulator emits (flushed at once)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._handle = path.open("a", encoding="utf-8")
        self._entered: dict[tuple[str, str], float] = {}  # (callid, queue) -> when
        self._connected: dict[tuple[str, str], float] = {}
        self._write("NONE", "NONE", "NONE", "QUEUESTART", "")

    def close(self) -> None:
        """Stop writing."""
        self._handle.close()

    def observe(self, msg: Message) -> None:
        """Write the line app_queue writes for this event, if it writes one."""
        fields = dict(msg)
        name = fields.get("Event")
        queue = fields.get("Queue")
        callid = fields.get("Uniqueid")
        if name is None or queue is None or callid is None:
            return
        member = fields.get("MemberName", "NONE")
        key, now = (callid, queue), self._clock()
        since = self._entered.get(key, now)
        if name == "QueueCallerJoin":
            self._entered[key] = now
            caller, position = fields.get("CallerIDNum", ""), fields.get("Position", "1")
            self._write(callid, queue, "NONE", "ENTERQUEUE", "", caller, position)
        elif name == "AgentRingNoAnswer":
            self._write(callid, queue, member, "RINGNOANSWER", fields.get("RingTime", "0"))
        elif name == "AgentConnect":
            self._connected[key] = now
            hold = _whole(now - since)
            dest = fields.get("DestUniqueid", "")
            self._write(callid, queue, member, "CONNECT", hold, dest, fields.get("RingTime", "0"))
        elif name == "AgentComplete":
            answered = self._connected.pop(key, now)
            self._entered.pop(key, None)
            hold, talk = _whole(answered - since), _whole(now - answered)
            if fields.get("Reason") == "transfer":
                self._write(callid, queue, member, "BLINDTRANSFER", "", "", hold, talk, "1")
            else:
                event = "COMPLETEAGENT" if fields.get("Reason") == "agent" else "COMPLETECALLER"
                self._write(callid, queue, member, event, hold, talk, "1")
        elif name == "QueueCallerAbandon":
            self._entered.pop(key, None)
            position = fields.get("Position", "1")
            original = fields.get("OriginalPosition", "1")
            self._write(callid, queue, "NONE", "ABANDON", position, original, _whole(now - since))

    def _write(self, callid: str, queue: str, agent: str, event: str, *data: str) -> None:
        line = "|".join((str(int(self._clock())), callid, queue, agent, event, *data))
        self._handle.write(line + "\n")
        self._handle.flush()


def _whole(seconds: float) -> str:
    return str(max(0, int(seconds)))
