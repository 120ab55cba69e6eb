"""The desktop's own intake: an agent logs a letter or a remittance slip that came by post.

A letter is filed as any work item (its group from the rule book's `[work]` unless the agent
names one). A slip is matched to the order it pays by amount and member number
(domain.remittance): the agent sees the candidates first, may pick one, and the slip is filed
with that order, or with the sure match, or with the candidates named in its body for the back
office when nothing is sure. An agent logs only as themself; a supervisor for anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from callcenter.domain.access.auth import MANAGERS, Principal
from callcenter.domain.orders import Order
from callcenter.domain.remittance import SlipMatch, match_slip
from callcenter.domain.work_items import Sender, WorkItem
from callcenter.ports.uow import UowFactory
from callcenter.services.errors import Forbidden, InvalidField
from callcenter.services.work_items import WorkItemService
from callcenter.services.work_requests import Intake

MAX_ORDERS = 200  # a member's orders read for matching


@dataclass(frozen=True)
class Slip:
    """A remittance slip as the agent typed it."""

    member_no: str
    amount: Decimal
    order_number: str | None = None  # the agent's pick among the candidates
    note: str = ""


class DeskIntake:
    """Letters and slips logged at the desktop."""

    def __init__(self, *, work: WorkItemService, uow: UowFactory) -> None:
        self._work = work
        self._uow = uow

    async def slip_match(self, *, member_no: str | None, amount: Decimal) -> SlipMatch:
        """The orders a slip of `amount` from this member may pay."""
        _check_amount(amount)
        return match_slip(amount, await self._orders(member_no))

    async def log_letter(
        self,
        *,
        code: str,
        by: Principal,
        sender: Sender,
        subject: str,
        body: str,
        group: str | None,
        now: datetime,
    ) -> WorkItem:
        """File a letter the agent has in hand."""
        _check_self(code, by)
        intake = Intake(
            kind="letter", subject=subject, body=body, sender=sender, source="desktop", group=group
        )
        return await self._work.submit(intake, actor=f"agent {code}", now=now)

    async def log_slip(
        self, *, code: str, by: Principal, slip: Slip, now: datetime
    ) -> tuple[WorkItem, SlipMatch]:
        """File a slip with the order it pays (the agent's pick, or the sure match)."""
        _check_self(code, by)
        _check_amount(slip.amount)
        orders = await self._orders(slip.member_no)
        match = match_slip(slip.amount, orders)
        order_id = match.order_id
        if slip.order_number:
            picked = [o for o in orders if o.order_number == slip.order_number]
            if not picked:
                raise InvalidField(
                    ("order_number",),
                    f"{slip.order_number!r} is not an order of member {slip.member_no or '?'}",
                )
            order_id = picked[0].id
        pays = next((o for o in orders if o.id == order_id), None)
        subject = f"Remittance slip {slip.amount}" + (f" for {pays.order_number}" if pays else "")
        lines = [slip.note] if slip.note else []
        if pays is None and match.candidates:
            lines.append("Orders it may pay:")
            lines += [f"- {c.order_number} {c.total} ({c.reason})" for c in match.candidates]
        elif pays is None:
            lines.append("No order of this amount found for this member.")
        intake = Intake(
            kind="remittance_slip",
            subject=subject,
            body="\n".join(lines),
            sender=Sender(member_no=slip.member_no),
            source="desktop",
            order_id=order_id,
        )
        item = await self._work.submit(intake, actor=f"agent {code}", now=now)
        return item, match

    async def _orders(self, member_no: str | None) -> list[Order]:
        if not member_no:
            return []
        async with self._uow() as uow:
            owners = await uow.work_items.sender_owners(member_no=member_no)
            orders: list[Order] = []
            for owner in owners:
                orders += await uow.orders.recent_for_customer(
                    customer_id=owner.customer.id, limit=MAX_ORDERS
                )
        return orders


def _check_self(code: str, by: Principal) -> None:
    if by.role not in MANAGERS and by.agent_code != code:
        raise Forbidden(f"only agent {code} or a supervisor may log work for agent {code}")


def _check_amount(amount: Decimal) -> None:
    if not amount.is_finite() or amount <= 0:
        raise InvalidField(("amount",), "the amount must be more than 0")
