"""One inbound call as Asterisk plays it: the caller's Local pair, routing, Queue(), overflow."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from callcenter.sim import events as ev
from callcenter.sim.model import ENTRY_POINTS, OVERFLOW, UNKNOWN, Channel, Message, PbxModel

log = logging.getLogger(__name__)

# ext -> seconds until that agent answers, or None when the agent lets it ring.
AnswerPolicy = Callable[[str], float | None]
# (agi url, call) -> variables set by the FastAGI server; raises on failure.
Router = Callable[["CallSpec", Channel], Awaitable[dict[str, str]]]


class Switch(Protocol):
    """What a scenario needs from the running PBX."""

    model: PbxModel
    noise: bool

    def emit(self, msg: Message) -> None: ...

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


@dataclass
class CallSpec:
    """How one simulated inbound call behaves (durations in simulated seconds)."""

    caller_num: str | None
    caller_name: str | None
    entry: str
    queue: str | None = None
    answer: AnswerPolicy = field(default=lambda ext: 2.0)
    talk_s: float = 5.0
    hangup_by: str = "caller"
    patience_s: float | None = None
    max_wait_s: float = 600.0
    priority: int = 0
    transfer_to: str | None = None
    transfer_after_s: float = 3.0


@dataclass
class Interrupt:
    """Something done to a live call from outside (an AMI action)."""

    kind: str  # "hangup-caller", "hangup-agent", "transfer", "redirect"
    exten: str = ""
    context: str = ""


class CallHandle:
    """A live call's channels and its mailbox for interrupts."""

    def __init__(self, caller: Channel, twin: Channel) -> None:
        self.caller = caller
        self.twin = twin
        self.agent_legs: tuple[Channel, Channel] | None = None
        self._event = asyncio.Event()
        self.pending: Interrupt | None = None

    def interrupt(self, what: Interrupt) -> None:
        """Deliver an interrupt to the call's coroutine."""
        self.pending = what
        self._event.set()

    async def wait(self, switch: Switch, seconds: float) -> Interrupt | None:
        """Sleep `seconds` of simulated time unless interrupted first."""
        if self.pending is None:
            sleeper = asyncio.ensure_future(switch.sleep(max(seconds, 0.0)))
            waiter = asyncio.ensure_future(self._event.wait())
            await asyncio.wait({sleeper, waiter}, return_when=asyncio.FIRST_COMPLETED)
            sleeper.cancel()
            waiter.cancel()
        got, self.pending = self.pending, None
        self._event.clear()
        return got


def set_callerid(sw: Switch, ch: Channel, spec: CallSpec, *, prohibited: bool) -> None:
    """NewCallerid + NewConnectedLine as the caller-sim dialplan produces them."""
    ch.cid_num = spec.caller_num or UNKNOWN
    ch.cid_name = spec.caller_name or UNKNOWN
    pres = ev.PRES_PROHIBITED if prohibited else ev.PRES_ALLOWED
    sw.emit(ev.chan_event("NewCallerid", ch, ("CID-CallingPres", pres)))
    ch.conn_num, ch.conn_name = ch.cid_num, ch.cid_name
    sw.emit(ev.chan_event("NewConnectedLine", ch))


def originate_caller(sw: Switch, spec: CallSpec) -> CallHandle:
    """The caller's Local pair comes up and is answered; the ;1 half enters [inbound]."""
    now = sw.now()
    one, two = sw.model.local_pair("s@caller-sim", now)
    sw.emit(ev.chan_event("Newchannel", one))
    sw.emit(ev.chan_event("Newchannel", two))
    if sw.noise:
        sw.emit(ev.newexten(one, "AppDial2", "(Outgoing Line)"))
        sw.emit(ev.varset(one, "CALLER_HOLD", str(int(spec.patience_s or 600))))
    has_cid = bool(spec.caller_num or spec.caller_name)
    prohibited = spec.caller_num in (None, "", "anonymous")
    if has_cid:
        set_callerid(sw, one, spec, prohibited=prohibited)
        if sw.noise:
            sw.emit(ev.varset(two, "CALLER_HOLD", str(int(spec.patience_s or 600))))
        set_callerid(sw, two, spec, prohibited=prohibited)
    sw.emit(ev.local_bridge(one, two))
    sw.emit(ev.dial("DialBegin", None, one, ("DialString", "s@caller-sim/n")))
    if sw.noise:
        sw.emit(ev.newexten(two, "Answer"))
    two.state = "6"
    sw.emit(ev.chan_event("Newstate", two))
    sw.emit(ev.device_state("Local/s@caller-sim", "INUSE"))
    one.state = "6"
    sw.emit(ev.chan_event("Newstate", one))
    sw.emit(ev.device_state("Local/s@caller-sim", "INUSE"))
    sw.emit(ev.dial("DialEnd", None, one, ("DialStatus", "ANSWER")))
    one.context, one.exten = "inbound", spec.entry
    return CallHandle(one, two)


