"""A customer's records: profile, phone numbers, who owns a number, the screen-pop bundle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from callcenter.domain.complaints.records import Complaint
from callcenter.domain.contacts import Contact
from callcenter.domain.orders import Order

Segment = Literal["regular", "senior", "vip"]
CustomerRole = Literal["member", "online", "author", "distributor"]
PhoneKind = Literal["mobile", "landline", "work", "other"]

SEGMENTS: tuple[str, ...] = ("regular", "senior", "vip")
CUSTOMER_ROLES: tuple[str, ...] = ("member", "online", "author", "distributor")
PHONE_KINDS: tuple[str, ...] = ("mobile", "landline", "work", "other")
CREDIT_RATINGS: tuple[str, ...] = ("A", "B", "C", "D")


@dataclass(frozen=True)
class PhoneInput:
    """A phone number to store with a customer: raw as given, E.164 when it parses."""

    raw: str
    e164: str | None
    kind: str = "mobile"
    is_primary: bool = False


@dataclass(frozen=True)
class NewCustomer:
    """Everything needed to create a customer; ids and timestamps are the database's."""

    member_number: str
    name: str
    segment: str = "regular"
    roles: tuple[str, ...] = ("member",)
    member_since: date | None = None
    birthday: date | None = None
    email: str | None = None
    city: str | None = None
    preferred_genres: tuple[str, ...] = ()
    language: str = "zh"
    do_not_call: bool = False
    credit_rating: str | None = None
    credit_hold: bool = False
    phones: tuple[PhoneInput, ...] = ()


@dataclass(frozen=True)
class Customer:
    """A customer's profile (any party: member, online user, author, distributor)."""

    id: int
    member_number: str
    name: str
    segment: str
    roles: tuple[str, ...]
    member_since: date
    birthday: date | None
    email: str | None
    city: str | None
    preferred_genres: tuple[str, ...]
    language: str
    do_not_call: bool
    credit_rating: str | None
    credit_hold: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CustomerSummary:
    """The few customer fields a list or a lookup shows."""

    id: int
    member_number: str
    name: str
    segment: str
    roles: tuple[str, ...]
    city: str | None


@dataclass(frozen=True)
class Phone:
    """One stored phone number of a customer."""

    id: int
    customer_id: int
    raw: str
    e164: str | None
    kind: str
    is_primary: bool


@dataclass(frozen=True)
class NumberOwner:
    """A customer who holds a number, as found by an E.164 lookup."""

    customer: CustomerSummary
    is_primary: bool
    last_contact_at: datetime | None


@dataclass(frozen=True)
class CustomerBundle:
    """Everything a screen-pop shows about one customer."""

    customer: Customer
    phones: tuple[Phone, ...]
    orders: tuple[Order, ...]
    open_complaints: tuple[Complaint, ...]
    contacts: tuple[Contact, ...]
