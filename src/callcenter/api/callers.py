"""Caller lookup: who is calling from a raw number."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callcenter.api.customers import DirectoryDep
from callcenter.api.deps import requires
from callcenter.api.fields import OneLine
from callcenter.api.schemas import LookupOut
from callcenter.domain.access.auth import Principal

router = APIRouter(prefix="/api/callers", tags=["callers"])


@router.get("/lookup", response_model=LookupOut)
async def lookup(
    directory: DirectoryDep,
    _: Annotated[Principal, Depends(requires("customers.read"))],
    number: Annotated[OneLine, Query(max_length=256, description="caller ID in any raw shape")],
) -> LookupOut:
    """matched, ambiguous (a shared number: every holder, ranked), unknown or withheld."""
    return LookupOut.of(await directory.lookup(raw=number))
