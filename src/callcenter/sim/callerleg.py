"""The customer's Local pair: it comes up, hangs up, and closes any held AgentComplete."""

from __future__ import annotations

from callcenter.sim import events as ev
from callcenter.sim.model import UNKNOWN, Channel
from callcenter.sim.switch import CallHandle, CallSpec, Switch, drop


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


def flush_held(sw: Switch, call: CallHandle) -> None:
    """The AgentComplete of each queue the call was redirected out of: caller fields only."""
    for held in call.held:
        talk = int(sw.now() - held.answered)
        fields = [
            ("Queue", held.queue.name),
            ("Interface", held.member.agent.interface),
            ("MemberName", held.member.agent.name),
            ("HoldTime", str(held.hold)),
            ("TalkTime", str(talk)),
            ("Reason", "caller"),
        ]
        sw.emit(ev.event("AgentComplete", ev.AGENT, call.caller.headers(), fields))
    call.held.clear()


def caller_hangs_up(sw: Switch, call: CallHandle, *, after_queue: bool = False) -> None:
    """The caller's twin hangs up (or the dialplan ends after Queue()); both halves go."""
    one, two = call.caller, call.twin
    if not after_queue:
        sw.emit(ev.chan_event("SoftHangupRequest", two, ("Cause", "16")))
        sw.emit(ev.chan_event("HangupRequest", one, ("Cause", "16")))
        sw.emit(ev.hangup(two))
        sw.emit(ev.device_state("Local/s@caller-sim", "NOT_INUSE"))
    sw.emit(ev.chan_event("SoftHangupRequest", one, ("Cause", "16")))
    flush_held(sw, call)
    sw.emit(ev.hangup(one))
    sw.emit(ev.device_state("Local/s@caller-sim", "NOT_INUSE"))
    if after_queue:
        sw.emit(ev.hangup(two))
    drop(sw, one, two)
