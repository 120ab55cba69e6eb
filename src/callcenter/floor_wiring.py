"""Building the wallboard, the floor control ("Ready", supervisors' force pause / log out) and the
desktop's promised callbacks; called by bootstrap.py, which stays one readable page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from callcenter.settings import Settings

if TYPE_CHECKING:
    from callcenter.domain.agents.directory import AgentDirectory
    from callcenter.domain.agents.presence import PresenceBoard
    from callcenter.ports.push import Notifier
    from callcenter.runtime import Runtime
    from callcenter.services.floor_control import FloorControl
    from callcenter.services.wallboard import WallboardService


def wallboard_service(
    settings: Settings, notifier: Notifier, presence: PresenceBoard, agents: AgentDirectory
) -> WallboardService:
    """Live per-group figures (rebuilt from today's stored calls when the runtime starts)."""
    from callcenter.domain.kpi.alarms import AlarmRules
    from callcenter.services.wallboard import WallboardService

    return WallboardService(
        notifier=notifier,
        presence=presence,
        groups=[],  # rebuild() loads them from the groups table
        timezone=settings.timezone,
        day_start_hour=settings.day_start_hour,
        short_abandon_s=settings.sl_short_abandon_s,
        wrapup_s=dict(settings.queue_wrapup_s),
        agent_code=lambda name: agents.code_for(name, name),
        staffing=settings.staffing_rules(),
        kept_calls=max(settings.wallboard_kept_calls, settings.call_buffer_capacity + 1),
        alarms=AlarmRules(
            wait_s=settings.alarm_wait_s,
            wait_s_by_group=dict(settings.alarm_wait_s_by_group),
            pause_limits_s=dict(settings.pause_limits_s),
        ),
    )


def desk_services(runtime: Runtime) -> None:
    """The desktop's and wallboard's floor control, and callbacks promised on the desktop."""
    from callcenter.services.callback_promises import CallbackPromises

    runtime.floor = floor_control(runtime)
    if runtime.work_items is not None:
        runtime.promises = CallbackPromises(
            uow=runtime.uow, work=runtime.work_items, desk=runtime.desk
        )


def floor_control(runtime: Runtime) -> FloorControl:
    """ "Ready" during wrap-up, and supervisors' force pause / log out (audited)."""
    from callcenter.services.floor_control import FloorControl

    return FloorControl(
        uow=runtime.uow,
        control=runtime.control,
        presence=runtime.presence,
        desk=runtime.desk,
        pbx=runtime.control.home_pbx,
        audit=runtime.audit,
        ready_ends_wrapup=runtime.settings.wrapup_ready_early,
    )
