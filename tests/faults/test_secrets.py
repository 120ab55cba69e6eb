"""The AMI secret and API tokens never show in logs (at DEBUG), errors or API output."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from callcenter.adapters.ami.listener import AmiListener
from callcenter.adapters.ami.pipeline import AmiPipeline
from callcenter.adapters.ami.protocol import CallCenterAMIProtocol
from callcenter.services.tokens import create_token
from callcenter.settings import AmiServer, Settings
from support.faults import subscribed
from support.livestack import SECRET, live_stack

WRONG_SECRET = "wr0ng-S3cret-9f1c"


def _our_log_text(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for record in caplog.records:
        if record.name.startswith("callcenter.sim"):
            continue  # the simulated Asterisk stands in for the PBX: its logs are not ours
        parts.append(f"{record.name} {record.getMessage()}")
        if record.exc_text:
            parts.append(record.exc_text)
        elif record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


async def test_no_secret_or_token_in_logs_errors_or_output(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Figure: a whole live call, a refused AMI login, good and bad tokens over HTTP and
    websockets, all at DEBUG -> 0 occurrences of the AMI secrets or any token in logs or bodies."""
    caplog.set_level(logging.DEBUG)
    bodies: list[str] = []
    async with live_stack(database_url) as stack:
        await stack.ami_connected()
        tokens = [
            (await create_token(uow=stack.runtime.uow, role=role, agent_code=agent))[0]
            for role, agent in (("admin", None), ("agent", "1001"), ("supervisor", None))
        ]
        admin, agent, supervisor = tokens
        wang = await stack.agent_socket("1001")  # its token is made inside: collect it below
        await subscribed(stack, "1001")
        linkedid = stack.sim.place_call(
            "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=2
        )
        pop = await wang.next("screen_pop", complete=True)
        assert pop["call"]["linkedid"] == linkedid
        await stack.settled()
        await wang.ws.close()

        # A second listener with the wrong secret: Asterisk refuses it, we log that, not the secret.
        refused = AmiListener(
            server=AmiServer(name="pbx9", port=stack.runtime.listeners["pbx1"].server.port,
                             secret=WRONG_SECRET),  # type: ignore[arg-type]
            sink=AmiPipeline(pbx="pbx9"),
            protocol_factory=CallCenterAMIProtocol,
        )  # fmt: skip
        await refused.start()
        await asyncio.sleep(1.0)
        assert not refused.connected
        await refused.stop()

        forged = "cc_" + "A" * 43
        base = f"http://127.0.0.1:{stack.http_port}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            for token in (admin, agent, supervisor, forged, "not-a-token"):
                for path in ("/api/customers?q=Li", "/api/wallboard", "/metrics", "/api/nope"):
                    reply = await client.get(
                        path,
                        headers={"Authorization": f"Bearer {token}", "X-Forwarded-For": "1.2.3.4"},
                    )
                    bodies.append(f"{reply.status_code} {reply.headers} {reply.text}")
            reply = await client.post(
                "/api/tokens/1/revoke", headers={"Authorization": f"Bearer {forged}"}
            )
            bodies.append(reply.text)
            bodies.append((await client.get("/openapi.json")).text)
        bodies.append(repr(stack.runtime.settings))
        bodies.append(str(stack.runtime.settings.model_dump()))
        async with stack.runtime.uow() as uow:
            listed = await uow.tokens.list_all()
        assert len(listed) >= 4  # the desktop's own token too; only hashes are stored

    text = _our_log_text(caplog)
    assert "Authentication failed" in text or "login refused" in text  # the refusal is logged
    assert "screen-pop" in text or "AMI" in text  # and the log did capture the live call
    for secret in (SECRET, WRONG_SECRET, admin, agent, supervisor, forged):
        assert secret not in text, f"{secret[:6]}... leaked into the logs"
        for body in bodies:
            assert secret not in body, f"{secret[:6]}... leaked into an API answer: {body[:200]}"


def test_settings_never_print_the_ami_secret() -> None:
    """Figure: settings built from the environment's JSON -> repr, str and dumps hide the secret."""
    settings = Settings(
        ami_servers=[{"name": "pbx1", "secret": WRONG_SECRET}],  # type: ignore[list-item]
    )
    assert settings.ami_servers[0].secret.get_secret_value() == WRONG_SECRET
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert WRONG_SECRET not in text
