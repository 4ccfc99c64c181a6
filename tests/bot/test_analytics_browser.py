"""The 统计 page in a real browser (Debian's Chromium through Playwright), on a phone and on a
laptop: the charts are drawn and visible, nothing scrolls sideways (data tables opened too), and
a screenshot of each is kept in build/screenshots/ for a person to look at."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import create_app
from bot.keys import ADMIN as ADMIN_KEY
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import PASSWORD
from tests.analytics_support import CRISIS_TEXT, END, START, seed, seed_unanswered

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
WAIT_MS = 10_000
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
EXECUTABLE = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")

playwright_api = pytest.importorskip(
    "playwright.async_api", reason="playwright is not installed (pip install -e '.[test]')")
pytestmark = pytest.mark.skipif(
    EXECUTABLE is None,
    reason="Chromium is not installed at /usr/bin/chromium (apt-get install chromium "
           "fonts-wqy-microhei; .ci/run does this)")
expect = playwright_api.expect
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def database_url(sqlite_only):
    return sqlite_only


@pytest.fixture
async def base_url(settings, services, staff, users) -> AsyncIterator[str]:
    """The real app over seeded services, served on a free loopback port."""
    await seed_unanswered(services)
    await seed(services)
    app = create_app(settings, services)
    app[ADMIN_KEY] = staff
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


@pytest.fixture
async def browser():
    async with playwright_api.async_playwright() as p:
        launched = await p.chromium.launch(executable_path=EXECUTABLE, args=ARGS,
                                           timeout=30_000)
        yield launched
        await launched.close()


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 768)])
async def test_analytics_page_with_data(browser, base_url, width, height):
    phone = width < 500
    context = await browser.new_context(base_url=base_url, locale="zh-CN",
                                        viewport={"width": width, "height": height},
                                        is_mobile=phone, has_touch=phone)
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        await page.goto("/admin/login?next=/admin/analytics")
        await page.get_by_label("用户名").fill("ada")
        await page.get_by_label("密码").fill(PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await page.wait_for_url("**/admin/analytics")
        await page.get_by_label("开始日期").fill(START)
        await page.get_by_label("结束日期").fill(END)
        await page.get_by_role("button", name="查看").click()
        await page.wait_for_url(f"**/admin/analytics?from={START}&to={END}")
        charts = page.locator("svg.chart")
        await expect(charts).to_have_count(5)
        for i in range(5):
            chart = charts.nth(i)
            await chart.scroll_into_view_if_needed()
            await expect(chart).to_be_visible()
            box = await chart.bounding_box()
            assert box and 250 < box["width"] <= width and box["height"] > 40, box
        assert await page.locator("svg.chart rect[fill='#1f6feb']").count() > 0  # bars drawn
        await expect(page.get_by_role("img", name="每天的消息（按渠道）")).to_be_visible()
        assert await page.evaluate(OVERFLOW) <= 1, "the page scrolls sideways"
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=SHOTS / f"test_analytics_page_with_data-{width}.png",
                              full_page=True)
        for summary in await page.locator(".chart-card summary").all():
            await summary.click()
        await expect(page.locator(".chart-card details[open] table").first).to_be_visible()
        assert await page.evaluate(OVERFLOW) <= 1, "an opened data table scrolls sideways"
        assert CRISIS_TEXT not in await page.content()
        async with page.expect_download() as download:
            await page.get_by_role("link", name="导出 CSV").click()
        assert (await download.value).suggested_filename == f"wenjiao-{START}-{END}.csv"
    finally:
        await context.close()
