"""The call state machine: domain events (what Asterisk told us, `...Seen`) in, facts out."""

from callcenter.domain.calls.tracker import CallTracker

__all__ = ["CallTracker"]
