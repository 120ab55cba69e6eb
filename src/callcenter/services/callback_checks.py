"""Before a callback attempt is dialled: the number to call, and whether it may be called now
(a number at all, do-not-call, a call answered since that settles it, the calling window)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from callcenter.domain.work_callbacks import CallbackRule, in_window, window_opens
from callcenter.ports.work_offers import WorkEntry, WorkOfferStore


@dataclass(frozen=True)
class Verdict:
    """Dial `number`; or, without one, close the item as `status` with `outcome` (and `note`),
    or (`not_before` set) give it back until then."""

    number: str | None
    status: str = "failed"
    outcome: str = ""
    note: str | None = None
    not_before: datetime | None = None


async def check_callback(
    store: WorkOfferStore, entry: WorkEntry, rule: CallbackRule, local: datetime
) -> Verdict:
    """What to do with an accepted callback item at `local` (the rule book's time zone)."""
    number = entry.caller
    if number is None and entry.customer_id is not None:
        number = await store.dial_number(entry.customer_id)
    if number is None:
        return Verdict(None, "failed", "no_number")
    if await store.do_not_call(customer_id=entry.customer_id, e164=number):
        return Verdict(None, "cancelled", "do_not_call")
    if entry.call_ref is not None and (  # owed by a call: a later answered call settles it
        reached := await store.answered_since(
            customer_id=entry.customer_id, e164=number, since=entry.created_at
        )
    ):
        note = f"no longer needed: call {reached} was answered"
        return Verdict(None, "cancelled", "no_longer_needed", note)
    if not in_window(local, rule):
        return Verdict(
            None, outcome="outside_window", not_before=window_opens(local, rule).astimezone(UTC)
        )
    return Verdict(number)
