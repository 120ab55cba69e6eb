"""The agent desktop's state, rebuilt from the server: a reloaded page shows what it showed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from callcenter.adapters.push.protocol import call_update_payload, screen_pop_payload
from callcenter.api.agent_control import Code, ControlDep
from callcenter.api.deps import RuntimeDep
from callcenter.services.desk import DeskCall

router = APIRouter(tags=["agent control"])


def _call(call: DeskCall | None) -> dict[str, Any] | None:
    if call is None:
        return None
    out: dict[str, Any] = {
        "linkedid": call.linkedid,
        "pbx": call.pbx,
        "phase": call.phase,
        "ringing_at": call.ringing_at,
        "answered_at": call.answered_at,
        "pop": screen_pop_payload(call.pop) if call.pop is not None else None,
    }
    if call.ended is not None:
        out["ended"] = call_update_payload(call.ended)
        out["ended_at"] = call.ended_at
        out["wrapup_s"] = call.wrapup_s
        out["wrapup_until"] = call.wrapup_until
    return out


@router.get("/api/agents/{code}/today")
async def today(code: Code, runtime: RuntimeDep) -> dict[str, Any]:
    """The agent's own figures today: `answered`, `aht_s`, `fcr_percent` (settled in the first
    contact, of answered calls with a disposition), `paused_s` and whether paused now."""
    return runtime.wallboard.agent_today(code)


@router.get("/api/agents/{code}/desk")
async def desk(code: Code, control: ControlDep, runtime: RuntimeDep) -> dict[str, Any]:
    """What the agent's desktop shows now: presence, pending pause, live call, open wrap-up.

    `call` is the call ringing or connected (`phase`, `ringing_at`, `answered_at` in epoch
    seconds, `pop` = the `screen_pop` payload); `wrap_up` is the ended call still awaiting its
    disposition (`ended` = the `call_update` payload, `wrapup_until` = end of the queue's
    wrap-up time, `CALLCENTER_QUEUE_WRAPUP_S`, as queues.conf's `wrapuptime`).
    """
    seen = control.state(code=code)
    desk = runtime.desk.desk(code)
    presence = None
    if seen is not None:
        presence = {
            "agent": code,
            "state": seen.state,
            "reason": seen.reason,
            "queues": list(seen.queues),
            "paused_in": list(seen.paused_in),
            "since": seen.since,
        }
    return {
        "agent": code,
        "presence": presence,
        "pause_pending": control.pending_pauses.reason(code),
        "call": _call(desk.call),
        "wrap_up": _call(desk.wrap_up),
    }
