"""Asterisk's queue_log (`time|callid|queue|agent|event|data...`) folded into one fact per call.

Pure: lines in, `QueuedCall`s out. A line that cannot be read is counted (with its number and
why) and skipped; nothing in the file makes the fold raise.

Field layout of the call events app_queue writes (data fields after the event name):
ENTERQUEUE url|callerid|position; CONNECT holdtime|bridged uniqueid|ringtime;
COMPLETECALLER / COMPLETEAGENT holdtime|talktime|origposition;
ABANDON / EXITWITHTIMEOUT / EXITEMPTY position|origposition|waittime;
EXITWITHKEY key|position|origposition|waittime; WITHDRAW position|origposition|waittime|info;
BLINDTRANSFER / TRANSFER exten|context|holdtime|talktime|origposition;
ATTENDEDTRANSFER BRIDGE|uid or APP|app or LINK|chan|chan (etc.), then
holdtime|talktime|origposition;
RINGNOANSWER / RINGCANCELED ringtime (ms).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from callcenter.domain.reconcile.queued_call import ANSWERED_ENDS, UNANSWERED_ENDS, QueuedCall, Stay

RING_EVENTS = frozenset({"RINGNOANSWER", "RINGCANCELED"})
# Written by app_queue (or the dialplan's QueueLog) but saying nothing about a call's outcome.
OTHER_EVENTS = frozenset(
    {
        "QUEUESTART",
        "CONFIGRELOAD",
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "AGENTCALLBACKLOGIN",
        "AGENTCALLBACKLOGOFF",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
        "PENALTY",
        "AGENTDUMP",
        "SYSCOMPAT",
        "DID",
        "INFO",
        "MIXMONITOR",
    }
)
NO_CALL = frozenset({"NONE", "MANAGER", ""})
MAX_MALFORMED_KEPT = 20


@dataclass(frozen=True)
class Malformed:
    """A line that could not be read: its number (1-based), why, and its first 120 characters."""

    line_no: int
    reason: str
    text: str


class QueueLogFold:
    """Feed lines in file order; `calls()` then gives one QueuedCall per callid."""

    def __init__(self) -> None:
        self._calls: dict[str, QueuedCall] = {}
        self._open: dict[str, Stay] = {}  # callid + "|" + queue -> the stay still open there
        self.lines = 0
        self.malformed = 0
        self.malformed_kept: list[Malformed] = []
        self.unknown_events: dict[str, int] = {}
        self.first_at: int | None = None
        self.last_at: int | None = None

    def feed_all(self, lines: Iterable[str]) -> QueueLogFold:
        """Feed every line; returns self."""
        for line in lines:
            self.feed(line)
        return self

    def _bad(self, reason: str, text: str) -> None:
        self.malformed += 1
        if len(self.malformed_kept) < MAX_MALFORMED_KEPT:
            self.malformed_kept.append(Malformed(self.lines, reason, text[:120]))

    def feed(self, line: str) -> None:
        """Fold one line (with or without its line ending)."""
        self.lines += 1
        text = line.rstrip("\r\n")
        parts = text.split("|")
        if len(parts) < 5:
            if text.strip():
                self._bad("fewer than 5 fields", text)
            return
        try:
            at = int(parts[0])
        except ValueError:
            try:
                at = int(float(parts[0]))  # some writers add fractions of a second
            except (ValueError, OverflowError):
                self._bad("time is not a number", text)
                return
        if self.last_at is None:
            self.first_at = self.last_at = at
        elif at > self.last_at:
            self.last_at = at
        elif self.first_at is not None and at < self.first_at:
            self.first_at = at
        try:
            self._event(at, parts[1], parts[2], parts[3], parts[4], parts[5:])
        except (ValueError, IndexError):
            self._bad(f"{parts[4]} with unreadable data", text)

    def _event(
        self, at: int, callid: str, queue: str, agent: str, event: str, data: list[str]
    ) -> None:
        if event == "ENTERQUEUE":
            if callid in NO_CALL:
                raise ValueError("no callid")
            self._enter(at, callid, queue, data[1] if len(data) > 1 else "")
            return
        if callid in NO_CALL:
            if event not in OTHER_EVENTS:
                self.unknown_events[event] = self.unknown_events.get(event, 0) + 1
            return
        if event == "CONNECT":
            wait = int(data[0])
            stay = self._stay(at - wait, callid, queue)
            stay.agent, stay.connected_at, stay.wait_s = agent, at, wait
        elif event in ANSWERED_ENDS:
            wait, talk = int(data[-3]), int(data[-2])
            stay = self._stay(at - talk - wait, callid, queue)
            if stay.connected_at is None:  # the log began after the CONNECT
                stay.connected_at, stay.agent = at - talk, agent
            stay.wait_s, stay.talk_s = wait, talk
            self._close(stay, callid, queue, event, at)
        elif event in UNANSWERED_ENDS:
            wait = int(data[3] if event == "EXITWITHKEY" else data[2])
            stay = self._stay(at - wait, callid, queue)
            stay.wait_s = wait
            self._close(stay, callid, queue, event, at)
        elif event in RING_EVENTS:
            int(data[0])
            ringing = self._open.get(callid + "|" + queue)
            if ringing is not None:
                ringing.rings += 1
        elif event not in OTHER_EVENTS:
            self.unknown_events[event] = self.unknown_events.get(event, 0) + 1

    def _enter(self, at: int, callid: str, queue: str, caller: str) -> None:
        call = self._calls.get(callid)
        stay = Stay(queue=queue, entered_at=at)
        if call is None:
            self._calls[callid] = QueuedCall(callid=callid, caller=caller or None, stays=[stay])
        else:
            for other in call.stays:  # still open elsewhere: moved here by a Redirect
                if other.end is None and other.cut_at is None:
                    other.cut_at = at
            call.stays.append(stay)
        self._open[callid + "|" + queue] = stay

    def _stay(self, entered_at: int, callid: str, queue: str) -> Stay:
        stay = self._open.get(callid + "|" + queue)
        if stay is not None:
            return stay
        stay = Stay(queue=queue, entered_at=entered_at)  # the log began mid-call
        call = self._calls.get(callid)
        if call is None:
            self._calls[callid] = QueuedCall(callid=callid, caller=None, stays=[stay], partial=True)
        else:
            call.stays.append(stay)
            call.partial = True
        self._open[callid + "|" + queue] = stay
        return stay

    def _close(self, stay: Stay, callid: str, queue: str, event: str, at: int) -> None:
        stay.end, stay.ended_at = event, at
        del self._open[callid + "|" + queue]

    def calls(self) -> list[QueuedCall]:
        """Every call seen, in order of first entering a queue."""
        return sorted(self._calls.values(), key=lambda c: (c.first_at, c.callid))
