"""Where agents' work-group logins are kept (they survive a restart of the process)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol


class WorkLoginStore(Protocol):
    """Per (agent, group): logged in to its work items or out, as the agent last chose."""

    async def all(self) -> dict[str, dict[str, bool]]:
        """Every agent's choices: agent code -> group slug -> logged in."""
        ...

    async def for_agent(self, code: str) -> dict[str, bool]:
        """One agent's choices: group slug -> logged in."""
        ...

    async def choose(
        self, code: str, groups: Collection[str], *, logged_in: bool, by: str, at: datetime
    ) -> None:
        """Store the agent's choice for these groups (one transaction)."""
        ...
