"""The small protocols services speak to; adapters implement them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from callcenter.adapters.db.uow import SqlUnitOfWork

UowFactory = Callable[[], "SqlUnitOfWork"]


class Notifier(Protocol):
    """Pushes a message to everyone subscribed to a channel (an agent's desktop, the wallboard)."""

    def publish(self, channel: str, type_: str, payload: dict[str, Any] | None = None) -> int: ...


class AmiActions(Protocol):
    """Sends one AMI action and returns the reply; AmiActionError on an error reply."""

    async def send_action(self, action: dict[str, Any], *, as_list: bool | None = None) -> Any: ...
