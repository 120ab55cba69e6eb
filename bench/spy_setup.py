"""Spy set-up: `POST /api/agents/{code}/monitor` until the simulated Asterisk has the Originate.

One live call answered by agent 1001 on the simulated Asterisk; a supervisor asks to listen
--requests times, one after the other; each sample is request sent -> Originate(ChanSpy) received
by the PBX. Prints p50/p99/max; last line key=value.

Usage: python bench/spy_setup.py [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from callcenter.adapters.db.migrate import upgrade
from support.livestack import live_stack


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'spy.db'}"
        await upgrade(url)
        # real time: each spy leg of the simulator polls its target every 0.2 s, not every 10 ms
        async with live_stack(url, wait_ami=True, time_scale=1.0) as stack:
            received: list[float] = []
            real = stack.sim.start_originate

            def seen(action: dict[str, Any]) -> str | None:
                received.append(time.perf_counter())
                return real(action)

            stack.sim.start_originate = seen  # type: ignore[method-assign]
            token = await stack.token("supervisor")
            desk = await stack.agent_socket("1001")
            await asyncio.sleep(0.2)
            linkedid = stack.sim.place_call(
                "+8613800138000", "Li Wei", "8001", answer_by="1001",
                agent_answers_after=1, talk_s=100_000,
            )  # fmt: skip
            await desk.next("call_update", state="answered", linkedid=linkedid)
            samples: list[float] = []
            body = {"mode": "listen", "supervisor": "Local/1101@agent-phone/n"}
            async with httpx.AsyncClient(
                base_url=stack.url(""), headers={"Authorization": f"Bearer {token}"}
            ) as http:
                for _ in range(args.requests):
                    before = len(received)
                    sent = time.perf_counter()
                    reply = await http.post("/api/agents/1001/monitor", json=body)
                    assert reply.status_code == 202, reply.text
                    while len(received) == before:
                        await asyncio.sleep(0)
                    samples.append(received[before] - sent)
            await desk.ws.close()
    samples.sort()

    def p(q: float) -> float:
        return round(samples[min(len(samples) - 1, int(q * len(samples)))] * 1000, 2)

    return {
        "requests": len(samples),
        "spy_setup_p50_ms": p(0.5),
        "spy_setup_p99_ms": p(0.99),
        "spy_setup_max_ms": round(samples[-1] * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    figures = asyncio.run(bench(args))
    print(" ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