async def route(sw: Switch, call: CallHandle, spec: CallSpec, router: Router | None) -> str:
    """The [inbound] dialplan up to Queue(): the FastAGI hook, else the entry point's queue."""
    one = call.caller
    default = spec.queue or ENTRY_POINTS.get(spec.entry, "member-hotline")
    steps = [
        ("NoOp", f'CC inbound: entry {spec.entry} caller "{spec.caller_name}" <{spec.caller_num}>'),
        ("Set", f"CALLERID(dnid)={spec.entry}"),
        ("Set", "CC_QUEUE="),
    ]
    for prio, (app, data) in enumerate(steps, start=1):
        one.priority = str(prio)
        if sw.noise:
            sw.emit(ev.newexten(one, app, data))
    if sw.noise:
        sw.emit(ev.varset(one, "CC_QUEUE", ""))
    one.priority = "4"
    queue = default
    if router is not None:
        if sw.noise:
            sw.emit(ev.newexten(one, "AGI", "agi://127.0.0.1:4573/route"))
        try:
            variables = await router(spec, one)
        except Exception as exc:  # the dialplan falls back whatever went wrong with the hook
            log.info("AGI route failed (%s); using the default queue %s", exc, default)
            variables = {}
        for n, (name, value) in enumerate(variables.items()):
            command = f"SET VARIABLE {name} {value}"
            cid = str(54564878 + n)
            sw.emit(
                ev.chan_event(
                    "AGIExecStart", one, ("CommandId", cid), ("Command", command), priv="agi,all"
                )
            )
            sw.emit(ev.varset(one, name, value))
            done = [
                ("CommandId", cid),
                ("Command", command),
                ("ResultCode", "200"),
                ("Result", "Success"),
            ]
            sw.emit(ev.chan_event("AGIExecEnd", one, *done, priv="agi,all"))
        queue = variables.get("CC_QUEUE") or default
        if queue not in sw.model.queues:
            queue = default
        if "CC_PRIORITY" in variables and variables["CC_PRIORITY"].isdigit():
            spec.priority = int(variables["CC_PRIORITY"])
        sw.emit(ev.varset(one, "AGISTATUS", "SUCCESS" if variables else "FAILURE"))
    if sw.noise:
        one.priority = "5"
        sw.emit(ev.newexten(one, "GotoIf", "1?queue"))
        one.priority = "9"
        sw.emit(ev.newexten(one, "Set", "CC_MAXWAIT=600"))
        sw.emit(ev.varset(one, "CC_MAXWAIT", "600"))
    return queue


async def play_inbound(sw: Switch, call: CallHandle, spec: CallSpec, router: Router | None) -> str:
    """The whole call: routing, queue (with overflow on timeout), then the caller's hang-up."""
    from callcenter.sim.queueing import run_queue

    queue = await route(sw, call, spec, router)
    while True:
        outcome, target = await run_queue(sw, call, spec, queue)
        if outcome == "timeout" and (target or OVERFLOW.get(queue)):
            sw.emit(ev.varset(call.caller, "QUEUESTATUS", "TIMEOUT"))
            queue = target or OVERFLOW[queue]
            continue
        if outcome == "moved" and target:
            queue = target
            continue
        if outcome == "timeout":
            sw.emit(ev.varset(call.caller, "QUEUESTATUS", "TIMEOUT"))
            caller_hangs_up(sw, call, after_queue=True)
        return outcome


def caller_hangs_up(sw: Switch, call: CallHandle, *, after_queue: bool = False) -> None:
    """The caller's twin hangs up (or the dialplan ends after a timeout); both halves go."""
    one, two = call.caller, call.twin
    if not after_queue:
        sw.emit(ev.chan_event("SoftHangupRequest", two, ("Cause", "16")))
        sw.emit(ev.chan_event("HangupRequest", one, ("Cause", "16")))
        sw.emit(ev.hangup(two))
        sw.emit(ev.device_state("Local/s@caller-sim", "NOT_INUSE"))
    sw.emit(ev.chan_event("SoftHangupRequest", one, ("Cause", "16")))
    sw.emit(ev.hangup(one))
    sw.emit(ev.device_state("Local/s@caller-sim", "NOT_INUSE"))
    if after_queue:
        sw.emit(ev.hangup(two))
    sw.model.channels.pop(one.name, None)
    sw.model.channels.pop(two.name, None)
