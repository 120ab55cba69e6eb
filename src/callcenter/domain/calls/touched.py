"""The tracker's live calls, noting which ones any handler reached since they were last asked.

The live-call journal writes the calls that changed. Snapshotting every live call to find them
cost a tenth of the backend's CPU at 50 calls/s (five passes a second over every call up). A
handler can change a call only after reaching it through this mapping (by key, or by walking
it), so every call reached is noted as possibly changed: some noted calls did not change (the
journal compares their snapshot and writes nothing), none that changed goes unnoted.
"""

from __future__ import annotations

from _collections_abc import dict_items, dict_values
from typing import TypeVar, overload

from callcenter.domain.calls.livecall import LiveCall

Key = tuple[str, str]  # (pbx, linkedid)
T = TypeVar("T")


class TouchedCalls(dict[Key, LiveCall]):
    """A dict of live calls that notes every key read or written through it."""

    def __init__(self) -> None:
        super().__init__()
        self.touched: set[Key] = set()

    @overload
    def get(self, key: Key, default: None = None, /) -> LiveCall | None: ...
    @overload
    def get(self, key: Key, default: LiveCall, /) -> LiveCall: ...
    @overload
    def get(self, key: Key, default: T, /) -> LiveCall | T: ...

    def get(self, key: Key, default: object = None, /) -> object:
        if key in self:
            self.touched.add(key)
            return dict.__getitem__(self, key)
        return default

    def __getitem__(self, key: Key) -> LiveCall:
        call = dict.__getitem__(self, key)
        self.touched.add(key)
        return call

    def __setitem__(self, key: Key, call: LiveCall) -> None:
        dict.__setitem__(self, key, call)
        self.touched.add(key)

    def items(self) -> dict_items[Key, LiveCall]:  # a walk may change any call it passes
        self.touched.update(dict.keys(self))
        return dict.items(self)

    def values(self) -> dict_values[Key, LiveCall]:
        self.touched.update(dict.keys(self))
        return dict.values(self)

    def of(self, pbx: str) -> list[LiveCall]:
        """The calls of one PBX, for reading only (not noted)."""
        return [call for (p, _), call in dict.items(self) if p == pbx]

    def take_touched(self, pbx: str) -> list[LiveCall]:
        """The live calls of `pbx` reached since the last take (ended ones left out)."""
        taken = [key for key in self.touched if key[0] == pbx]
        self.touched.difference_update(taken)
        return [call for key in taken if (call := dict.get(self, key)) is not None]
