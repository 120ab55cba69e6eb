"""The customer directory: create, read, change, search; caller lookup; screen-pop bundle."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from callcenter.domain.customers.lookup import LookupResult
from callcenter.domain.customers.numbers import parse_caller_id
from callcenter.domain.customers.records import (
    Customer,
    CustomerSummary,
    NewCustomer,
    Phone,
    PhoneInput,
)
from callcenter.domain.customers.screen_pop import Bundle
from callcenter.ports.uow import UowFactory
from callcenter.services.customer_views import BUNDLE_LIMIT, bundle_from_record, lookup_from_owners
from callcenter.services.errors import Conflict, DuplicateKey, InvalidField, NotFound

log = logging.getLogger(__name__)

MEMBER_NUMBER_TRIES = 3


@dataclass(frozen=True)
class RawPhone:
    """A phone number as the client sent it."""

    raw: str
    kind: str = "mobile"
    primary: bool = False


@dataclass(frozen=True)
class CustomerDetail:
    """A customer's profile with their phone numbers."""

    customer: Customer
    phones: tuple[Phone, ...]


def normalise_phones(
    phones: Sequence[RawPhone], *, region: str, field: str = "phones"
) -> tuple[PhoneInput, ...]:
    """Raw numbers to stored ones; an unparseable number is an InvalidField naming `phones[i]`.

    The first number is primary unless the client marks one; only one number may be primary.
    """
    out: list[PhoneInput] = []
    for index, phone in enumerate(phones):
        parsed = parse_caller_id(phone.raw, region)
        if not parsed.is_number:
            raise InvalidField(
                (field, index), f"{phone.raw!r} is not a phone number ({parsed.reason})"
            )
        out.append(PhoneInput(raw=phone.raw.strip(), e164=parsed.e164, kind=phone.kind))
    marked = [i for i, p in enumerate(phones) if p.primary]
    if len(marked) > 1:
        raise InvalidField((field, marked[1]), "only one phone number may be primary")
    primary = marked[0] if marked else 0
    return tuple(replace(p, is_primary=i == primary) for i, p in enumerate(out))


class Directory:
    """Customer directory operations; each call is one transaction."""

    def __init__(self, *, uow: UowFactory, region: str = "CN") -> None:
        self._uow = uow
        self.region = region

    async def create(
        self, *, fields: Mapping[str, Any], phones: Sequence[RawPhone], now: datetime
    ) -> int:
        """Store a new customer with their phones; returns the id (member number made if absent)."""
        stored = normalise_phones(phones, region=self.region)
        values = dict(fields)
        values["roles"] = tuple(values.get("roles") or ("member",))
        values["preferred_genres"] = tuple(values.get("preferred_genres") or ())
        given = values.pop("member_number", None)
        for _ in range(1 if given else MEMBER_NUMBER_TRIES):
            number = given or _new_member_number()
            try:
                async with self._uow() as uow:
                    new_id = await uow.customers.add(
                        customer=NewCustomer(member_number=number, phones=stored, **values),
                        now=now,
                    )
                    await uow.commit()
                    return new_id
            except DuplicateKey as exc:
                if given:
                    raise Conflict(f"member number {given!r} is already taken") from exc
        raise Conflict("could not allocate a free member number; try again")

    async def get(self, *, customer_id: int) -> CustomerDetail:
        """The customer and their phones; NotFound when there is no such customer."""
        async with self._uow() as uow:
            customer = await uow.customers.get(customer_id=customer_id)
            if customer is None:
                raise NotFound(f"no customer {customer_id}")
            phones = await uow.phones.for_customer(customer_id=customer_id)
        return CustomerDetail(customer, tuple(phones))

    async def patch(
        self,
        *,
        customer_id: int,
        fields: Mapping[str, Any],
        add_phones: Sequence[RawPhone] = (),
        now: datetime,
    ) -> CustomerDetail:
        """Change the given profile fields and add numbers; NotFound for an unknown customer."""
        stored = normalise_phones(add_phones, region=self.region, field="add_phones")
        async with self._uow() as uow:
            if await uow.customers.get(customer_id=customer_id) is None:
                raise NotFound(f"no customer {customer_id}")
            if fields:
                await uow.customers.update(customer_id=customer_id, fields=fields, now=now)
            existing = await uow.phones.for_customer(customer_id=customer_id)
            has_primary = any(p.is_primary for p in existing)
            for phone in stored:
                # a customer keeps the primary number they had unless none was primary yet
                keep = phone.is_primary and not has_primary
                await uow.phones.add(customer_id=customer_id, phone=replace(phone, is_primary=keep))
                has_primary = has_primary or keep
            await uow.commit()
        return await self.get(customer_id=customer_id)

    async def search(self, *, q: str, limit: int = 20) -> list[CustomerSummary]:
        """Customers whose name starts with q, whose member number is q, or who hold number q."""
        text = q.strip()
        if not text:
            raise InvalidField(("q",), "search text is empty")
        parsed = parse_caller_id(text, self.region)
        found: dict[int, CustomerSummary] = {}
        async with self._uow() as uow:
            if parsed.e164 is not None:
                for c in await uow.customers.search(e164=parsed.e164, limit=limit):
                    found.setdefault(c.id, c)
            for c in await uow.customers.search(member_number=text, limit=limit):
                found.setdefault(c.id, c)
            for c in await uow.customers.search(name=text, limit=limit):
                found.setdefault(c.id, c)
        return list(found.values())[:limit]

    async def lookup(self, *, raw: str | None) -> LookupResult:
        """Who is calling from this raw caller ID: matched, ambiguous, unknown or withheld."""
        parsed = parse_caller_id(raw, self.region)
        if parsed.e164 is None:
            return lookup_from_owners(parsed, ())
        async with self._uow() as uow:
            owners = await uow.phones.customers_by_e164(e164=parsed.e164)
        return lookup_from_owners(parsed, owners)

    async def bundle(self, *, customer_id: int, now: datetime) -> Bundle:
        """The screen-pop bundle of a customer (a fixed set of queries); NotFound if unknown."""
        async with self._uow() as uow:
            record = await uow.customers.bundle(customer_id=customer_id, limit=BUNDLE_LIMIT)
        if record is None:
            raise NotFound(f"no customer {customer_id}")
        return bundle_from_record(record, now=now)


def _new_member_number() -> str:
    """A member number for a customer created through the API ("W" + 11 random digits)."""
    return "W" + "".join(str(secrets.randbelow(10)) for _ in range(11))
