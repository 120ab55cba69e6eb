"""What a stranger on the network gets from a real `callcenter serve`: FastAGI only for allowed
sources, proxy headers believed only from configured proxies, quiet logs without secrets."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import httpx
import websockets

from support.livestack import seed_floor
from support.servekit import make_tokens, serve_env, served

# A caller we know, on the hotline's entry point: an open port would tell a stranger who he is.
ENV = (
    "agi_network: yes\nagi_network_script: route\nagi_request: agi://127.0.0.1/route\n"
    "agi_channel: PJSIP/trunk-00000001\nagi_uniqueid: 1795343813.1\n"
    "agi_callerid: +8613800138000\nagi_callingpres: 0\nagi_extension: 8001\nagi_arg_1: 8001\n\n"
)


async def agi_session(port: int, source: str = "127.0.0.1") -> list[str]:
    """Play Asterisk from `source`: send the environment, answer each command; the commands."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    writer.write(ENV.encode())
    await writer.drain()
    commands: list[str] = []
    try:
        async with asyncio.timeout(10):
            while line := await reader.readline():
                commands.append(line.decode().rstrip("\n"))
                writer.write(b"200 result=1\n")
                await writer.drain()
    except ConnectionResetError:
        pass  # hung up on before the environment was read: the kernel resets, as Asterisk sees it
    writer.close()
    return commands


async def test_fastagi_answers_loopback_and_hangs_up_on_other_sources(
    database_url: str, tmp_path: Path
) -> None:
    """Figure: default settings -> a session from 127.0.0.1 gets its CC_* variables (customer id
    included); 3 sessions from 127.0.0.2 get 0 commands each; the log says so once."""
    await seed_floor(database_url)
    async with served(database_url, tmp_path) as node:
        mine = await agi_session(node.agi_port)
        assert any(c.startswith("SET VARIABLE CC_CUSTOMER_ID ") for c in mine), mine
        for _ in range(3):
            assert await agi_session(node.agi_port, source="127.0.0.2") == []
        await asyncio.sleep(0.3)
        refusals = [line for line in node.log_text().splitlines() if "refused" in line]
        assert len(refusals) == 1 and "127.0.0.2" in refusals[0], refusals


async def test_forwarded_for_from_loopback_does_not_pass_the_hook_allow_list(
    database_url: str, tmp_path: Path
) -> None:
    """Figure: hook allow-list 203.0.113.9; from loopback with `X-Forwarded-For: 203.0.113.9`
    -> 401 by default; 200 once loopback is a configured proxy."""
    url = "/api/dialplan/route?caller=%2B8613800138000&did=8001"
    forged = {"X-Forwarded-For": "203.0.113.9"}
    async with (
        served(database_url, tmp_path, dialplan_allow=["203.0.113.9"]) as node,
        httpx.AsyncClient(base_url=node.base, timeout=10) as client,
    ):
        assert (await client.get(url, headers=forged)).status_code == 401
    async with (
        served(
            database_url, tmp_path, dialplan_allow=["203.0.113.9"], trusted_proxies=["127.0.0.1"]
        ) as node,
        httpx.AsyncClient(base_url=node.base, timeout=10) as client,
    ):
        assert (await client.get(url, headers=forged)).status_code == 200


async def test_sockets_gone_before_hello_and_tokens_in_urls_stay_out_of_the_log(
    database_url: str, tmp_path: Path
) -> None:
    """Figure: 200 websockets closed before their hello -> no ERROR, no traceback, one line of
    ours each (< 500 bytes of log per socket); a token put in a websocket URL -> not in the log."""
    await seed_floor(database_url)
    (token,) = await make_tokens(database_url, "agent", ["1001"])
    async with served(database_url, tmp_path) as node:
        ws_base = f"ws://127.0.0.1:{node.http_port}"
        for _ in range(200):
            ws = await websockets.connect(f"{ws_base}/ws/agent")
            await ws.close()
        ws = await websockets.connect(f"{ws_base}/ws/agent?token={token}&since=0")
        await ws.send(json.dumps({"type": "hello", "token": token}))
        await asyncio.sleep(0.5)
        await ws.close()
        await asyncio.sleep(0.5)
        text = node.log_text()
    assert "Traceback" not in text and " ERROR " not in text, text[-3000:]
    assert token not in text
    assert 1 <= text.count("closed before its hello") <= 200
    assert len(text) < 200 * 500  # uvicorn's few lines per socket and ours; was ~4.7 KB each


def test_a_rule_book_nested_5000_deep_is_one_line_of_error(tmp_path: Path) -> None:
    """Figure: routing TOML `a = [[[…]]]` 5,000 deep -> serve exits 2 with one line naming the
    file; no traceback."""
    rules = tmp_path / "deep.toml"
    rules.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", "utf-8")
    env = serve_env(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", 0, 0, routing_file=str(rules))
    done = subprocess.run(
        [sys.executable, "-m", "callcenter", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "nested too deeply" in lines[0] and str(rules) in lines[0], lines
