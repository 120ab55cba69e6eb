"""Every fact of every PBX's pipeline goes through one explicit list of handlers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from callcenter.domain.calls.facts import Fact

log = logging.getLogger(__name__)

FactHandler = Callable[[Fact], None]


class FactFanout:
    """Hands each fact to every handler in list order; a failing handler never stops the others.

    The handlers share no state through the order: each reads only its own state and the fact
    (the screen-pop and the call recorder meet through `CallCustomers`, the pop-latency metric is
    a hook the screen-pop service calls). The bootstrap still lists them in a fixed order so a
    log of one fact reads the same way every time.
    """

    def __init__(self, handlers: Sequence[FactHandler]) -> None:
        self.handlers = tuple(handlers)
        self.facts = 0

    def on_fact(self, fact: Fact) -> None:
        """Handle one fact from a pipeline (or a remote fact shared over the bus)."""
        self.facts += 1
        for handler in self.handlers:
            try:
                handler(fact)
            except Exception:
                log.exception("fact handler %r failed on %r", handler, fact)
