"""A supervisor's ChanSpy: Originate of the supervisor's phone with Application ChanSpy."""

from __future__ import annotations

from callcenter.sim import events as ev
from callcenter.sim.model import Channel
from callcenter.sim.originate import OriginateSpec, answered, bring_up, parse_callerid, response
from callcenter.sim.switch import CallHandle, Switch, drop

POLL_S = 0.2
SUPERVISOR_LISTENS_S = 3600.0


async def play_chanspy(sw: Switch, spec: OriginateSpec) -> str:
    """The supervisor's leg (its own Linkedid) answers and spies until either side hangs up."""
    target = spec.channel.removeprefix("Local/").removesuffix("/n")
    num, name = parse_callerid(spec.callerid)
    s1, s2 = bring_up(sw, target, num, name)
    answered(sw, s1, s2)
    response(sw, spec, s1, "4", num, name)
    s1.application, s1.app_data = "ChanSpy", spec.data
    s1.spy_flags = spec.data.split(",", 1)[1] if "," in spec.data else ""
    spyee_name = spec.data.split(",", 1)[0]
    spyee = sw.model.channels.get(spyee_name)
    call = CallHandle(s1, s2)
    listens = _seconds(spec.variables.get("SUP_T", ""), SUPERVISOR_LISTENS_S)
    if spyee is not None:
        sw.emit(ev.event("ChanSpyStart", ev.CALL, s1.headers("Spyer"), spyee.headers("Spyee")))
    sw.emit(ev.chan_event("MusicOnHoldStart", s2, ("Class", "default")))
    ends = sw.now() + listens
    while sw.now() < ends and spyee is not None and spyee.name in sw.model.channels:
        got = await call.wait(sw, min(POLL_S, ends - sw.now()))
        if got is not None:
            break
    sw.emit(ev.chan_event("MusicOnHoldStop", s2))
    sw.emit(ev.chan_event("SoftHangupRequest", s2, ("Cause", "16")))
    sw.emit(ev.chan_event("HangupRequest", s1, ("Cause", "16")))
    sw.emit(ev.hangup(s2))
    if spyee is not None:
        sw.emit(ev.event("ChanSpyStop", ev.CALL, s1.headers("Spyer"), spyee.headers("Spyee")))
    sw.emit(ev.hangup(s1))
    drop(sw, s1, s2)
    return "spied" if spyee is not None else "no-spyee"


def _seconds(text: str, default: float) -> float:
    try:
        return float(text) if text else default
    except ValueError:
        return default


def spy_mode(flags: str) -> str:
    """The mode ChanSpy runs in with these options: barge (B), whisper (w) or listen."""
    return "barge" if "B" in flags else "whisper" if "w" in flags else "listen"


def received_digit(ch: Channel, digit: str) -> None:
    """app_chanspy's change_spy_mode: with option d, 4 listen, 5 whisper, 6 barge."""
    if ch.application != "ChanSpy" or "d" not in ch.spy_flags:
        return
    flags = ch.spy_flags.replace("w", "").replace("B", "")
    if digit == "5":
        flags += "w"
    elif digit == "6":
        flags += "B"
    elif digit != "4":
        return
    ch.spy_flags = flags
