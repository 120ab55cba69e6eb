"""Caller lookup: rank the customers who own a number and say whether the match is unambiguous."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from callcenter.domain.customers.numbers import ParsedNumber

LookupStatus = Literal["matched", "ambiguous", "unknown", "withheld"]

# Lower ranks first; a segment we do not know ranks after every known one.
SEGMENT_RANK: dict[str, int] = {"vip": 0, "senior": 1, "regular": 2}


@dataclass(frozen=True)
class LookupCandidateRow:
    """One (customer, phone number) row a repository found for a number."""

    customer_id: int
    name: str
    segment: str
    is_primary: bool
    last_contact_at: datetime | None


@dataclass(frozen=True)
class Candidate:
    """A customer who may be calling, with why they rank where they do."""

    customer_id: int
    name: str
    segment: str
    reason: str


@dataclass(frozen=True)
class LookupResult:
    """Who is calling: one customer, several, nobody we know, or a withheld number."""

    status: LookupStatus
    e164: str | None
    candidates: tuple[Candidate, ...]

    @property
    def customer_id(self) -> int | None:
        """The customer when exactly one matched, else None."""
        return self.candidates[0].customer_id if self.status == "matched" else None

    def to_json(self) -> dict[str, object]:
        """JSON-ready form for the API and the screen-pop."""
        return {
            "status": self.status,
            "e164": self.e164,
            "candidates": [
                {
                    "customer_id": c.customer_id,
                    "name": c.name,
                    "segment": c.segment,
                    "reason": c.reason,
                }
                for c in self.candidates
            ],
        }


def rank_candidates(parsed: ParsedNumber, rows: Iterable[LookupCandidateRow]) -> LookupResult:
    """Classify a lookup and order its candidates: primary number, segment, most recent contact."""
    if parsed.kind == "withheld":
        return LookupResult("withheld", None, ())
    if parsed.kind != "number" or parsed.e164 is None:
        return LookupResult("unknown", None, ())
    merged = _merge_by_customer(rows)
    if not merged:
        return LookupResult("unknown", parsed.e164, ())
    ordered = sorted(merged, key=_rank_key)
    status: LookupStatus = "matched" if len(ordered) == 1 else "ambiguous"
    return LookupResult(status, parsed.e164, tuple(_candidate(row) for row in ordered))


def _merge_by_customer(rows: Iterable[LookupCandidateRow]) -> list[LookupCandidateRow]:
    """One row per customer: a customer who has the number twice is still one candidate."""
    by_id: dict[int, LookupCandidateRow] = {}
    for row in rows:
        seen = by_id.get(row.customer_id)
        if seen is None:
            by_id[row.customer_id] = row
            continue
        by_id[row.customer_id] = LookupCandidateRow(
            customer_id=row.customer_id,
            name=seen.name,
            segment=seen.segment,
            is_primary=seen.is_primary or row.is_primary,
            last_contact_at=_latest(seen.last_contact_at, row.last_contact_at),
        )
    return list(by_id.values())


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return a if _as_utc(a) >= _as_utc(b) else b


def _as_utc(moment: datetime) -> datetime:
    """Naive timestamps (SQLite hands them back that way) are taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _rank_key(row: LookupCandidateRow) -> tuple[bool, int, bool, float, int]:
    contact = row.last_contact_at
    recency = -_as_utc(contact).timestamp() if contact is not None else 0.0
    return (
        not row.is_primary,
        SEGMENT_RANK.get(row.segment.lower(), len(SEGMENT_RANK)),
        contact is None,
        recency,
        row.customer_id,  # a stable order when everything else ties
    )


def _candidate(row: LookupCandidateRow) -> Candidate:
    parts = [
        "primary number" if row.is_primary else "secondary number",
        f"{row.segment.lower() or 'unknown'} member",
        (
            f"last contact {row.last_contact_at.date().isoformat()}"
            if row.last_contact_at is not None
            else "no previous contact"
        ),
    ]
    return Candidate(row.customer_id, row.name, row.segment, ", ".join(parts))
