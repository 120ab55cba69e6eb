"""Customer routes: create, read, change, search, and the screen-pop bundle."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from callcenter.api.deps import RuntimeDep, requires
from callcenter.api.errors import http_errors
from callcenter.api.fields import IdPath, OneLine
from callcenter.api.schemas import (
    BundleOut,
    Created,
    CustomerBrief,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    raw_phones,
)
from callcenter.domain.access.auth import Principal
from callcenter.services.customers import Directory

router = APIRouter(prefix="/api/customers", tags=["customers"])


def get_directory(runtime: RuntimeDep) -> Directory:
    """The customer directory over this process's database."""
    return runtime.directory


DirectoryDep = Annotated[Directory, Depends(get_directory)]
Reader = Annotated[Principal, Depends(requires("customers.read"))]
Writer = Annotated[Principal, Depends(requires("customers.write"))]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Created)
async def create_customer(body: CustomerIn, directory: DirectoryDep, _: Writer) -> Created:
    """Create a customer; a phone that is not a dialable number is a 422 naming `phones[i]`."""
    with http_errors():
        new_id = await directory.create(
            fields=body.profile(), phones=raw_phones(body.phones), now=datetime.now(UTC)
        )
    return Created(id=new_id)


@router.get("", response_model=list[CustomerBrief])
async def search_customers(
    directory: DirectoryDep,
    _: Reader,
    q: Annotated[OneLine, Query(min_length=1, max_length=120)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[CustomerBrief]:
    """Search by name prefix, exact member number, or phone number in any raw shape."""
    with http_errors("query"):
        found = await directory.search(q=q, limit=limit)
    return [CustomerBrief.of(c) for c in found]


@router.get("/{customer_id}", response_model=CustomerOut)
async def get_customer(customer_id: IdPath, directory: DirectoryDep, _: Reader) -> CustomerOut:
    """A customer's profile with phones."""
    with http_errors():
        return CustomerOut.of(await directory.get(customer_id=customer_id))


@router.patch("/{customer_id}", response_model=CustomerOut)
async def patch_customer(
    customer_id: IdPath, body: CustomerPatch, directory: DirectoryDep, _: Writer
) -> CustomerOut:
    """Change the fields sent; `add_phones` appends numbers."""
    with http_errors():
        detail = await directory.patch(
            customer_id=customer_id,
            fields=body.changes(),
            add_phones=raw_phones(body.add_phones),
            now=datetime.now(UTC),
        )
    return CustomerOut.of(detail)


@router.get("/{customer_id}/bundle", response_model=BundleOut)
async def get_bundle(customer_id: IdPath, directory: DirectoryDep, _: Reader) -> BundleOut:
    """The screen-pop bundle: profile, last orders, open complaints with SLA, contacts, alerts."""
    with http_errors():
        bundle = await directory.bundle(customer_id=customer_id, now=datetime.now(UTC))
    return BundleOut.model_validate(bundle.to_json())
