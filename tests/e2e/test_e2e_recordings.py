"""A past call's recording plays from the customer's history in Chromium, with seeking."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from playwright.async_api import expect
from test_e2e_desktop import CALLER, open_desktop

from callcenter.adapters.db.repo_recordings import SqlRecordingIndex
from callcenter.sim.recording import write_wav
from support.livestack import live_stack


async def test_a_recording_plays_from_the_history_and_seeks(
    page: Any, sqlite_url: str, tmp_path: Path
) -> None:
    spool = tmp_path / "monitor"
    await asyncio.to_thread(spool.mkdir)
    async with live_stack(
        sqlite_url, time_scale=0.25, wait_ami=True,
        recordings_dir=spool, agent_plays_own_recordings=True,
    ) as stack:  # fmt: skip
        stack.sim.recorder.state.spool = spool
        first = stack.sim.place_call(
            CALLER, "Li Wei", "8001", answer_by="1001", agent_answers_after=1, talk_s=2
        )
        await stack.settled(timeout=30)
        assert stack.runtime.recordings is not None
        await stack.runtime.recordings.aclose()
        index = SqlRecordingIndex(stack.runtime.database.engine)
        (row,) = await index.for_call("pbx1", first)
        # a 30-second file, so the player has something to seek in
        await asyncio.to_thread(write_wav, spool / row.file, 30.0)

        await open_desktop(page, stack, "1001")
        # the desk reopens in the first call's wrap-up: its disposition ends it, as an agent would
        form = page.locator("#disposition")
        await expect(form).to_be_visible(timeout=15_000)
        await form.locator("#dispo-code").select_option("order_status")
        await form.locator("input[name=settled][value=yes]").check()
        await page.keyboard.press("Alt+S")
        await expect(form).to_be_hidden()
        stack.sim.place_call(
            CALLER, "Li Wei", "8001", answer_by="1001", agent_answers_after=8, talk_s=30
        )
        record = page.locator("#record")
        await expect(record.locator("[data-testid=customer-name]")).to_have_text(
            "Li Wei", timeout=30_000
        )
        # the record pane still shows Li Wei from the first call: wait for the second call's pop
        # (rrmemory rings 1002 and 1003 before coming back to 1001)
        phase = page.locator("#call-card [data-testid=call-phase]")
        await expect(phase).to_have_text(re.compile("Ringing|Connected"), timeout=30_000)
        play = record.locator(f".play-recording[data-linkedid='{first}']")
        await expect(play).to_be_visible(timeout=15_000)
        await play.click()
        audio = record.locator("audio.recording")
        await expect(audio).to_be_attached()
        handle = await audio.element_handle()
        duration = await page.wait_for_function(
            "a => a.readyState >= 1 && isFinite(a.duration) && a.duration", arg=handle
        )
        assert abs(await duration.json_value() - 30.0) < 0.5
        seeked = await page.evaluate(
            """a => new Promise((done) => {
                 a.addEventListener('seeked', () => done(a.currentTime), { once: true });
                 a.currentTime = 21.5;
               })""",
            handle,
        )
        assert abs(seeked - 21.5) < 0.1
        assert await page.evaluate("a => a.seekable.length && a.seekable.end(0)", handle) > 29
        audit = await stack.runtime.audit.recent(kind="recording")  # type: ignore[union-attr]
        assert audit and all(a.linkedid == first for a in audit)
        assert any(a.detail.startswith("bytes ") for a in audit)  # the player used Range
        assert page.errors == []
