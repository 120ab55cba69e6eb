"""The WebhookSender port over httpx: its own client, short timeouts, no redirects followed."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from callcenter.ports.webhooks import SendResult


class HttpxWebhookSender:
    """POSTs deliveries; a slow or dead subscriber costs at most `timeout_s` per attempt."""

    def __init__(self, *, timeout_s: float = 5.0, connect_timeout_s: float = 2.0) -> None:
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
            headers={"user-agent": "callcenter-webhooks/1"},
        )

    async def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        try:
            reply = await self._client.post(url, content=body, headers=dict(headers))
        except httpx.TimeoutException as exc:
            return SendResult(status=None, error=f"timeout: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            return SendResult(status=None, error=f"{type(exc).__name__}: {exc}")
        if reply.is_success:
            return SendResult(status=reply.status_code)
        return SendResult(status=reply.status_code, error=f"HTTP {reply.status_code}")

    async def aclose(self) -> None:
        await self._client.aclose()
