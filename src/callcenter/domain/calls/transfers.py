"""Blind and attended transfers: the call leaves one agent and goes on with the next."""

from __future__ import annotations

from callcenter.domain.calls import events as ev
from callcenter.domain.calls import facts as f
from callcenter.domain.calls.state import TrackerState


class TransferRules(TrackerState):
    """BlindTransfer / AttendedTransfer; a Redirect is recognised when the caller re-joins."""

    def _transfer(self, e: ev.TransferSeen) -> list[f.Fact]:
        call = self._find(e.pbx, e.customer_channel, e.linkedid)
        if call is None or not e.success:
            return []
        leg = call.unsettled_leg()
        agent = leg.agent if leg is not None else call.agent
        facts: list[f.Fact] = [
            f.CallTransferred(
                pbx=e.pbx,
                at=e.at,
                linkedid=e.linkedid,
                agent=agent,
                context=e.context,
                exten=e.exten,
            )
        ]
        call.transferred = True
        if leg is not None:
            facts[:0] = self._leave_agent(call, leg, e.at)
        consult = call.consult_leg
        if e.kind == "attended" and consult is not None:
            # The customer now talks with the consulted agent, from the moment the bridges merge.
            call.consult_leg = None
            consult.start = e.at
            call.legs.append(consult)
            call.agent, call.agent_interface = consult.agent, consult.interface
            facts.append(
                f.CallAnswered(
                    pbx=e.pbx,
                    at=e.at,
                    linkedid=call.linkedid,
                    agent=consult.agent,
                    interface=consult.interface,
                    queue=consult.queue or "",
                    waited_s=call.wait_s,
                )
            )
        return facts
