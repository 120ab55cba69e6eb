"""Issue 11's "done when" for mail, over real sockets only (SQLite, PostgreSQL): a relay sends a
mail with smtplib to the live backend's SMTP port; it is answered 250, becomes an `email` item in
the group its recipient names, and is offered to that group's best agent on their desktop
websocket (and to nobody else), who can then take it from the REST API."""

from __future__ import annotations

import asyncio
import os
import smtplib
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
from test_work_offers import auth, work_stack

from callcenter.domain.customers.records import NewCustomer
from support.livestack import LiveStack


async def add_reader(stack: LiveStack, email: str) -> int:
    """A member who writes to the club by e-mail."""
    async with stack.runtime.uow() as uow:
        customer_id = await uow.customers.add(
            customer=NewCustomer(member_number="M0000777", name="Chen Lan", email=email)
        )
        await uow.commit()
    return customer_id


def relay(port: int, sender: str, rcpt: str, attachment: bytes) -> tuple[int, str]:
    """One SMTP session as a relay runs it; the answer to DATA."""
    msg = EmailMessage()
    msg["From"] = f"Chen Lan <{sender}>"
    msg["To"] = rcpt
    msg["Subject"] = "Letter about my subscription"
    msg.set_content("Please pause my book club subscription for three months.")
    msg.add_attachment(attachment, maintype="application", subtype="pdf", filename="letter.pdf")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.ehlo("relay.example")
        smtp.mail(sender)
        smtp.rcpt(rcpt)
        code, reply = smtp.data(msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")))
    return code, reply.decode()


async def test_a_mail_to_the_smtp_port_is_offered_on_the_right_agents_desktop(
    database_url: str, tmp_path: Path
) -> None:
    async with work_stack(
        database_url, smtp_port=0, work_files_dir=tmp_path / "files", work_offer_timeout_s=30.0
    ) as stack:
        assert stack.runtime.smtp is not None, "CALLCENTER_SMTP_PORT set: the receiver listens"
        reader = await add_reader(stack, "chen.lan@example.cn")
        desks = {code: await stack.agent_socket(code) for code in ("1007", "1008", "1001")}
        await asyncio.sleep(0.3)

        attachment = os.urandom(20 * 1024)
        code, reply = await asyncio.to_thread(
            relay,
            stack.runtime.smtp.port,
            "Chen.Lan@example.cn",
            "letters@club.example",
            attachment,
        )
        assert code == 250, reply
        item_id = int(reply.rsplit(" ", 1)[-1])

        offer = await desks["1007"].next("work_offer", item_id=item_id, timeout=5)
        assert (offer["kind"], offer["group"]) == ("email", "letters")
        assert offer["customer_id"] == reader  # matched by the sender's address, any case
        assert 0 < offer["timeout_s"] <= 30.0
        for other in ("1008", "1001"):  # one agent at a time: the best letters agent only
            frames = await desks[other].drain(0.5)
            assert [m for m in frames if m["type"] == "work_offer"] == []

        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            own = await auth(stack, "agent", "1007")
            listed: list[dict[str, Any]] = (
                await http.get("/api/agents/1007/work", headers=own)
            ).json()
            assert [(w["id"], w["status"]) for w in listed] == [(item_id, "offered")]
            took = await http.post(f"/api/agents/1007/work/{item_id}/accept", headers=own)
            assert took.status_code == 200, took.text
            item = (
                await http.get(
                    f"/api/work-items/{item_id}", headers=await auth(stack, "supervisor")
                )
            ).json()
        assert item["status"] == "accepted"
        assert item["subject"] == "Letter about my subscription"
        assert item["customer"]["status"] == "matched"
        (stored,) = item["attachments"]
        assert (stored["filename"], stored["size"]) == ("letter.pdf", len(attachment))
