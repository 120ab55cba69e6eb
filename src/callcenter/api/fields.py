"""Request field types shared by every route: database ids, free text, days and times."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

# Database ids are signed 64-bit: a larger number names nothing and would crash the query.
DB_ID_MAX = 2**63 - 1
DbId = Annotated[int, Field(ge=1, le=DB_ID_MAX)]
"""An id in a request body."""
IdPath = Annotated[int, Path(ge=1, le=DB_ID_MAX)]
"""An id in a URL path (works for any parameter name)."""

# PostgreSQL text cannot hold NUL, no name, code or search term has a use for control characters,
# and a lone UTF-16 surrogate (JSON "\ud800") cannot be encoded for the database at all.
_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
# Notes and descriptions may run over several lines and keep their tabs.
_CONTROL_IN_PROSE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _one_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError(
            "control characters (NUL, line breaks, tabs) and lone surrogates are not allowed"
        )
    return value


def _prose(value: str) -> str:
    if _CONTROL_IN_PROSE.search(value):
        raise ValueError(
            "control characters (but line breaks, tabs) and lone surrogates are not allowed"
        )
    return value


# Markers for free-text types, placed after their StringConstraints (so stripping comes first):
# ONE_LINE for names, codes, subjects and search terms; PROSE for notes and descriptions.
ONE_LINE = AfterValidator(_one_line)
PROSE = AfterValidator(_prose)
OneLine = Annotated[str, ONE_LINE]
Prose = Annotated[str, PROSE]

# Dates and times outside these years are typing errors, and near year 1 or 9999 the time zone
# arithmetic of the database drivers overflows.
FIRST_YEAR = 1900
LAST_YEAR = 2100


def _plausible_day(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must lie in the years {FIRST_YEAR} to {LAST_YEAR}")
    return value


def _plausible_moment(value: datetime) -> datetime:
    # the local year first: only then is turning it into UTC sure not to overflow
    local_ok = FIRST_YEAR <= value.year <= LAST_YEAR
    if not local_ok or not FIRST_YEAR <= value.astimezone(UTC).year <= LAST_YEAR:
        raise ValueError(f"must lie in the years {FIRST_YEAR} to {LAST_YEAR}")
    return value


Day = Annotated[date, AfterValidator(_plausible_day)]
"""A calendar day in a request body (birthday, member since)."""
Moment = Annotated[AwareDatetime, AfterValidator(_plausible_moment)]
"""A point in time in a request body: with a UTC offset, within the years served."""


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


UtcTime = Annotated[datetime, AfterValidator(_as_utc)]
"""A timestamp in a response: always UTC; naive ones (SQLite hands them back so) already are."""
DecimalText = Annotated[str, BeforeValidator(str)]
"""Money in a response: the decimal as a string, never a float."""
