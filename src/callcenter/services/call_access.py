"""Who may write about a call: the agent who handled it (any leg), or a supervisor or admin."""

from __future__ import annotations

from callcenter.domain.access.auth import MANAGERS, Principal
from callcenter.ports.call_stores import CallRef
from callcenter.services.errors import Forbidden


def check_call_write(principal: Principal, call: CallRef) -> None:
    """Forbidden unless the principal handled the call or manages the floor."""
    if principal.role in MANAGERS:
        return
    if principal.role == "agent" and principal.agent_id in call.handled_by:
        return
    who = f"agent {principal.agent_code}" if principal.role == "agent" else principal.role
    raise Forbidden(
        f"{who} did not handle call {call.linkedid}; only its agent or a supervisor may change it"
    )


def principal_label(principal: Principal) -> str:
    """How a write's author is kept in history: 'agent 1001', 'supervisor (token 7)', 'admin'."""
    if principal.role == "agent":
        return f"agent {principal.agent_code}"
    if principal.token_id is not None:
        return f"{principal.role} (token {principal.token_id})"
    return principal.role
