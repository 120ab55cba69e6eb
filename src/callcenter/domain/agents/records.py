"""An agent as stored: code, interfaces and skills per group."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Skill:
    """An agent's skill in a group; Asterisk queue penalty = 10 - level."""

    group_slug: str
    level: int

    @property
    def penalty(self) -> int:
        """The app_queue member penalty this level maps to (level 10 -> penalty 0)."""
        return 10 - self.level


@dataclass(frozen=True)
class Agent:
    """An agent with their skills."""

    id: int
    code: str
    name: str
    interface: str
    state_interface: str | None
    active: bool
    skills: tuple[Skill, ...] = ()
