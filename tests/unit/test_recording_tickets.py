"""Play links for the browser's <audio>: a ticket opens one call's recording, for a while, and
anything else a client puts in `?ticket=` opens nothing (never an error)."""

from __future__ import annotations

import time

from callcenter.api.recordings import make_ticket, read_ticket
from callcenter.domain.access.auth import Principal

SUPERVISOR = Principal(role="supervisor", agent_id=None, agent_code=None, token_id=7)


def test_a_ticket_opens_its_own_call_only_and_only_until_it_expires() -> None:
    ticket = make_ticket(SUPERVISOR, "pbx1", "1700000000.1")
    assert read_ticket(ticket, "pbx1", "1700000000.1") == SUPERVISOR
    assert read_ticket(ticket, "pbx1", "1700000000.2") is None
    assert read_ticket(ticket, "pbx2", "1700000000.1") is None
    old = make_ticket(SUPERVISOR, "pbx1", "1700000000.1", now=time.time() - 3600)
    assert read_ticket(old, "pbx1", "1700000000.1") is None


def test_forged_or_garbled_tickets_open_nothing() -> None:
    ticket = make_ticket(SUPERVISOR, "pbx1", "1700000000.1")
    raw, _, sig = ticket.partition(".")
    flipped = sig[:-1] + ("1" if sig[-1] == "0" else "0")  # one hex digit of the signature changed
    for bad in ("", ".", "x.y", f"{raw}.{flipped}", f"{raw}x.{sig}", "録音.署名", f"{raw}.署名"):
        assert read_ticket(bad, "pbx1", "1700000000.1") is None, bad
