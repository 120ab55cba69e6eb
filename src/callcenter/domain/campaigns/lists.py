"""Building a campaign's list: CSV lines and segment members, normalized, deduplicated, DNC-free."""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from callcenter.domain.customers.numbers import parse_caller_id

MAX_LINES = 200_000


@dataclass(frozen=True)
class Candidate:
    """One line of a list before it is stored: the number (E.164), a name, the customer."""

    number: str
    name: str | None = None
    customer_id: int | None = None
    line: int = 0  # in the CSV, 1-based; 0 for a segment member


@dataclass(frozen=True)
class Reject:
    """A line left out of the list, and why (1-based line number; 0 for a segment member)."""

    line: int
    value: str
    reason: str


def parse_csv(text: str, region: str) -> tuple[list[Candidate], list[Reject]]:
    """`number[,name[,customer_id]]` per line (a header line naming `number` is skipped);
    numbers are normalized as callers' are."""
    accepted: list[Candidate] = []
    rejects: list[Reject] = []
    rows = csv.reader(io.StringIO(text))
    for line_no, row in enumerate(rows, start=1):
        if line_no > MAX_LINES:
            rejects.append(Reject(line_no, "", f"more than {MAX_LINES} lines"))
            break
        cells = [c.strip() for c in row]
        if not cells or not any(cells):
            continue
        if line_no == 1 and cells[0].lower() in ("number", "phone", "电话"):
            continue
        raw = cells[0]
        name = cells[1] if len(cells) > 1 and cells[1] else None
        customer_id: int | None = None
        if len(cells) > 2 and cells[2]:
            if not cells[2].isdigit():
                rejects.append(Reject(line_no, raw, "customer_id is not a whole number"))
                continue
            customer_id = int(cells[2])
        parsed = parse_caller_id(raw, region)
        if not parsed.is_number or parsed.e164 is None:
            rejects.append(Reject(line_no, raw, f"not a dialable number ({parsed.reason})"))
            continue
        accepted.append(Candidate(parsed.e164, name, customer_id, line_no))
    return accepted, rejects


def screen(
    candidates: Iterable[Candidate],
    *,
    dnc_numbers: Collection[str],
    dnc_customers: Collection[int] = frozenset(),
) -> tuple[list[Candidate], list[Reject]]:
    """Drop duplicates and do-not-call numbers and customers."""
    kept: list[Candidate] = []
    rejects: list[Reject] = []
    seen: set[str] = set()
    for c in candidates:
        line = c.line
        if c.number in seen:
            rejects.append(Reject(line, c.number, "duplicate number in the list"))
        elif c.number in dnc_numbers:
            rejects.append(Reject(line, c.number, "number is on the do-not-call list"))
        elif c.customer_id is not None and c.customer_id in dnc_customers:
            rejects.append(Reject(line, c.number, "customer asked not to be called"))
        else:
            seen.add(c.number)
            kept.append(c)
    return kept, rejects
