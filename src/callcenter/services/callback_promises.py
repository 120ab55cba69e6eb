"""A callback promised from the disposition form: a `callback` work item due when the agent said,
for the call's caller, in the group whose queue took the call (filed like any other item)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from callcenter.domain.access.auth import MANAGERS, Principal
from callcenter.domain.work_items import Sender
from callcenter.ports.uow import UowFactory
from callcenter.services.call_access import check_call_write, principal_label
from callcenter.services.desk import DeskBook
from callcenter.services.errors import Forbidden, InvalidField, NotFound
from callcenter.services.work_items import WorkItemService
from callcenter.services.work_requests import Intake


class CallbackPromises:
    """Files the promised callback through work-item intake (kind callback, source desktop)."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        work: WorkItemService,
        desk: DeskBook,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._uow = uow
        self._work = work
        self._desk = desk
        self._clock = clock

    async def promise(
        self, *, code: str, linkedid: str, due_at: datetime, note: str | None, by: Principal
    ) -> dict[str, object]:
        """File the callback; what was filed (id, group, customer, due time)."""
        now = self._clock()
        if due_at <= now:
            raise InvalidField(("due_at",), "the callback time must be in the future")
        group, customer_id, caller = await self._call_facts(code, linkedid, by)
        if caller is None:
            raise InvalidField(("linkedid",), "the caller's number was withheld: none to call")
        text = f"promised by {principal_label(by)} on call {linkedid}"
        intake = Intake(
            kind="callback",
            subject=f"Call back {caller}",
            body=f"{text}: {note}" if note else text,
            sender=Sender(phone=caller),
            source="desktop",
            group=group,
            due_at=due_at,
        )
        item = (await self._work.submit(intake, actor=principal_label(by), now=now)).id
        return {"id": item, "group": group, "customer_id": customer_id, "due_at": due_at}

    async def _call_facts(
        self, code: str, linkedid: str, by: Principal
    ) -> tuple[str, int | None, str | None]:
        """(group slug, customer id, caller) of the call, if `by` may write about it."""
        desk = self._desk.desk(code)
        on_desk = next(
            (c for c in (desk.wrap_up, desk.call) if c is not None and c.linkedid == linkedid),
            None,
        )
        async with self._uow() as uow:
            groups = {g.queue: g.slug for g in await uow.groups.list_all()}
            if on_desk is not None:  # the agent's own call, whose form is open
                if by.role not in MANAGERS and by.agent_code != code:
                    raise Forbidden(f"call {linkedid} is on agent {code}'s desk")
                pop = on_desk.pop.call if on_desk.pop else None
                ended = on_desk.ended.ended if on_desk.ended else None
                customer = ended.customer_id if ended else None
                if customer is None and on_desk.pop is not None and on_desk.pop.bundle:
                    customer = (on_desk.pop.bundle.get("customer") or {}).get("id")
                queue = pop.queue if pop else None
                return (
                    groups.get(queue or "", _first(groups)),
                    customer,
                    pop.caller if pop else None,
                )
            ref = await uow.dispositions.find_call(linkedid=linkedid)
            if ref is None:
                raise NotFound(f"no call {linkedid}")
            check_call_write(by, ref)
            record = await uow.calls.get(ref.pbx, ref.linkedid)
        queues = record.queues if record else ()
        group = next((groups[q] for q in queues if q in groups), _first(groups))
        return group, ref.customer_id, record.caller if record else None


def _first(groups: dict[str, str]) -> str:
    """The first group (the member hotline) for a call that came through no queue."""
    return next(iter(groups.values()), "member-hotline")
