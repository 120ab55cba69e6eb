"""One inbound call through the shipped dialplan: [inbound] -> [cc-route] (the routing hook)
-> [cc-queue] (preferred agent, Queue(), overflow steps) -> hang-up."""

from __future__ import annotations

import logging

from callcenter.sim import events as ev
from callcenter.sim.attended import attended
from callcenter.sim.callerleg import caller_hangs_up
from callcenter.sim.model import ENTRY_POINTS, OVERFLOW
from callcenter.sim.preferred import dial_preferred, free_preferred
from callcenter.sim.queueing import run_queue
from callcenter.sim.switch import CallHandle, CallSpec, Router, Switch
from callcenter.sim.transfer import target_queue

log = logging.getLogger(__name__)
AGI_URL = "agi://127.0.0.1:4573/route"
PREFERRED_RING_S = 12  # CC_PREFERRED_RING
FALLBACK_OVERFLOW, FALLBACK_AFTER_S = "member-hotline", 60.0
FOREVER = 600.0


def _steps(sw: Switch, call: CallHandle, context: str, exten: str, steps: list[str]) -> None:
    one = call.caller
    one.context, one.exten = context, exten
    for prio, text in enumerate(steps, start=1):
        one.priority = str(prio)
        app, _, data = text.partition(":")
        if sw.noise:
            sw.emit(ev.newexten(one, app, data))
        if app == "Set" and sw.noise:
            sw.emit(ev.varset(one, *data.split("=", 1)))


async def route(
    sw: Switch, call: CallHandle, spec: CallSpec, router: Router | None
) -> dict[str, str]:
    """[inbound] then [cc-route]: the hook gets the entry point as its first argument."""
    default = spec.queue or ENTRY_POINTS.get(spec.entry, "member-hotline")
    inbound = [
        f"NoOp:inbound call {spec.caller_name or ''} <{spec.caller_num or ''}> to {spec.entry}",
        f"Set:CC_ENTRY={spec.entry}",
        f"Set:CC_DEFAULT_QUEUE={default}",
        "Goto:cc-route,s,1",
    ]
    _steps(sw, call, "inbound", spec.entry, inbound)
    _steps(sw, call, "cc-route", "s", ["Set:CC_QUEUE=", "Set:CC_REASON=", "Set:CC_ACTION="])
    if router is None:
        return {"CC_QUEUE": default}
    one = call.caller
    one.priority = "4"
    if sw.noise:
        sw.emit(ev.newexten(one, "AGI", f"{AGI_URL},{spec.entry},{spec.menu}"))
    try:
        variables = await router(spec, one)
    except Exception as exc:  # the dialplan falls back whatever went wrong with the hook
        log.info("AGI route failed (%s); using the default queue %s", exc, default)
        variables = {}
    for n, (name, value) in enumerate(variables.items()):
        command = f"SET VARIABLE {name} {value}"
        cid = ("CommandId", str(54564878 + n))
        sw.emit(ev.chan_event("AGIExecStart", one, cid, ("Command", command), priv="agi,all"))
        sw.emit(ev.varset(one, name, value))
        done = [cid, ("Command", command), ("ResultCode", "200"), ("Result", "Success")]
        sw.emit(ev.chan_event("AGIExecEnd", one, *done, priv="agi,all"))
    sw.emit(ev.varset(one, "AGISTATUS", "SUCCESS" if variables else "FAILURE"))
    if not variables.get("CC_REASON") or variables.get("CC_QUEUE") not in sw.model.queues:
        overflow = "" if default == FALLBACK_OVERFLOW else FALLBACK_OVERFLOW
        after = str(int(FALLBACK_AFTER_S)) if overflow else ""
        return {"CC_QUEUE": default, "CC_OVERFLOW_QUEUE": overflow, "CC_OVERFLOW_AFTER": after}
    return variables


def plan(spec: CallSpec, variables: dict[str, str], hooked: bool) -> list[tuple[str, float]]:
    """The Queue() steps [cc-queue] runs: (queue, timeout) for the queue and its overflows."""
    queue = variables["CC_QUEUE"]
    if not hooked:  # no hook configured: the entry point's queue, then the recorded overflow
        nxt = OVERFLOW.get(queue)
        return [(queue, spec.max_wait_s)] + ([(nxt, FOREVER)] if nxt else [])
    steps: list[tuple[str, float]] = []
    overflow, widen = variables.get("CC_OVERFLOW_QUEUE", ""), variables.get("CC_WIDEN_QUEUE", "")
    after = _seconds(variables.get("CC_OVERFLOW_AFTER", ""), spec.max_wait_s)
    steps.append((queue, after if overflow else spec.max_wait_s))
    if overflow:
        widen_after = _seconds(variables.get("CC_WIDEN_AFTER", ""), FOREVER)
        steps.append((overflow, max(widen_after - after, 1.0) if widen else FOREVER))
    if overflow and widen:
        steps.append((widen, FOREVER))
    return steps


def _seconds(text: str, default: float) -> float:
    return float(text) if text.isdigit() and int(text) > 0 else default


async def play_inbound(sw: Switch, call: CallHandle, spec: CallSpec, router: Router | None) -> str:
    """The whole call: routing, preferred agent, queue steps, then the caller's hang-up."""
    variables = await route(sw, call, spec, router)
    pref = variables.get("CC_PREFERRED_AGENT", "")
    steps = plan(spec, variables, router is not None)
    one = call.caller
    _steps(sw, call, "cc-queue", "s", [f"NoOp:queue {steps[0][0]}", "Set:QUEUE_PRIO=0"])
    member = free_preferred(sw, pref) if pref else None
    if member is not None:
        outcome, got = await dial_preferred(sw, call, spec, member, PREFERRED_RING_S)
        if outcome == "moved" and got is not None:
            steps = [(target_queue(sw, got.exten, steps[0][0]), FOREVER)]
        elif outcome != "noanswer":
            return outcome
    while steps:
        queue, timeout = steps.pop(0)
        outcome, target = await run_queue(sw, call, spec, queue, timeout)
        if outcome == "atxfer":
            return await attended(sw, call, spec, target)
        if outcome == "moved" and target:
            steps = [(target, FOREVER)]
            continue
        if outcome == "timeout":
            sw.emit(ev.varset(one, "QUEUESTATUS", "TIMEOUT"))
            if steps:
                continue
            one.context, one.exten = "cc-callback", "s"  # the promise, then the prompt
            sw.emit(ev.varset(one, "CC_CALLBACK", "promised"))
            caller_hangs_up(sw, call, after_queue=True)  # [cc-callback] then Hangup()
        if outcome == "keypress":  # [cc-queue-exit] 1: the request, then [cc-callback] requested
            sw.emit(ev.varset(one, "CC_CALLBACK", "requested"))
            one.context, one.exten = "cc-callback", "requested"
            caller_hangs_up(sw, call, after_queue=True)
        if outcome == "withdrawn":
            caller_hangs_up(sw, call, after_queue=True)
        return outcome
    return "answered"
