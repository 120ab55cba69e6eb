"""Request and response models of the agent, skill and group routes."""

from __future__ import annotations

from typing import Annotated, Self

from fastapi import Path
from pydantic import BaseModel, Field, StringConstraints

from callcenter.api.fields import ONE_LINE
from callcenter.api.schemas import Name, Strict
from callcenter.domain.agents.records import Agent, Skill
from callcenter.domain.routing.groups import Group

AgentCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,20}$"), ONE_LINE
]
# Asterisk interfaces look like PJSIP/1001, SIP/1001, Local/1001@agents, Custom:agent1001
Interface = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]+[/:][^\s,|;]{1,110}$"),
    ONE_LINE,
]
# An agent code in a URL: any code on one line may be asked for (an unknown one is a 404).
AgentCodePath = Annotated[str, Path(min_length=1, max_length=40), ONE_LINE]
GroupSlug = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), ONE_LINE
]


class SkillIn(Strict):
    """A skill: a group and a level 1-10 (queue penalty = 10 - level)."""

    group: GroupSlug
    level: int = Field(ge=1, le=10)

    def record(self) -> Skill:
        """As the stored record."""
        return Skill(group_slug=self.group, level=self.level)


class AgentIn(Strict):
    """A new agent."""

    code: AgentCode
    name: Name
    interface: Interface
    state_interface: Interface | None = None
    active: bool = True
    skills: list[SkillIn] = Field(default_factory=list, max_length=7)


class SkillsIn(Strict):
    """The agent's complete new skill set."""

    skills: list[SkillIn] = Field(max_length=7)


class SkillOut(BaseModel):
    """A skill with the penalty Asterisk uses for it."""

    group: str = Field(validation_alias="group_slug")
    level: int
    penalty: int


class AgentOut(BaseModel):
    """An agent with skills."""

    code: str
    name: str
    interface: str
    state_interface: str | None
    active: bool
    skills: list[SkillOut]

    @classmethod
    def of(cls, a: Agent) -> Self:
        """From the stored record (same-named fields; a skill's `group` is its `group_slug`)."""
        return cls.model_validate(a, from_attributes=True)


class GroupOut(BaseModel):
    """A functional group and its queue."""

    slug: str
    name: str
    name_zh: str
    queue: str
    entry_point: str
    sl_target_seconds: int
    sl_target_percent: int
    overflow_group: str | None = Field(description="from the routing rule book")
    overflow_after_s: int | None
    borrow_group: str | None
    borrow_after_s: int | None
    hours: list[str] = Field(description="opening hours; none means always open")
    holiday_hours: list[str]

    @classmethod
    def of(cls, g: Group) -> Self:
        """From the stored record and the rule book's part (null/empty for a group it lacks)."""
        r = g.routing
        steps = {s.kind: s for s in r.overflow_plan()} if r else {}
        overflow, borrow = steps.get("overflow"), steps.get("borrow")
        return cls(
            slug=g.slug,
            name=g.name,
            name_zh=g.name_zh,
            queue=g.queue,
            entry_point=g.entry_point,
            sl_target_seconds=g.sl_target_seconds,
            sl_target_percent=g.sl_target_percent,
            overflow_group=overflow.queue if overflow else None,
            overflow_after_s=overflow.after_s if overflow else None,
            borrow_group=borrow.queue if borrow else None,
            borrow_after_s=borrow.after_s if borrow else None,
            hours=[s.text for s in r.hours] if r else [],
            holiday_hours=[s.text for s in r.holiday_hours] if r else [],
        )
