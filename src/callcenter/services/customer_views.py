"""Stored customer records as the screen-pop shows them: the caller lookup and the bundle.

Shared by the customer directory and the screen-pop's fast read path (adapters/db/popview.py),
so both answer the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from callcenter.domain.customers.lookup import LookupCandidateRow, LookupResult, rank_candidates
from callcenter.domain.customers.numbers import ParsedNumber
from callcenter.domain.customers.pop_views import (
    ComplaintView,
    ContactView,
    CustomerProfile,
    OrderItemView,
    OrderView,
)
from callcenter.domain.customers.records import CustomerBundle, NumberOwner
from callcenter.domain.customers.screen_pop import Bundle, build_bundle

BUNDLE_LIMIT = 10


def lookup_from_owners(parsed: ParsedNumber, owners: Iterable[NumberOwner]) -> LookupResult:
    """The lookup answer from the number's owners (ranked by domain.customers.lookup)."""
    return rank_candidates(
        parsed,
        [
            LookupCandidateRow(
                customer_id=o.customer.id,
                name=o.customer.name,
                segment=o.customer.segment,
                is_primary=o.is_primary,
                last_contact_at=o.last_contact_at,
            )
            for o in owners
        ],
    )


def bundle_from_record(record: CustomerBundle, *, now: datetime) -> Bundle:
    """The screen-pop bundle (profile, orders, complaints, contacts, alerts) of a stored record."""
    return build_bundle(
        profile=CustomerProfile.from_record(record.customer),
        orders=[
            OrderView.from_record(o, items=tuple(OrderItemView.from_record(i) for i in o.items))
            for o in record.orders
        ],
        complaints=[ComplaintView.from_record(c) for c in record.open_complaints],
        contacts=[ContactView.from_record(c) for c in record.contacts],
        now=now,
        max_orders=BUNDLE_LIMIT,
        max_contacts=BUNDLE_LIMIT,
    )
