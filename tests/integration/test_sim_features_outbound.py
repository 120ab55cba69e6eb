"""The simulator over real TCP plays outbound calls the way the recorded Asterisk did: Originate
outcomes, agent first and customer first, and AMD sending a human to the queue."""

from __future__ import annotations

from sim_client import running
from sim_features import SCALE, facts, recorded, sent, settle, tap


async def replay_originates(name: str, scale: float) -> tuple[list[dict[str, str]], list[str]]:
    """Send the recording's Originates one after the other; the events and response messages."""
    async with running(time_scale=scale, record_calls=False, seed=3) as (sim, port), tap(port) as t:
        replies = []
        for action in sent(name):
            t.act(**action)
            replies.append((await t.response(action["ActionID"]))["Message"])
            await settle(sim, t)
    return t.events, replies


def outcomes(events: list[dict[str, str]]) -> list[tuple[str, ...]]:
    """What a backend learns of each originate: responses, dial results, AMD."""
    out: list[tuple[str, ...]] = []
    for m in events:
        if m["Event"] == "OriginateResponse":
            out.append((m["ActionID"], m["Response"], m["Reason"]))
            if m["Response"] == "Failure":
                out.append((m["Channel"], m["Uniqueid"]))
        elif m["Event"] == "DialEnd" and m.get("Context") == "agent-phone":
            out.append(("phone DialEnd", m["DialStatus"]))  # the agent's own phone answering
        elif m["Event"] == "DialEnd" and m.get("Channel"):
            out.append(("DialEnd", m["DialStatus"]))
    return out + [tuple(f) for f in facts(events) if f[0] != "MIXMONITOR_FILENAME"]


async def test_outbound_outcomes_agent_first_and_customer_first_as_recorded() -> None:
    ours, replies = await replay_originates("outbound_outcomes", 0.05)
    theirs = recorded("outbound_outcomes")
    assert replies == ["Originate successfully queued"] * len(replies)
    # The shipped [outbound-connect] runs AMD before Queue(); the recorded one did not. The
    # shipped [agent-phone] Dials the agent's phone (as a real Asterisk showed); the recorded one
    # answered by itself.
    shipped_only = ("AMD", "phone DialEnd")
    assert [o for o in outcomes(ours) if not o[0].startswith(shipped_only)] == outcomes(theirs)
    agent_first = [a for a in sent("outbound_outcomes") if "@agent-phone" in a["Channel"]]
    phones = [o for o in outcomes(ours) if o[0] == "phone DialEnd"]
    assert phones == [("phone DialEnd", "ANSWER")] * len(agent_first)
    assert not [o for o in outcomes(theirs) if o[0] == "phone DialEnd"]
    assert ("AMDSTATUS", "HUMAN") in outcomes(ours)
    begins = [m["DestChannel"] for m in ours if m["Event"] == "DialBegin" and m.get("Channel")]
    assert not [b for b in begins if b.startswith("Local/99999@")]  # invalid: no DialBegin


async def test_amd_human_goes_to_the_queue_and_machine_hangs_up_as_recorded() -> None:
    ours, _ = await replay_originates("amd_outbound", SCALE)
    theirs = recorded("amd_outbound")
    assert outcomes(ours) == outcomes(theirs)
    joins = [m for m in ours if m["Event"] == "QueueCallerJoin"]
    assert [(m["Queue"], m["CallerIDNum"]) for m in joins] == [("telemarketing", "13700001111")]
