"""A customer's orders."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from callcenter.api.deps import RuntimeDep, requires
from callcenter.api.errors import http_errors
from callcenter.api.fields import IdPath
from callcenter.api.schemas_sales import OrderIn, OrderOut
from callcenter.domain.access.auth import Principal
from callcenter.domain.orders import OrderItem
from callcenter.services import sales

router = APIRouter(prefix="/api/customers/{customer_id}/orders", tags=["orders"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=OrderOut)
async def add_order(
    customer_id: IdPath,
    body: OrderIn,
    runtime: RuntimeDep,
    _: Annotated[Principal, Depends(requires("customers.write"))],
) -> OrderOut:
    """Record an order with its items; the total is the sum of the items."""
    items = [
        OrderItem(title=i.title, isbn=i.isbn, quantity=i.quantity, unit_price=Decimal(i.unit_price))
        for i in body.items
    ]
    with http_errors():
        order = await sales.add_order(
            uow=runtime.uow,
            customer_id=customer_id,
            channel=body.channel,
            status=body.status,
            placed_at=body.placed_at or datetime.now(UTC),
            items=items,
            order_number=body.order_number,
            currency=body.currency,
        )
    return OrderOut.of(order)


@router.get("", response_model=list[OrderOut])
async def list_orders(
    customer_id: IdPath,
    runtime: RuntimeDep,
    _: Annotated[Principal, Depends(requires("customers.read"))],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[OrderOut]:
    """The customer's orders, newest first."""
    with http_errors():
        found = await sales.list_orders(uow=runtime.uow, customer_id=customer_id, limit=limit)
    return [OrderOut.of(o) for o in found]
