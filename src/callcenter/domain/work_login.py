"""Which work-item groups an agent is logged in to: the rule, apart from the voice queues.

An agent logs in to or out of work groups on their own (`work-login` / `work-logout`); the
store keeps that choice per (agent, group). A group the agent never chose follows the voice
queues when `follows_queues` is on (the default, today's behaviour: logged in to the group's
voice queue means offered its items), and is logged out otherwise. An explicit choice always
wins over the voice queues, both ways.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

Choices = Mapping[str, bool]  # group slug -> logged in (True) / out (False), as the agent chose


def logged_in(group: str, chosen: Choices, *, in_voice_queue: bool, follows_queues: bool) -> bool:
    """Whether the agent takes work items of `group` now."""
    choice = chosen.get(group)
    if choice is not None:
        return choice
    return follows_queues and in_voice_queue


def surely_out(group: str, chosen: Choices, *, follows_queues: bool) -> bool:
    """Whether the agent is logged out of `group` whatever the voice queues say: an open offer
    of its items to them is withdrawn (presence not yet known after a restart withdraws none)."""
    choice = chosen.get(group)
    return choice is False or (choice is None and not follows_queues)


def work_groups(
    skills: Iterable[str],
    chosen: Choices,
    voice_groups: Collection[str],
    *,
    follows_queues: bool,
) -> list[str]:
    """The skill groups the agent is logged in to for work, in skill order."""
    return [
        g
        for g in skills
        if logged_in(g, chosen, in_voice_queue=g in voice_groups, follows_queues=follows_queues)
    ]


def refused_group(
    requested: Iterable[str], skills: Collection[str], known: Collection[str]
) -> str | None:
    """Why a login or logout names a group it may not (an unknown group or one the agent has
    no skill in), or None when every group is fine."""
    for group in requested:
        if group not in known:
            return f"unknown group {group!r}"
        if group not in skills:
            return f"agent has no skill in group {group!r}"
    return None
