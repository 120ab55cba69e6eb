"""Orders a customer placed (by post, phone, web, ...) and their lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

OrderChannel = Literal[
    "postal_remittance", "sms", "phone", "email", "web", "telemarketing", "bookstore"
]
OrderStatus = Literal["placed", "paid", "shipped", "delivered", "returned", "cancelled"]

ORDER_CHANNELS: tuple[str, ...] = (
    "postal_remittance",
    "sms",
    "phone",
    "email",
    "web",
    "telemarketing",
    "bookstore",
)
ORDER_STATUSES: tuple[str, ...] = (
    "placed",
    "paid",
    "shipped",
    "delivered",
    "returned",
    "cancelled",
)


@dataclass(frozen=True)
class OrderItem:
    """One line of an order."""

    title: str
    isbn: str | None
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class Order:
    """An order with its items."""

    id: int
    customer_id: int
    order_number: str
    channel: str
    status: str
    total: Decimal
    currency: str
    placed_at: datetime
    items: tuple[OrderItem, ...]
