"""What every browser test shares: Debian's Chromium through Playwright (skipped without it), the
real app served on a free loopback port over the test's services, and where screenshots go.

Test modules take the fixtures with ``from tests.bot.browser_support import *``, the
constants by name, and set ``pytestmark = needs_chromium``; a module whose pages need stored data
first overrides ``served_data``. No browser is downloaded: /usr/bin/chromium (``.ci/run`` installs
it).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.app import create_app
from bot.keys import ADMIN as ADMIN_KEY

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
WAIT_MS = 10_000
EXECUTABLE = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"  # git-ignored artefacts

playwright_api = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install -e '.[test]')")
needs_chromium = pytest.mark.skipif(
    EXECUTABLE is None,
    reason="Chromium is not installed at /usr/bin/chromium (apt-get install chromium "
           "fonts-wqy-microhei; .ci/run does this)")
expect = playwright_api.expect

__all__ = ["base_url", "browser", "database_url", "served_data"]  # the fixtures; constants are imported by name


@pytest.fixture
def database_url(sqlite_only: str) -> str:
    return sqlite_only


@pytest.fixture
async def served_data(services: Any) -> None:
    """What must be in the store before the app is served: nothing, unless a module says so."""


@pytest.fixture
async def base_url(settings: Any, services: Any, staff: Any, users: Any,
                   served_data: None) -> AsyncIterator[str]:
    """The real app over the test's services, served on a free loopback port."""
    app = create_app(settings, services)
    app[ADMIN_KEY] = staff
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async with playwright_api.async_playwright() as p:
        launched = await p.chromium.launch(executable_path=EXECUTABLE, args=ARGS,
                                           timeout=30_000)
        yield launched
        await launched.close()
