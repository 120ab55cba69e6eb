"""Call-control actions: Originate, Redirect, transfers, Hangup, withdraw, MixMonitor."""

from __future__ import annotations

from collections.abc import Callable

from callcenter.sim import events as ev
from callcenter.sim.chanspy import received_digit
from callcenter.sim.host import AmiHost
from callcenter.sim.model import Message
from callcenter.sim.replies import Action, Reply, error, get, response, truthy


def originate(sim: AmiHost, action: Action) -> Reply:
    """Originate (the PBX always behaves as if Async): queued, then OriginateResponse later."""
    if not get(action, "Channel"):
        return error(action, "Channel not specified")
    if not get(action, "Exten") and not get(action, "Application"):
        return error(action, "Exten not specified")
    problem = sim.start_originate(action)
    if problem:
        return error(action, problem)
    return Reply([response(action, "Success", "Originate successfully queued")])


def _on_channel(sim: AmiHost, action: Action, kind: str, ok: str, missing: str) -> Reply:
    channel = get(action, "Channel")
    if not channel:
        return error(action, "No channel specified")
    if not sim.interrupt(channel, kind, get(action, "Exten"), get(action, "Context")):
        return error(action, missing)
    return Reply([response(action, "Success", ok)])


def redirect(sim: AmiHost, action: Action) -> Reply:
    """Redirect a channel to another extension (the customer to a 700X target)."""
    return _on_channel(
        sim, action, "redirect", "Redirect successful", "Channel specified does not exist"
    )


def blind_transfer(sim: AmiHost, action: Action) -> Reply:
    """BlindTransfer of the party bridged to Channel."""
    return _on_channel(sim, action, "transfer", "Transfer succeeded", "No such channel")


def atxfer(sim: AmiHost, action: Action) -> Reply:
    """Atxfer on the agent's channel: *2 and the digits, then the consultation."""
    if not get(action, "Exten"):
        return error(action, "No extension specified")
    return _on_channel(sim, action, "atxfer", "Atxfer successfully queued", "No such channel")


def hangup(sim: AmiHost, action: Action) -> Reply:
    """Hangup of a channel (the caller side or the agent side of a call)."""
    return _on_channel(sim, action, "hangup", "Channel Hungup", "No such channel")


def queue_withdraw_caller(sim: AmiHost, action: Action) -> Reply:
    """QueueWithdrawCaller: the waiting caller leaves its queue about a second later."""
    queue, caller = get(action, "Queue"), get(action, "Caller")
    if not queue or not caller:
        return error(action, "'Queue' and 'Caller' not specified.")
    q = sim.model.queues.get(queue)
    if q is None or caller not in (c.name for c in q.waiting):
        return error(action, "Cannot withdraw: caller not found in queue")
    sim.interrupt(caller, "withdraw", get(action, "WithdrawInfo"), queue)
    return Reply([response(action, "Success", "Withdraw requested successfully")])


def mix_monitor(sim: AmiHost, action: Action) -> Reply:
    """MixMonitor on a live channel; a bare Success (no Message) like Asterisk's."""
    ch = sim.model.channels.get(get(action, "Channel"))
    if ch is None:
        return error(action, "No such channel")
    name = get(action, "File") or f"{ch.uniqueid}.wav"
    with sim.recorder.capturing() as events:
        sim.recorder.start(ch, name)
    return Reply([response(action, "Success", "")], events)


def mix_monitor_mute(sim: AmiHost, action: Action) -> Reply:
    """MixMonitorMute Direction/State."""
    ch = sim.model.channels.get(get(action, "Channel"))
    if ch is None:
        return error(action, "No such channel")
    direction = get(action, "Direction") or "both"
    if direction not in ("read", "write", "both"):
        return error(action, "Invalid direction specified. Must be read, write or both")
    state = "1" if get(action, "State").strip().lower() in ("1", "yes", "true", "on") else "0"
    with sim.recorder.capturing() as events:
        found = sim.recorder.mute(ch, direction, state)
    if not found:
        return error(action, "Cannot set mute flag")
    return Reply([response(action, "Success", "")], events)


def stop_mix_monitor(sim: AmiHost, action: Action) -> Reply:
    """StopMixMonitor: MixMonitorStop."""
    ch = sim.model.channels.get(get(action, "Channel"))
    if ch is None:
        return error(action, "No such channel")
    with sim.recorder.capturing() as events:
        found = sim.recorder.stop(ch)
    if not found:
        return error(action, "Could not stop MixMonitor")
    return Reply([response(action, "Success", "")], events)


def play_dtmf(sim: AmiHost, action: Action) -> Reply:
    """PlayDTMF (app_senddtmf): with Receive the digit is queued as if the channel's own side
    pressed it, so the application on it (ChanSpy with d: the mode; Queue: an exit digit) reads
    it; without, a Local half sends it to its other half, which reads it. DTMFEnd follows."""
    ch = sim.model.channels.get(get(action, "Channel"))
    if ch is None:
        return error(action, "Channel not found")
    digit = get(action, "Digit")
    if not digit:
        return error(action, "No digit specified")
    duration = get(action, "Duration")
    if duration and not duration.isdigit():
        return error(action, "Could not convert Duration parameter")
    events: list[Message] = []
    extra = [("Digit", digit[0]), ("DurationMs", duration or "0"), ("Direction", "Received")]
    receive = truthy(get(action, "Receive"))
    if receive:
        events.append(ev.event("DTMFEnd", "dtmf,all", ch.headers(), extra))
        received_digit(ch, digit[0])
    # without Receive the digit leaves the channel: a Local half's other half reads it
    reader = ch if receive else sim.model.channels.get(_other_half(ch.name), ch)
    queued = any(reader in q.waiting for q in sim.model.queues.values())
    if queued and (receive or reader is not ch):
        if not receive:
            events.append(ev.event("DTMFEnd", "dtmf,all", reader.headers(), extra))
        sim.interrupt(reader.name, "digit", digit[0], "")  # Queue() reads it: valid_exit
    return Reply([response(action, "Success", "DTMF successfully queued")], events)


def _other_half(name: str) -> str:
    """Local/x@ctx-0001;2 <-> ;1 (any other channel: itself)."""
    if not name.startswith("Local/") or name[-2:] not in (";1", ";2"):
        return name
    return name[:-1] + ("2" if name.endswith("1") else "1")


CALL_HANDLERS: dict[str, Callable[[AmiHost, Action], Reply]] = {
    "originate": originate,
    "redirect": redirect,
    "blindtransfer": blind_transfer,
    "atxfer": atxfer,
    "hangup": hangup,
    "queuewithdrawcaller": queue_withdraw_caller,
    "mixmonitor": mix_monitor,
    "mixmonitormute": mix_monitor_mute,
    "stopmixmonitor": stop_mix_monitor,
    "playdtmf": play_dtmf,
}
