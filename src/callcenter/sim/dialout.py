"""Customer-first Originate: the customer's line rings first; on answer AMD, then
Queue(telemarketing). Failures give OriginateResponse Failure with the dial string."""

from __future__ import annotations

from dataclasses import replace

from callcenter.sim import events as ev
from callcenter.sim.callerleg import caller_hangs_up
from callcenter.sim.originate import (
    FAILURE_REASON,
    HANGUP_CAUSE,
    OriginateSpec,
    answered,
    bring_up,
    parse_callerid,
    response,
    ringing,
)
from callcenter.sim.pstn import Dialled
from callcenter.sim.queueing import run_queue
from callcenter.sim.switch import CallHandle, CallSpec, Switch, drop

OUTBOUND_QUEUE = "telemarketing"
CONNECT_WAIT_S = 30.0  # [globals] CC_CONNECT_WAIT_DEFAULT; an Originate's CC_CONNECT_WAIT wins
ABANDON_MESSAGE_S = 6.0  # the recorded abandon message [outbound-connect] plays, then hangs up
AMD_HUMAN_S, AMD_MACHINE_S = 1.6, 4.9  # how long AMD listens before deciding
AMD = {"answer": ("HUMAN", "HUMAN-800-800"), "machine": ("MACHINE", "MAXWORDS-3-2")}


async def play_customer_first(
    sw: Switch, spec: OriginateSpec, dialled: Dialled, template: CallSpec
) -> str:
    """Dial the customer; answered humans wait in the outbound queue like any caller."""
    target = spec.channel.removeprefix("Local/").removesuffix("/n")
    number = target.partition("@")[0]
    num, name = parse_callerid(spec.callerid or f"<{number}>")
    c1, c2 = bring_up(sw, target, num, name)
    call = CallHandle(c1, c2)
    sw.calls[c1.uniqueid] = call  # Hangup, Redirect and withdraw reach it like any call
    try:
        return await _play(sw, spec, dialled, template, call)
    finally:
        sw.calls.pop(c1.uniqueid, None)


async def _play(
    sw: Switch, spec: OriginateSpec, dialled: Dialled, template: CallSpec, call: CallHandle
) -> str:
    c1, c2 = call.caller, call.twin
    num, name = c1.cid_num, c1.cid_name
    number = spec.channel.removeprefix("Local/").partition("@")[0]
    outcome = dialled.outcome
    if outcome != "invalid":
        ringing(sw, c1)
    wait = {"busy": 0.5, "congestion": 0.5, "invalid": 0.0}.get(outcome, dialled.ring_s)
    if dialled.signal_s is not None and outcome in ("busy", "congestion"):
        wait = dialled.signal_s
    if outcome == "noanswer" or wait >= spec.timeout_s:
        outcome, wait = "noanswer", spec.timeout_s
    await call.wait(sw, wait)
    if outcome in FAILURE_REASON:
        cause = HANGUP_CAUSE[outcome]
        sw.emit(ev.chan_event("HangupRequest", c2, ("Cause", cause)))
        sw.emit(ev.hangup(c1, cause))
        response(sw, spec, None, FAILURE_REASON[outcome], num, name)
        sw.emit(ev.hangup(c2, cause))
        drop(sw, c1, c2)
        return outcome
    answered(sw, c1, c2)
    response(sw, spec, c1, "4", num, name)
    c1.context, c1.exten, c1.priority = spec.context or "outbound-connect", spec.exten or "s", "1"
    if sw.noise:
        sw.emit(ev.newexten(c1, "AMD"))
    await call.wait(sw, AMD_MACHINE_S if outcome == "machine" else AMD_HUMAN_S)
    status, cause = AMD.get(outcome, AMD["answer"])
    sw.emit(ev.varset(c1, "AMDSTATUS", status))
    sw.emit(ev.varset(c1, "AMDCAUSE", cause))
    plain = {k.lstrip("_"): v for k, v in spec.variables.items()}
    if status == "MACHINE" and plain.get("CC_AMD_ACTION", "hangup") != "agent":
        if plain.get("CC_AMD_ACTION") == "message":  # Playback of the campaign's message
            await call.wait(sw, ABANDON_MESSAGE_S)
        caller_hangs_up(sw, call, after_queue=True)
        return "machine"
    call_spec = replace(
        template, caller_num=num, caller_name=None, entry=number, talk_s=dialled.talk_s
    )
    queue = plain.get("CC_QUEUE", "")
    queue = queue if queue in sw.model.queues else OUTBOUND_QUEUE
    wait = _num(plain.get("CC_CONNECT_WAIT", ""), CONNECT_WAIT_S)
    result, _ = await run_queue(sw, call, call_spec, queue, wait)
    if result == "timeout":  # QUEUESTATUS=TIMEOUT: the abandon message, then hang up
        sw.emit(ev.varset(c1, "QUEUESTATUS", "TIMEOUT"))
        await call.wait(sw, ABANDON_MESSAGE_S)
        caller_hangs_up(sw, call, after_queue=True)
    elif result == "keypress":  # [cc-queue-exit]: no entry point, the abandon message too
        await call.wait(sw, ABANDON_MESSAGE_S)
        caller_hangs_up(sw, call, after_queue=True)
    return result


def _num(text: str, default: float) -> float:
    try:
        value = float(text)
    except ValueError:
        return default
    return value if value > 0 else default
