"""The real-PBX suite's fixtures: one Asterisk and one `callcenter serve` for the whole run.

Needs CALLCENTER_TEST_ASTERISK=<prefix of an installed Asterisk>; without it the run fails (it is
never skipped). `make test` does not collect this folder; `make test-pbx` runs it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from driver import Driver
from floor import Desk, Rest
from lab import DRIVER_SECRET, DRIVER_USER, Lab

PREFIX_VAR = "CALLCENTER_TEST_ASTERISK"


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get(PREFIX_VAR):
        raise pytest.UsageError(
            f"tests/pbx needs a real Asterisk: set {PREFIX_VAR} to the prefix it is installed "
            "under (the folder holding sbin/asterisk and lib/asterisk/modules); see "
            "tests/pbx/README.md"
        )


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    """Asterisk on the shipped configs + the backend on its own database, both on free ports."""
    prefix = Path(os.environ[PREFIX_VAR])
    # its own folder, kept afterwards: pytest's numbered temp folders are pruned by other runs
    lab = Lab(root=Path(tempfile.mkdtemp(prefix="callcenter-pbx-")), prefix=prefix)
    lab.lay_out()
    lab.prepare_backend()
    try:
        lab.start_asterisk()
        lab.start_backend()
        yield lab
    finally:
        lab.stop()
        print(f"\nreal-PBX lab left in {lab.root} (logs: log/messages.log, callcenter.out)")


@pytest.fixture
async def driver(lab: Lab, request: pytest.FixtureRequest) -> AsyncIterator[Driver]:
    """The test's own AMI session (read/write all): callers, phones' settings, Atxfer.

    Every event it saw is kept as `<test>.events.jsonl` in the lab folder, for the post-mortem.
    """
    drv = Driver()
    await drv.connect(lab.ami_port, DRIVER_USER, DRIVER_SECRET)
    await drv.send("DBDelTree", Family="cctest")  # every phone silent unless a test says so
    try:
        yield drv
    finally:
        await drv.hang_up_everything()
        await drv.close()
        kept = lab.root / f"{request.node.name}.events.jsonl"
        kept.write_text("".join(json.dumps(e) + "\n" for e in drv.events), "utf-8")


@pytest.fixture
async def rest(lab: Lab) -> AsyncIterator[Rest]:
    api = Rest(lab)
    try:
        yield api
    finally:
        await api.close()


class Floor:
    """Agents logged in (real QueueAdd through the backend) with their desktops open."""

    def __init__(self, lab: Lab, rest: Rest) -> None:
        self.lab, self.rest = lab, rest
        self.desks: dict[str, Desk] = {}

    async def staff(self, *codes: str) -> None:
        for code in codes:
            desk = Desk(self.lab, code)
            await desk.open()
            self.desks[code] = desk
            await self.rest.post(f"/api/agents/{code}/login")

    async def leave(self) -> None:
        for code, desk in self.desks.items():
            await self.rest.client.post(f"/api/agents/{code}/logout")
            await desk.close()


@pytest.fixture
async def floor(lab: Lab, rest: Rest) -> AsyncIterator[Floor]:
    """Log in the agents a test names; everybody logs out afterwards."""
    f = Floor(lab, rest)
    try:
        yield f
    finally:
        await f.leave()
