"""A process started while the database is away still starts (calls are routed); the campaigns
stored as running are resumed once the database answers, not forgotten."""

from __future__ import annotations

import asyncio

from callcenter.campaign_wiring import _resume_later


class FlakyDesk:
    """Resume fails while the database is away (twice here), then resumes campaign 7."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.tries = 0

    async def resume(self) -> list[int]:
        self.tries += 1
        if self.tries <= self.failures:
            raise ConnectionRefusedError("database away")
        return [7]


async def test_running_campaigns_are_resumed_once_the_database_is_back() -> None:
    desk = FlakyDesk(failures=2)
    async with asyncio.timeout(2):
        await _resume_later(desk, first_delay_s=0.01)  # type: ignore[arg-type]
    assert desk.tries == 3
