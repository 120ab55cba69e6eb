"""Work-item intake and life cycle: file an item (match its sender, pick its group, set its due
time), list items, move an item through its statuses (every change logged), and file the router's
out-of-hours callbacks. A done item becomes a contact in the customer's history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from callcenter.domain.routing.work_sla import Calendar, due_at
from callcenter.domain.webhooks import work_item_created_event, work_item_done_event
from callcenter.domain.work_items import (
    Attachment,
    CustomerMatch,
    IllegalTransition,
    NewWorkItem,
    Sender,
    WorkEvent,
    WorkItem,
    channel_for,
    check_transition,
)
from callcenter.domain.work_transfer import transfer_due
from callcenter.ports.uow import UowFactory
from callcenter.ports.webhooks import EventSink
from callcenter.ports.work_items import FileStore, StatusChange
from callcenter.services.errors import Conflict, Forbidden, InvalidField, NotFound
from callcenter.services.work_history import add_contact
from callcenter.services.work_matching import BatchOwners, Placer, match_sender, prefer
from callcenter.services.work_requests import (
    Actor,
    IncomingFile,
    Intake,
    Transition,
    check_intake,
)

log = logging.getLogger(__name__)


class WorkItemService:
    """Each call is one transaction."""

    def __init__(
        self,
        *,
        uow: UowFactory,
        files: FileStore,
        placer: Placer,
        region: str = "CN",
        publish: EventSink | None = None,
    ) -> None:
        self._uow = uow
        self._publish = publish  # webhooks: work_item.created / work_item.done
        self._files = files
        self.placer = placer
        self.region = region
        # Told after each commit: the items filed; the ids of the items `transition` moved.
        self.filed_hooks: list[Callable[[list[WorkItem]], None]] = []
        self.moved_hooks: list[Callable[[list[int]], None]] = []

    @property
    def groups(self) -> tuple[str, ...]:
        """The groups of the rule book (an item's group must be one)."""
        return tuple(self.placer.rules.groups)

    async def submit(self, intake: Intake, *, actor: str, now: datetime) -> WorkItem:
        """Validate, match, place and store a new item (InvalidField names a bad field)."""
        (result,) = await self.submit_many([(intake, actor)], now=now)
        if isinstance(result, InvalidField):
            raise result
        return result

    async def submit_many(
        self, batch: Sequence[tuple[Intake, str]], *, now: datetime
    ) -> list[WorkItem | InvalidField]:
        """Several items in one transaction (the SMTP receiver's group commit): a bad one gets
        its InvalidField, the others are stored; a failing store raises for all of them."""
        results: list[WorkItem | InvalidField | None] = [None] * len(batch)
        ready = []
        for index, (intake, actor) in enumerate(batch):
            try:
                sender = check_intake(intake, self.groups, self.region)
            except InvalidField as exc:
                results[index] = exc
                continue
            files = [await self._store(f) for f in intake.files]  # bytes first, then the row
            ready.append((index, intake, actor, sender, files))
        async with self._uow() as uow:
            owners = await BatchOwners.read(uow.work_items, [r[3] for r in ready])
            filed: list[tuple[int, NewWorkItem, str]] = []
            for index, intake, actor, sender, files in ready:
                match = prefer(
                    await match_sender(owners, uow.phones, sender, self.region), intake.customer_id
                )
                filed.append(
                    (index, await self._new_item(intake, sender, match, files, now), actor)
                )
            ids = await uow.work_items.add_many(items=[(i, a) for _, i, a in filed], now=now)
            for (index, item, _), item_id in zip(filed, ids, strict=True):
                results[index] = item.stored(item_id, now)
            await uow.commit()
        stored = [r for r in results if isinstance(r, WorkItem)]
        if self._publish is not None:
            for made in stored:
                self._publish(work_item_created_event(made, now.timestamp()))
        for hook in self.filed_hooks if stored else ():
            hook(stored)
        for result in results:
            if isinstance(result, WorkItem):
                log.info(
                    "work item %d: %s for %s (%s, %s)",
                    result.id,
                    result.kind,
                    result.group_slug,
                    result.status,
                    result.match.status,
                )
        return [r for r in results if r is not None]

    async def request_callback(
        self, *, group: str, caller: str | None, did: str | None, reason: str, at: datetime
    ) -> None:
        """The router's CallbackSink: one open callback item per caller and group."""
        note = reason if did is None else f"{reason}; dialled {did}"
        if caller is not None:
            async with self._uow() as uow:
                known = await uow.work_items.open_callback(caller=caller, group_slug=group)
                if known is not None:
                    await uow.work_items.add_event(
                        item_id=known.id,
                        event=WorkEvent("note", "router", at, note=f"called again: {note}"),
                    )
                    await uow.commit()
                    log.info("callback %d: %s called again", known.id, caller)
                    return
        triage = None if caller else "withheld number: nobody to call back"
        intake = Intake(
            kind="callback",
            subject=f"Call back {caller or 'a withheld caller'}",
            body=note,
            sender=Sender(phone=caller),
            source="router",
            group=group if group in self.placer.rules.groups else None,
            triage=triage,
        )
        item = await self.submit(intake, actor="router", now=at)
        log.info("callback %d for %s queued for %s", item.id, caller or "withheld", group)

    async def find(
        self, *, group: str | None = None, status: str | None = None, kind: str | None = None
    ) -> list[WorkItem]:
        """Items matching the filters, soonest due first."""
        async with self._uow() as uow:
            return await uow.work_items.find(group_slug=group, status=status, kind=kind)

    async def get(self, *, item_id: int) -> tuple[WorkItem, list[WorkEvent]]:
        """One item and its logged changes; NotFound if there is none."""
        async with self._uow() as uow:
            item = await uow.work_items.get(item_id=item_id)
            if item is None:
                raise NotFound(f"no work item {item_id}")
            return item, await uow.work_items.events(item_id=item_id)

    async def transition(
        self, *, item_id: int, change: Transition, actor: Actor, now: datetime
    ) -> WorkItem:
        """Move an item to a new status (legal moves only; an agent only on items they own); into
        another group (`change.group`) it is due by that group's rule, as a transfer is."""
        rules = self.placer.rules
        if change.group is not None and change.group not in rules.groups:
            raise InvalidField(("group",), f"unknown group {change.group!r}")
        async with self._uow() as uow:
            item = await uow.work_items.get(item_id=item_id)
            if item is None:
                raise NotFound(f"no work item {item_id}")
            if not actor.manager and (
                item.owner_agent_id is None or item.owner_agent_id != actor.agent_id
            ):
                raise Forbidden(f"work item {item_id} is not yours")
            owner = None
            if change.owner_agent is not None:
                if not actor.manager:
                    raise Forbidden("only a supervisor assigns work items to agents")
                agent = await uow.agents.get_by_code(code=change.owner_agent)
                if agent is None:
                    raise InvalidField(("owner_agent",), f"no agent {change.owner_agent!r}")
                owner = agent.id
            try:
                check_transition(item.status, change.status)
            except IllegalTransition as exc:
                raise Conflict(str(exc)) from exc
            moved_to = change.group if change.group != item.group_slug else None
            due = (  # into another group: due by its rule, counted from when the item came in
                None
                if moved_to is None
                else transfer_due(
                    kind=item.kind, received=item.created_at, to_group=moved_to, rules=rules
                )
            )
            applied = await uow.work_items.change_status(
                StatusChange(
                    item_id=item_id,
                    expected=item.status,
                    status=change.status,
                    actor=actor.label,
                    at=now,
                    owner_agent_id=None if change.status == "new" else owner,
                    set_owner=owner is not None or change.status == "new",
                    group_slug=moved_to,
                    from_group=item.group_slug,
                    due_at=due,
                    set_due=moved_to is not None,
                    outcome=change.outcome,
                    disposition_code=change.disposition_code,
                    note=change.note,
                )
            )
            if not applied:
                raise Conflict(f"work item {item_id} changed meanwhile; reload it")
            await add_contact(
                uow,
                item,
                status=change.status,
                now=now,
                agent_id=owner or item.owner_agent_id,
                group=change.group,
                outcome=change.outcome,
                disposition_code=change.disposition_code,
                settled=change.settled,
            )
            done_by = None  # the owner's code, for work_item.done
            if change.status == "done" and (owner or item.owner_agent_id) is not None:
                agent = await uow.agents.get(agent_id=owner or item.owner_agent_id or 0)
                done_by = agent.code if agent is not None else None
            await uow.commit()
        for moved in self.moved_hooks:
            moved([item_id])
        after = (await self.get(item_id=item_id))[0]
        if change.status == "done" and self._publish is not None:
            self._publish(work_item_done_event(after, done_by, now.timestamp()))
        return after

    async def _store(self, incoming: IncomingFile) -> Attachment:
        stored = await self._files.put(incoming.data)
        return Attachment(
            filename=incoming.filename[:255] or "attachment",
            content_type=incoming.content_type[:120],
            size=stored.size,
            sha256=stored.sha256,
            stored_as=stored.stored_as,
        )

    async def _new_item(
        self,
        intake: Intake,
        sender: Sender,
        match: CustomerMatch,
        files: list[Attachment],
        now: datetime,
    ) -> NewWorkItem:
        rules = self.placer.rules
        if intake.group is not None:
            group, priority, preferred, why = intake.group, intake.priority or 0, None, None
        else:
            placed = await self.placer.place(kind=intake.kind, e164=match.e164, at=now)
            group, priority, preferred = placed.group, placed.priority, placed.preferred_agent
            why = None if placed.reason == "default" else placed.reason
        due = intake.due_at
        if due is not None and due.tzinfo is None:  # a bare time is the rule book's local time
            due = due.replace(tzinfo=ZoneInfo(rules.timezone))
        if due is None:
            calendar = Calendar.of(rules.groups.get(group), rules.timezone, rules.holidays)
            due = due_at(rules.work.target(intake.kind, group), calendar, intake.since or now)
        return NewWorkItem(
            kind=intake.kind,
            group_slug=group,
            subject=intake.subject,
            body=intake.body,
            sender=sender,
            match=match,
            channel=channel_for(intake.kind, intake.source),
            source=intake.source,
            status="triage" if intake.triage else "new",
            priority=priority,
            due_at=due.astimezone(UTC) if due is not None else None,
            preferred_agent=preferred,
            note=intake.triage or why,
            attachments=tuple(files),
            order_id=intake.order_id,
            call_ref=intake.call_ref,
        )
