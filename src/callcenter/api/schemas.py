"""Request and response models of the customer and caller routes, and the shared error shapes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from callcenter.api.fields import ONE_LINE, Day
from callcenter.domain.customers.lookup import LookupResult
from callcenter.domain.customers.records import (
    CustomerRole,
    CustomerSummary,
    Phone,
    PhoneKind,
    Segment,
)
from callcenter.services.customers import CustomerDetail, RawPhone

CreditRating = Literal["A", "B", "C", "D"]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), ONE_LINE
]
Short = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), ONE_LINE
]
RawNumber = Annotated[str, StringConstraints(min_length=1, max_length=64), ONE_LINE]
MemberNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9-]{1,20}$")
]
# A plain shape check: the club mails to it, it does not need RFC 5322 in full.
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    ONE_LINE,
]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")]

# PATCH may leave these out but may not set them to null: the database needs a value.
NOT_NULL = (
    "name",
    "segment",
    "roles",
    "member_since",
    "preferred_genres",
    "language",
    "do_not_call",
    "credit_hold",
)


class Strict(BaseModel):
    """Request bodies refuse unknown fields, so a typo is a 422 rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class PhoneIn(Strict):
    """A phone number with its kind; a bare string in `phones` means a mobile number."""

    raw: RawNumber
    kind: PhoneKind = "mobile"
    primary: bool = False


def raw_phones(phones: list[RawNumber | PhoneIn]) -> list[RawPhone]:
    """Request phones as the directory service takes them."""
    return [
        RawPhone(p) if isinstance(p, str) else RawPhone(p.raw, p.kind, p.primary) for p in phones
    ]


class CustomerFields(Strict):
    """Profile fields shared by create and patch."""

    segment: Segment | None = None
    roles: list[CustomerRole] | None = Field(default=None, min_length=1)
    member_since: Day | None = None
    birthday: Day | None = None
    email: Email | None = None
    city: Short | None = None
    preferred_genres: list[Short] | None = Field(default=None, max_length=20)
    language: Language | None = None
    do_not_call: bool | None = None
    credit_rating: CreditRating | None = None
    credit_hold: bool | None = None


class CustomerIn(CustomerFields):
    """A new customer: only `name` is required; phones are raw strings in any shape."""

    name: Name
    member_number: MemberNumber | None = None
    phones: list[RawNumber | PhoneIn] = Field(default_factory=list, max_length=20)

    def profile(self) -> dict[str, Any]:
        """The profile fields the client set (defaults are the directory's)."""
        return {
            k: v
            for k, v in self.model_dump(exclude={"phones"}, exclude_none=True).items()
            if k != "member_number" or v
        }


class CustomerPatch(CustomerFields):
    """Fields to change; `add_phones` appends numbers (existing ones are never dropped here)."""

    name: Name | None = None
    add_phones: list[RawNumber | PhoneIn] = Field(default_factory=list, max_length=20)

    @field_validator(*NOT_NULL, mode="after")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out but not set to null")
        return value

    def changes(self) -> dict[str, Any]:
        """Only the fields the client sent."""
        return self.model_dump(exclude_unset=True, exclude={"add_phones"})


class Created(BaseModel):
    """The id of what was created."""

    id: int


class PhoneOut(BaseModel):
    """A stored phone number; `e164` is how calls from it are matched."""

    id: int
    raw: str
    e164: str | None
    kind: str
    is_primary: bool

    @classmethod
    def of(cls, phone: Phone) -> Self:
        """From the stored record (same-named fields)."""
        return cls.model_validate(phone, from_attributes=True)


class CustomerOut(BaseModel):
    """A customer's full profile with phones."""

    id: int
    member_number: str
    name: str
    segment: str
    roles: list[str]
    member_since: date
    birthday: date | None
    email: str | None
    city: str | None
    preferred_genres: list[str]
    language: str
    do_not_call: bool
    credit_rating: str | None
    credit_hold: bool
    phones: list[PhoneOut]

    @classmethod
    def of(cls, detail: CustomerDetail) -> Self:
        """From the directory's record (same-named fields) and its phones."""
        return cls.model_validate(
            {**vars(detail.customer), "phones": detail.phones}, from_attributes=True
        )


class CustomerBrief(BaseModel):
    """A search hit."""

    id: int
    member_number: str
    name: str
    segment: str
    roles: list[str]
    city: str | None

    @classmethod
    def of(cls, s: CustomerSummary) -> Self:
        """From the stored summary (same-named fields)."""
        return cls.model_validate(s, from_attributes=True)


class CandidateOut(BaseModel):
    """A customer who may be calling, and why they rank where they do."""

    customer_id: int
    name: str
    segment: str
    reason: str


class LookupOut(BaseModel):
    """Who is calling from a number."""

    status: Literal["matched", "ambiguous", "unknown", "withheld"]
    e164: str | None
    candidates: list[CandidateOut]

    @classmethod
    def of(cls, result: LookupResult) -> Self:
        """From the domain's lookup result."""
        return cls.model_validate(result.to_json())


class BundleOut(BaseModel):
    """The screen-pop: profile, recent orders, open complaints (age, SLA), contacts, alerts."""

    customer: dict[str, Any]
    orders: list[dict[str, Any]]
    complaints: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    alerts: list[dict[str, str]]
    generated_at: str
