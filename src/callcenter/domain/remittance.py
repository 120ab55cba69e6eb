"""A postal remittance slip matched to the order it pays (pure).

A slip names an amount and (usually) the payer's member number. The member's unpaid orders
(`placed`) of exactly that amount are the sure answer: one is `matched`, several are
`ambiguous` (oldest first: a slip usually pays the oldest bill). With none exact, the candidates
a person should look at are shown with the reason each is unsure: an unpaid order of a close
amount (a fee, a rounding), or an order of that amount already paid (paid twice?). No candidate
at all is `unknown`: the slip is filed for the back office to trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from callcenter.domain.orders import Order

SlipStatus = Literal["matched", "ambiguous", "unknown"]
UNPAID = "placed"
CLOSE_SHARE = Decimal("0.10")  # an unpaid order within 10 % of the slip is worth showing
MAX_CANDIDATES = 5


@dataclass(frozen=True)
class OrderCandidate:
    """An order the slip may pay, and why it is (or may be) the one."""

    order_id: int
    order_number: str
    total: Decimal
    status: str
    placed_at: str  # ISO date-time
    reason: str


@dataclass(frozen=True)
class SlipMatch:
    """The outcome: the order when sure, else the candidates to choose from."""

    status: SlipStatus
    candidates: tuple[OrderCandidate, ...] = ()

    @property
    def order_id(self) -> int | None:
        """The order the slip pays, when that is sure."""
        return self.candidates[0].order_id if self.status == "matched" else None


def match_slip(amount: Decimal, orders: Sequence[Order]) -> SlipMatch:
    """Match a slip of `amount` against the member's orders."""
    oldest = sorted(orders, key=lambda o: (o.placed_at, o.id))
    exact = [o for o in oldest if o.status == UNPAID and o.total == amount]
    if exact:
        status: SlipStatus = "matched" if len(exact) == 1 else "ambiguous"
        why = "amount and member number" if len(exact) == 1 else "same amount, several unpaid"
        return SlipMatch(status, tuple(_candidate(o, why) for o in exact[:MAX_CANDIDATES]))
    unsure: list[OrderCandidate] = []
    close = [
        o
        for o in oldest
        if o.status == UNPAID and abs(o.total - amount) <= CLOSE_SHARE * max(o.total, amount)
    ]
    close.sort(key=lambda o: abs(o.total - amount))
    for o in close:
        unsure.append(_candidate(o, f"unpaid, amount differs by {abs(o.total - amount)}"))
    for o in oldest:
        if o.status != UNPAID and o.total == amount:
            unsure.append(_candidate(o, f"same amount, already {o.status}"))
    if not unsure:
        return SlipMatch("unknown")
    return SlipMatch("ambiguous", tuple(unsure[:MAX_CANDIDATES]))


def _candidate(order: Order, reason: str) -> OrderCandidate:
    return OrderCandidate(
        order_id=order.id,
        order_number=order.order_number,
        total=order.total,
        status=order.status,
        placed_at=order.placed_at.isoformat(),
        reason=reason,
    )
