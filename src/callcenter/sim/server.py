"""The simulated Asterisk: an AMI server on TCP plus the in-process API tests and the demo use."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Collection, Coroutine
from pathlib import Path
from typing import Any

from callcenter.sim.agi_client import run_agi
from callcenter.sim.callerleg import originate_caller
from callcenter.sim.chanspy import play_chanspy
from callcenter.sim.dialout import play_customer_first
from callcenter.sim.dialplan import play_inbound
from callcenter.sim.host import AmiClient
from callcenter.sim.model import ENTRY_POINTS, TRANSFER_TARGETS, Channel, Message, PbxModel
from callcenter.sim.originate import OriginateSpec
from callcenter.sim.outbound import play_agent_first
from callcenter.sim.pstn import Pstn
from callcenter.sim.queue_log import QueueLogWriter
from callcenter.sim.recording import Recorder
from callcenter.sim.replies import Action, get
from callcenter.sim.session import serve_session
from callcenter.sim.switch import CallHandle, CallSpec, Interrupt
from callcenter.sim.wire import encode

log = logging.getLogger(__name__)


class SimulatedAsterisk:
    """An AMI server that plays app_queue's event sequences for placed and generated calls."""

    def __init__(
        self,
        username: str = "callcenter",
        secret: str = "",
        *,
        time_scale: float = 1.0,
        noise: bool = True,
        agi: str | None = None,
        agi_timeout_s: float = 2.0,
        answer_probability: float = 1.0,
        answer_delay_s: float = 3.0,
        talk_mean_s: float = 60.0,
        seed: int | None = None,
        with_default_members: bool = True,
        record_calls: bool = True,
        recordings_dir: Path | None = None,
        pstn: Pstn | None = None,
        pbx_name: str = "pbx1",
        queue_log: Path | None = None,
    ) -> None:
        self.username, self.secret, self.agi = username, secret, agi
        self.time_scale, self.noise, self.agi_timeout_s = time_scale, noise, agi_timeout_s
        self.answer_probability, self.answer_delay_s = answer_probability, answer_delay_s
        self.talk_mean_s, self.pbx_name = talk_mean_s, pbx_name
        self.rng = random.Random(seed)
        self._epoch = self.epoch = time.time()
        self.model = PbxModel(epoch=int(self._epoch), with_default_members=with_default_members)
        self.sessions: set[AmiClient] = set()
        self.calls: dict[str, CallHandle] = {}  # the queue_log below is written whoever listens
        # [cc-record] records every connected call as ${CC_PBX}-<linkedid>.wav (CC_PBX=pbx1).
        self.record_queue_calls = record_calls
        self.recorder = Recorder(lambda msg: self.emit(msg), recordings_dir)
        self.pstn = pstn or Pstn()
        self._tasks: set[asyncio.Task[object]] = set()
        self._session_tasks: set[asyncio.Task[Any]] = set()
        self.first_login = asyncio.Event()  # set when any client has logged in
        self._server: asyncio.Server | None = None
        self.queue_log = QueueLogWriter(queue_log) if queue_log is not None else None
        self._t0: float | None = None

    # -- the Switch protocol the scenarios use --------------------------------------------------
    def now(self) -> float:
        """Simulated wall-clock seconds (scaled from the loop's clock)."""
        if self._t0 is None:
            self._t0 = asyncio.get_running_loop().time()
        return self._epoch + (asyncio.get_running_loop().time() - self._t0) / self.time_scale

    async def sleep(self, seconds: float) -> None:
        """Sleep simulated seconds."""
        await asyncio.sleep(max(seconds, 0.0) * self.time_scale)

    def emit(self, msg: Message) -> None:
        """Send an event to every logged-in session that wants events."""
        data = encode(msg)
        if self.queue_log is not None:
            self.queue_log.observe(msg)
        for s in list(self.sessions):
            if s.authenticated and s.events:
                s.send(data)

    def emit_raw(self, data: bytes) -> None:
        """Send already-encoded bytes (a replayed trace) to every session that wants events."""
        for s in list(self.sessions):
            if s.authenticated and s.events:
                s.send(data)

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 5038) -> int:
        """Listen for AMI clients; returns the bound port (pass port=0 for a free one)."""
        self.now()  # starts the simulated clock
        self._server = await asyncio.start_server(self._serve, host, port)
        bound = int(self._server.sockets[0].getsockname()[1])
        log.info("simulated Asterisk AMI on %s:%s", host, bound)
        return bound

    async def stop(self) -> None:
        """Stop listening, end every call task and close every session."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.drop_connections()
        # Let each session coroutine see its cut connection and finish on its own.
        await asyncio.gather(*self._session_tasks, return_exceptions=True)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self.queue_log is not None:
            self.queue_log.close()

    def drop_connections(self) -> None:
        """Cut every AMI session mid-stream (as a PBX restart or network cut would)."""
        for s in list(self.sessions):
            transport = s.writer.transport
            transport.abort()
        self.sessions.clear()

    async def wait_idle(self) -> None:
        """Wait until every placed call and originate has played out."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        task: asyncio.Task[object] = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("simulated call failed", exc_info=task.exception())

    # -- calls -----------------------------------------------------------------------------------
    def place_call(
        self,
        caller_num: str | None,
        caller_name: str | None,
        entry_point_or_queue: str,
        *,
        answer_by: Collection[str] | str | None = None,
        agent_answers_after: float | None = None,
        talk_s: float | None = None,
        caller_hangs_up_after: float | None = None,
        hangup_by: str = "caller",
        max_wait_s: float = 600.0,
        transfer_to: str | None = None,
        transfer_after_s: float = 3.0,
        menu: str = "",
    ) -> str:
        """Start an inbound call now and return its Linkedid; it plays out on the event loop.

        answer_by: extensions ("1002") or interfaces allowed to answer (others let it ring);
        None means every agent answers with the simulator's answer probability.
        """
        target = entry_point_or_queue
        if target in ENTRY_POINTS or target in TRANSFER_TARGETS:
            entry, queue = target, ENTRY_POINTS.get(target) or TRANSFER_TARGETS[target]
        elif target in self.model.queues:
            entry = next((e for e, q in ENTRY_POINTS.items() if q == target), "8001")
            queue = target
        else:
            raise ValueError(f"unknown entry point or queue: {target!r}")
        spec = self._spec(
            caller_num, caller_name, entry, queue, answer_by, agent_answers_after, talk_s
        )
        spec.hangup_by, spec.patience_s, spec.max_wait_s = (
            hangup_by,
            caller_hangs_up_after,
            max_wait_s,
        )
        spec.transfer_to, spec.transfer_after_s, spec.menu = transfer_to, transfer_after_s, menu
        call = originate_caller(self, spec)
        self._spawn(self._play(call, spec))
        return call.caller.linkedid

    def _spec(
        self,
        caller_num: str | None,
        caller_name: str | None,
        entry: str,
        queue: str | None,
        answer_by: Collection[str] | str | None,
        delay: float | None,
        talk_s: float | None,
    ) -> CallSpec:
        allowed = {answer_by} if isinstance(answer_by, str) else set(answer_by or ())
        allowed = {a.removeprefix("Local/").split("@")[0] for a in allowed}

        def answer(ext: str) -> float | None:
            if allowed and ext not in allowed:
                return None
            if not allowed and self.rng.random() >= self.answer_probability:
                return None
            if delay is not None:
                return delay
            return self.rng.lognormvariate(0, 0.5) * self.answer_delay_s

        return CallSpec(
            caller_num=caller_num,
            caller_name=caller_name,
            entry=entry,
            queue=None if self.agi else queue,
            answer=answer,
            talk_s=talk_s if talk_s is not None else self.rng.expovariate(1 / self.talk_mean_s),
        )

    async def _play(self, call: CallHandle, spec: CallSpec) -> None:
        self.calls[call.caller.linkedid] = call
        try:
            await play_inbound(self, call, spec, self._route if self.agi else None)
        finally:
            self.calls.pop(call.caller.linkedid, None)

    async def _route(self, spec: CallSpec, ch: Channel) -> dict[str, str]:
        assert self.agi is not None
        pres = 0 if spec.caller_num not in (None, "", "anonymous") else 67
        args = [spec.entry, spec.menu]
        return await run_agi(self.agi, ch, args=args, pres=pres, deadline_s=self.agi_timeout_s)

    def start_originate(self, action: Action) -> str | None:
        """Begin an Originate; a problem found before anything rings comes back as text.

        Into an entry point (800X/700X): an inbound call. Application ChanSpy: a supervisor.
        Local/10NN@agent-phone/n: agent first. Anything else: the customer's line first."""
        channel, exten = get(action, "Channel"), get(action, "Exten")
        raw = action.get("Variable", [])
        pairs = [raw] if isinstance(raw, str) else raw
        timeout = get(action, "Timeout")
        spec = OriginateSpec(
            channel=channel,
            context=get(action, "Context"),
            exten=exten,
            callerid=get(action, "CallerID"),
            action_id=get(action, "ActionID"),
            application=get(action, "Application"),
            data=get(action, "Data"),
            timeout_s=int(timeout) / 1000 if timeout.isdigit() and int(timeout) > 0 else 30.0,
            variables=dict(v.partition("=")[::2] for v in pairs),
        )
        if not channel.startswith("Local/") or "@" not in channel:
            return f"Channel {channel}: only Local/… channels are simulated"
        if spec.application:
            if spec.application.lower() != "chanspy":
                return f"Application {spec.application} is not simulated"
            self._spawn(play_chanspy(self, spec))
            return None
        if spec.context in ("inbound", "") and (exten in ENTRY_POINTS or exten in TRANSFER_TARGETS):
            num = channel.removeprefix("Local/").split("@")[0]
            self.place_call(num, None, exten)
            return None
        local = channel.removeprefix("Local/").removesuffix("/n")
        number, _, where = local.partition("@")
        if where == "agent-phone":
            dialled = self.pstn.decide(exten, self.rng, spec.variables)
            self._spawn(play_agent_first(self, spec, dialled))
        else:
            dialled = self.pstn.decide(number, self.rng, spec.variables)
            template = self._spec(number, None, exten or "s", None, None, None, None)
            self._spawn(play_customer_first(self, spec, dialled, template))
        return None

    def interrupt(self, channel: str, kind: str, exten: str, context: str) -> bool:
        """Route an action to the live call owning `channel`; False when no call has it."""
        for call in self.calls.values():
            side = call.owns(channel)
            if side is None:
                continue
            if kind == "hangup":
                kind = f"hangup-{side}"
            if kind == "atxfer" and side != "agent":
                return False
            call.interrupt(Interrupt(kind, exten, context))
            return True
        return False

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._session_tasks.add(task)
        try:
            await serve_session(self, reader, writer)
        finally:
            if task is not None:
                self._session_tasks.discard(task)
