"""Browser-test fixtures: Debian's headless Chromium under Playwright, a migrated SQLite DB."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from support.db_templates import MigratedTemplates

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CALLCENTER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


# The pages speak zh-CN unless the user picked English, which they remember in localStorage.
ENGLISH = "try { localStorage.setItem('callcenter.lang', 'en'); } catch (e) {}"


def chromium_path() -> str | None:
    """The Chromium binary to drive, if it is installed."""
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    return shutil.which("chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that drive the browser carry the e2e mark (`-m "not e2e"` leaves them out)."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
async def sqlite_url(tmp_path: Path, migrated_templates: MigratedTemplates) -> str:
    """A migrated SQLite database of this test (browser tests need no second engine): a copy of
    the session's migrated template."""
    return await migrated_templates.sqlite_copy(tmp_path / "e2e.db")


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Headless Chromium; fails under CI=true and skips elsewhere when it is not installed."""
    path = chromium_path()
    if path is None:
        reason = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(f"{reason}; browser tests must run under CI=true")
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def page(browser: Any) -> AsyncIterator[Any]:
    """A fresh page in English (tests read English labels; test_e2e_i18n covers the zh-CN
    default); browser console errors are collected on `page.errors`."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    await context.add_init_script(ENGLISH)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    try:
        yield page
    finally:
        await context.close()
