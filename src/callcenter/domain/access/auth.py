"""API tokens, roles and who may do what; tokens are stored only as their SHA-256 hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Role = Literal["admin", "supervisor", "agent", "dialplan", "intake"]
ROLES: tuple[Role, ...] = ("admin", "supervisor", "agent", "dialplan", "intake")

Action = Literal[
    "customers.read",
    "customers.write",
    "complaints.write",
    "calls.read",
    "agents.read",
    "agents.manage",
    "wallboard.view",
    "reports.view",
    "dialplan.route",
    "tokens.manage",
    "webhooks.manage",
    "work.submit",
    "work.read",
    "work.manage",
    "campaigns.manage",
]

STAFF: frozenset[Role] = frozenset({"admin", "supervisor", "agent"})
MANAGERS: frozenset[Role] = frozenset({"admin", "supervisor"})

# The dialplan token only asks for routing decisions; it never sees customer data beyond that.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    "customers.read": STAFF,
    "customers.write": STAFF,
    "complaints.write": STAFF,
    "calls.read": STAFF,
    "agents.read": STAFF,
    "agents.manage": MANAGERS,
    "wallboard.view": MANAGERS,
    "reports.view": MANAGERS,
    "dialplan.route": frozenset({"admin", "dialplan"}),
    "tokens.manage": frozenset({"admin"}),
    "webhooks.manage": frozenset({"admin"}),
    # intake systems (mail gateways, scanners, web forms) file work items and see nothing else
    "work.submit": frozenset({"admin", "supervisor", "intake"}),
    "work.read": STAFF,
    "work.manage": STAFF,  # an agent only for items they own (services/work_items.py)
    "campaigns.manage": MANAGERS,
}

TOKEN_PREFIX = "cc_"
_TOKEN_BYTES = 32


class PermissionDenied(Exception):
    """The principal may not do this; the API maps it to 403."""


@dataclass(frozen=True)
class Principal:
    """Who is calling the API: a role, and for agent tokens the agent they belong to."""

    role: Role
    agent_id: int | None = None
    agent_code: str | None = None
    token_id: int | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.role == "agent" and (self.agent_id is None or not self.agent_code):
            raise ValueError("an agent principal needs agent_id and agent_code")


@dataclass(frozen=True)
class ApiToken:
    """A stored API token (only its hash is kept)."""

    id: int
    token_hash: str
    role: str
    agent_id: int | None
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


def parse_role(text: str) -> Role:
    """A role from user input (CLI, API); a clear error for anything else."""
    role = text.strip().lower()
    if role not in ROLES:
        raise ValueError(f"unknown role {text!r}; expected one of {', '.join(ROLES)}")
    return role


def new_token() -> str:
    """A fresh random API token, url-safe and recognisable by its prefix."""
    return TOKEN_PREFIX + secrets.token_urlsafe(_TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(text: str) -> bool:
    """Cheap shape check before any database lookup (rejects empty and foreign strings)."""
    body = text[len(TOKEN_PREFIX) :]
    return (
        text.startswith(TOKEN_PREFIX)
        and 20 <= len(body) <= 200
        and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in body)
    )


def token_matches(token: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return hmac.compare_digest(hash_token(token), stored_hash.lower())


def bearer_token(header: str | None) -> str | None:
    """The token from an `Authorization: Bearer ...` header value, or None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def allows(principal: Principal, action: Action) -> bool:
    """Whether the principal's role may perform the action."""
    return principal.role in PERMISSIONS[action]


def require(principal: Principal, action: Action) -> None:
    """Raise PermissionDenied unless the principal may perform the action."""
    if not allows(principal, action):
        raise PermissionDenied(f"role {principal.role} may not {action}")


def can_act_for_agent(principal: Principal, agent_id: int) -> bool:
    """Log in/out, pause, dispose, dial for an agent: managers for anyone, an agent for self."""
    if principal.role in MANAGERS:
        return True
    return principal.role == "agent" and principal.agent_id == agent_id


def can_watch_agent(principal: Principal, agent_code: str) -> bool:
    """Receive an agent's desktop push channel: managers for anyone, an agent only their own."""
    if principal.role in MANAGERS:
        return True
    return principal.role == "agent" and principal.agent_code == agent_code
