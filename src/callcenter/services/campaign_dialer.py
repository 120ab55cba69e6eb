"""The dialer of one running campaign: picks records, paces, originates, stores each attempt."""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any

from callcenter.domain.calls.facts import AgentStateChanged, Fact
from callcenter.domain.campaigns.campaign import Campaign
from callcenter.domain.campaigns.eligibility import DialContext, terminal, why_not
from callcenter.domain.campaigns.pacing import PacingDecision, PacingInputs, decide
from callcenter.domain.campaigns.records import ListRecord, after_attempt, start_attempt
from callcenter.domain.webhooks import campaign_result_event
from callcenter.ports.campaigns import AttemptResult, CampaignLedger
from callcenter.ports.pbx import PbxCommands, PbxSnapshot
from callcenter.ports.webhooks import EventSink
from callcenter.services.campaign_calls import Attempt, CampaignCalls
from callcenter.services.dial_targets import dial_string
from callcenter.services.errors import PbxRefused, PbxUnavailable
from callcenter.services.wakeful import nap

log = logging.getLogger(__name__)

POSTPONE_S = 900.0  # a record outside its window or skipped today is looked at again this late


class CampaignDialer:
    """Dials one campaign through one PBX; `on_fact` sees that PBX's facts, `tick()` dials."""

    def __init__(
        self,
        *,
        campaign: Campaign,
        records: Iterable[ListRecord],
        ledger: CampaignLedger,
        pbx: PbxCommands,
        clock: Callable[[], float],
        region: str,
        default_zone: str,
        ring_timeout_s: float = 30.0,
        dnc_numbers: Callable[[], Iterable[str]] = frozenset,
        on_originate: Callable[[str, float], None] | None = None,
        publish: EventSink | None = None,
    ) -> None:
        self.campaign = campaign
        self.publish = publish  # webhooks: campaign.result
        self.ledger = ledger
        self.pbx = pbx
        self.clock = clock
        self.region = region
        self.default_zone = default_zone
        self.ring_timeout_s = ring_timeout_s
        self.dnc_numbers = dnc_numbers
        self.extra_dnc: set[str] = set()  # added while running (the ledger checks them too)
        # (ActionID, perf_counter() of the decision): called once Asterisk accepted the Originate
        self.on_originate = on_originate
        self.calls = CampaignCalls(queue=campaign.group, region=region, clock=clock)
        self.calls.machine_is_abandon = campaign.amd_false_positive_is_abandon
        self._heap: list[tuple[float, int, ListRecord]] = []
        for record in records:
            self._push(record)
        self.state = "running"
        self.last = PacingDecision(0, 0.0, None, 0.0)
        self.decisions = 0
        self.held: dict[int, ListRecord] = {}  # records preview agents are looking at or calling
        self._store_lock = asyncio.Lock()
        self.pbx_down = False  # between a lost connection and the resync after the next login
        # Set when a line frees or an agent's state changes: the loop decides at once instead
        # of at the next tick, so dials go out as the need arises, not in one burst per tick.
        self._wake = asyncio.Event()
        self.store_every_s = 0.0  # finished attempts are stored at most this often (`run`: a tick)
        self._stored_at = 0.0

    # -- inputs -----------------------------------------------------------------------------
    def on_fact(self, fact: Fact) -> None:
        """A fact of the PBX this campaign dials through (a FactHandler)."""
        ended = len(self.calls.ended)
        self.calls.on_fact(fact)
        if len(self.calls.ended) != ended or isinstance(fact, AgentStateChanged):
            self._wake.set()

    def connection_changed(self, connected: bool) -> None:
        """The PBX connection dropped: the calls in the air are settled at the next resync."""
        if not connected:
            self.calls.connection_lost()
            self.pbx_down = True  # every Originate would fail and spend an attempt: wait

    def resynced(self, snapshot: PbxSnapshot) -> None:
        """The PBX's lists after a reconnect: dials whose call is gone end now (stored on the
        next tick), not a ring timeout later."""
        self.pbx_down = False
        settled = self.calls.reconcile(snapshot)
        self._wake.set()
        if settled:
            log.info(
                "campaign %s: %d dial(s) ended during the AMI outage", self.campaign.id, settled
            )

    @property
    def records_left(self) -> int:
        return len(self._heap)

    # -- the loop ---------------------------------------------------------------------------
    async def run(self, *, tick_s: float, sleep: Callable[[float], Awaitable[Any]]) -> None:
        """Tick until stopped or the list is done and nothing is in the air: every `tick_s`,
        and at once when a line frees or an agent's state changes."""
        self.store_every_s = tick_s
        while self.state != "stopped":
            await self.tick()
            if not self._heap and not self.calls.by_number and not self.held:
                await self.store_ended()
                self.state = "finished"
                return
            await nap(tick_s, sleep, self._wake)

    async def tick(self) -> PacingDecision:
        """Decide and dial (nothing while paused), then store what ended (once a tick when
        woken more often). Dials come first: the finished attempts' writes do not hold up the
        next dials (each dial's attempt is still committed before its Originate is sent)."""
        self.calls.reap(older_than_s=self.ring_timeout_s + 120.0)
        decision = self.last
        if self.state == "running" and not self.pbx_down:
            decision = self.decide()
            if decision.dial:
                await self._dial(decision.dial)
        if self.clock() - self._stored_at >= self.store_every_s:  # at the tick's pace, batched
            await self.store_ended()
        return decision

    def decide(self) -> PacingDecision:
        """The pacing decision for now."""
        calls = self.calls
        inputs = PacingInputs(
            mode=self.campaign.mode,
            agents_ready=calls.agents_ready,
            agents_on_call=calls.agents_on_call,
            lines_in_flight=calls.lines_in_flight,
            answer_rate=calls.means.answer_rate,
            ring_s=calls.means.ring_s,
            handle_s=calls.means.handle_s,
            abandon=calls.ledger.rates(self.clock()),
            cap_pct=self.campaign.abandon_cap_pct,
            records_left=len(self._heap),
            pending_live=calls.pending_live(self.ring_timeout_s + 2.0),
            level_cap=self.campaign.dial_level_cap,
        )
        self.last = decide(inputs)
        self.decisions += 1
        return self.last

    async def _dial(self, count: int) -> None:
        started = time.perf_counter()
        now = self.clock()
        picked = self._pick(count, now)
        if not picked:
            return
        # One commit claims them all (the DNC check at dial time), then the Originates go out
        # together: Asterisk answers each with its own ActionID.
        ids = await self.ledger.claim_many(records=picked, at=self.clock())
        await asyncio.gather(
            *(
                self._originate(record, attempt_id, started)
                for record, attempt_id in zip(picked, ids, strict=True)
            )
        )

    def take_next(self) -> ListRecord | None:
        """The next record a preview agent may call now (window, DNC, in-flight checked)."""
        picked = self._pick(1, self.clock())
        if not picked:
            return None
        self.held[picked[0].id] = picked[0]
        return picked[0]

    def put_back(self, record: ListRecord) -> None:
        """A held record goes back in the list (at its `next_at`)."""
        self.held.pop(record.id, None)
        self._push(record)

    def _pick(self, count: int, now: float) -> list[ListRecord]:
        ctx = DialContext(
            now=now,
            default_zone=self.default_zone,
            dnc_numbers=frozenset(self.dnc_numbers()) | self.extra_dnc,
            in_flight=self.calls.by_number.keys() | {r.number for r in self.held.values()},
            called_in_numbers=self.calls.called_in,
        )
        picked: list[ListRecord] = []
        later: list[ListRecord] = []
        while self._heap and len(picked) < count:
            if self._heap[0][0] > now:
                break
            record = heapq.heappop(self._heap)[2]
            reason = why_not(record, self.campaign, ctx)
            if reason is None:
                picked.append(record)
            elif terminal(reason):
                self.calls.counts.skipped_dnc += reason == "do_not_call"
            elif reason == "in_flight":
                later.append(record)
            else:
                later.append(_postponed(record, now))
        for record in later:
            self._push(record)
        return picked

    async def _originate(self, record: ListRecord, attempt_id: int | None, started: float) -> None:
        if attempt_id is None:  # listed do-not-call since the list was built
            self.calls.counts.skipped_dnc += 1
            return
        dialling = start_attempt(record)
        attempt = Attempt(attempt_id, dialling, self.clock())
        self.calls.by_number[record.number] = attempt
        self.calls.counts.dialled += 1
        c = self.campaign
        try:
            action_id = await self.pbx.originate_customer_first(
                dial=dial_string(record.number, self.region),
                caller_name=c.caller_id_name or c.name,
                caller_number=c.caller_id_number,
                variables=c.dial_variables(record.id, record.customer_id),
                ring_timeout_s=self.ring_timeout_s,
            )
        except (PbxRefused, PbxUnavailable) as exc:
            log.warning("campaign %s: originate to %s refused: %s", c.id, record.id, exc)
            self.calls.counts.dialled -= 1
            self.calls.finish(attempt, "failed" if isinstance(exc, PbxRefused) else "congestion")
            return
        if self.on_originate is not None:
            self.on_originate(action_id, started)

    async def store_ended(self) -> None:
        """Write every finished attempt and put retried records back in the list."""
        async with self._store_lock:
            self._stored_at = self.clock()
            ended, self.calls.ended = self.calls.ended, []
            if not ended:
                return
            results = [
                AttemptResult(
                    attempt_id=attempt.attempt_id,
                    record=after_attempt(attempt.record, outcome, self.campaign.retry, at),
                    outcome=outcome,
                    ended_at=at,
                    answered_at=attempt.answered_at,
                    connected_at=attempt.connected_at,
                    agent=attempt.agent,
                    linkedid=attempt.linkedid,
                )
                for attempt, outcome, at in ended
            ]
            try:
                await self.ledger.finish_many(results)  # one transaction for them all
            except BaseException:
                self.calls.ended[:0] = ended  # not stored: kept for the next try
                raise
            for r in results:
                self.result(r.record, r.ended_at, agent=r.agent, outcome=r.outcome)
                if r.record.status == "queued":
                    self._push(r.record)

    def result(
        self, record: ListRecord, at: float, *, agent: str | None,
        outcome: str | None = None, disposition: str | None = None,
    ) -> None:  # fmt: skip
        """Tell subscribers an attempt ended (`outcome`) or the record was disposed."""
        if self.publish is not None:
            self.publish(
                campaign_result_event(
                    group=self.campaign.group, record=record, at=at, agent=agent,
                    outcome=outcome, disposition=disposition,
                )
            )  # fmt: skip

    def figures(self) -> dict[str, Any]:
        """Live figures for the supervisor."""
        return {
            **self.calls.figures(),
            "state": self.state,
            "dial_level": self.last.dial_level,
            "braked_by": self.last.braked_by,
            "list_left": len(self._heap) + len(self.calls.by_number) + len(self.held),
        }

    def _push(self, record: ListRecord) -> None:
        if record.status != "done":
            heapq.heappush(self._heap, (record.next_at, record.id, record))


def _postponed(record: ListRecord, now: float) -> ListRecord:
    return replace(record, next_at=now + POSTPONE_S)
