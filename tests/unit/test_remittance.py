"""A remittance slip matched to the order it pays, table-tested (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from callcenter.domain.orders import Order
from callcenter.domain.remittance import match_slip


def order(id_: int, total: str, status: str = "placed", day: int = 1) -> Order:
    return Order(
        id=id_,
        customer_id=1,
        order_number=f"BK-{id_}",
        channel="postal_remittance",
        status=status,
        total=Decimal(total),
        currency="CNY",
        placed_at=datetime(2026, 11, day, tzinfo=UTC),
        items=(),
    )


@pytest.mark.parametrize(
    ("amount", "orders", "status", "numbers"),
    [
        # one unpaid order of that amount: sure
        ("35.00", [order(1, "35.00"), order(2, "59.80")], "matched", ["BK-1"]),
        # several: oldest first, to pick from
        (
            "59.80",
            [order(2, "59.80", day=5), order(3, "59.80", day=2)],
            "ambiguous",
            ["BK-3", "BK-2"],
        ),
        # the same amount already paid is no sure match, but worth a look (paid twice?)
        ("35.00", [order(1, "35.00", "paid")], "ambiguous", ["BK-1"]),
        # a close unpaid amount (a fee) before a paid one of the same amount; nearest first
        (
            "36.00",
            [order(1, "35.00"), order(2, "36.50"), order(3, "36.00", "shipped"), order(4, "80.00")],
            "ambiguous",
            ["BK-2", "BK-1", "BK-3"],
        ),
        # nothing near: the back office traces it
        ("1000.00", [order(1, "35.00")], "unknown", []),
        ("35.00", [], "unknown", []),
    ],
)
def test_a_slip_finds_the_order_it_pays(
    amount: str, orders: list[Order], status: str, numbers: list[str]
) -> None:
    match = match_slip(Decimal(amount), orders)
    assert match.status == status
    assert [c.order_number for c in match.candidates] == numbers
    assert match.order_id == (orders[0].id if status == "matched" else None)
