"""Rows to frozen domain records without re-listing their fields: same-named columns are copied."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

R = TypeVar("R")


_FIELDS: dict[type[Any], tuple[str, ...]] = {}


def _field_names(cls: type[Any]) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def record_from_row(cls: type[R], row: Any, /, **overrides: Any) -> R:
    """A `cls` record from an ORM row or a Core row: every field not in `overrides` is read
    from the row attribute of the same name (a missing one is an AttributeError, loudly)."""
    values = {n: getattr(row, n) for n in _field_names(cls) if n not in overrides}
    return cls(**values, **overrides)
