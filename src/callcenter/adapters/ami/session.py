"""panoramisk's Manager with reconnection left to the listener: a lost socket only reports."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from panoramisk import Manager

log = logging.getLogger("callcenter.adapters.ami.listener")


class LossAwareManager(Manager):  # type: ignore[misc]
    """panoramisk's Manager, with reconnection left to AmiListener (backoff, resync)."""

    def __init__(self, on_lost: Callable[[], None], **config: Any) -> None:
        super().__init__(**config)
        self._on_lost = on_lost

    def connection_lost(self, exc: object) -> None:
        self._connected = False
        pinger: asyncio.TimerHandle | None = getattr(self, "pinger", None)
        if pinger is not None:
            pinger.cancel()
        self.pinger = None
        log.warning("AMI connection lost")
        self._on_lost()
