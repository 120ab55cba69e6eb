"""Attempts whose call was in the air while the PBX connection was down: how each one settles."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

# What Asterisk may have told before the cut that stands as the attempt's result.
KNOWN_FAILURES = ("busy", "no_answer", "congestion")


@dataclass(frozen=True)
class LastSeen:
    """An attempt's last known state when the connection dropped."""

    connected: bool = False  # an agent took the call
    answered: bool = False  # a live answer waiting for an agent
    machine: bool = False  # AMD said MACHINE
    failure: str | None = None  # a dial failure already reported (busy, no answer, congestion)


def live_call_of(
    *,
    linkedid: str | None,
    dialled: str,
    live_linkedids: Collection[str],
    live_dials: Mapping[str, str],
) -> str | None:
    """The call id under which the PBX still lists an attempt's call (its own, or its customer
    leg's: the trunk digits the Originate's Local channel is named after); None: it is gone."""
    if linkedid is not None and linkedid in live_linkedids:
        return linkedid
    return live_dials.get(dialled)


def settle_unseen(last: LastSeen) -> str:
    """The outcome of an attempt whose call was gone when the PBX was next asked (no CDR: what
    was last known). An agent's call is connected; a live answer no agent was seen to take is
    dropped (an abandon: the strict reading); a machine stays a machine; a failure already
    reported stands; with no answer seen it is a no answer, retried by the campaign's rule and
    never counted as an abandon."""
    if last.connected:
        return "connected"
    if last.answered:
        return "dropped"
    if last.machine:
        return "machine"
    if last.failure in KNOWN_FAILURES:
        return last.failure
    return "no_answer"
