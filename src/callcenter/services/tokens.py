"""Issuing and revoking API tokens; only their hashes are stored."""

from __future__ import annotations

from callcenter.domain.access.auth import hash_token, new_token, parse_role
from callcenter.ports.uow import UowFactory


class UnknownAgent(LookupError):
    """An agent token was asked for an agent code that does not exist."""


async def create_token(
    *, uow: UowFactory, role: str, agent_code: str | None = None, label: str | None = None
) -> tuple[str, int]:
    """A new token (shown once) and its id; an agent token must name an existing agent."""
    checked = parse_role(role)
    if checked == "agent" and not agent_code:
        raise ValueError("an agent token needs --agent CODE")
    if checked != "agent" and agent_code:
        raise ValueError(f"a {checked} token is not tied to an agent")
    token = new_token()
    async with uow() as work:
        agent_id: int | None = None
        if agent_code:
            agent = await work.agents.get_by_code(code=agent_code)
            if agent is None:
                raise UnknownAgent(f"no agent with code {agent_code!r}")
            agent_id = agent.id
        token_id = await work.tokens.add(
            token_hash=hash_token(token), role=checked, agent_id=agent_id, label=label
        )
        await work.commit()
    return token, token_id


async def revoke_token(*, uow: UowFactory, token_id: int) -> bool:
    """Revoke a token; False when it was unknown or already revoked."""
    async with uow() as work:
        done = await work.tokens.revoke(token_id=token_id)
        await work.commit()
    return done
