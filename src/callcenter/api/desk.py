"""The agent desktop's state, rebuilt from the server: a reloaded page shows what it showed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import AwareDatetime

from callcenter.adapters.push.protocol import call_update_payload, screen_pop_payload
from callcenter.api.agent_control import Code, ControlDep, LinkedId, Note
from callcenter.api.deps import RuntimeDep, get_principal
from callcenter.api.errors import http_errors
from callcenter.api.schemas import Strict
from callcenter.domain.access.auth import Principal
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


class CallbackIn(Strict):
    """A callback the agent promised on a call: when (with its UTC offset) and a note."""

    linkedid: LinkedId
    due_at: AwareDatetime
    note: Note | None = None


@router.post("/api/agents/{code}/callbacks", status_code=status.HTTP_201_CREATED)
async def promise_callback(
    code: Code,
    body: CallbackIn,
    runtime: RuntimeDep,
    by: Annotated[Principal, Depends(get_principal)],
) -> dict[str, Any]:
    """File a `callback` work item due at `due_at` for the call's customer, in the group whose
    queue took the call (422 `due_at` in the past; 403 for a call the agent did not handle)."""
    if runtime.promises is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "callbacks are not running")
    with http_errors():
        filed = await runtime.promises.promise(
            code=code, linkedid=body.linkedid, due_at=body.due_at, note=body.note, by=by
        )
    return {**filed, "due_at": body.due_at.isoformat(), "kind": "callback"}


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


@router.get("/api/agents/{code}/campaigns")
async def campaigns_to_join(code: Code, runtime: RuntimeDep) -> list[dict[str, Any]]:
    """The running campaigns the agent may join (the groups they have skills in): `id`, `name`,
    `group`, `mode` (preview: the agent dials record by record), `state`."""
    if runtime.campaign_desk is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "campaigns are not wired")
    with http_errors():
        return await runtime.campaign_desk.joinable(code)
