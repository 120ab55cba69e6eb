"""Which customer each live call was matched to, kept apart from the screen-pop's own cache.

The screen-pop fetch writes here when it finds the caller; the call recorder takes the entry
when the call ends. Neither reads the other's state, so the order in which they see a fact
does not matter.
"""

from __future__ import annotations

from collections import OrderedDict


class CallCustomers:
    """(pbx, linkedid) -> customer id, bounded: the oldest entries go first."""

    def __init__(self, keep: int = 10_000) -> None:
        self._keep = keep
        self._ids: OrderedDict[tuple[str, str], int] = OrderedDict()

    def matched(self, pbx: str, linkedid: str, customer_id: int) -> None:
        """Remember the customer a live call was matched to."""
        key = (pbx, linkedid)
        self._ids[key] = customer_id
        self._ids.move_to_end(key)
        while len(self._ids) > self._keep:
            self._ids.popitem(last=False)

    def take(self, pbx: str, linkedid: str) -> int | None:
        """The customer of a call that ended, forgotten from here on."""
        return self._ids.pop((pbx, linkedid), None)

    def __len__(self) -> int:
        return len(self._ids)
