"""The 统计 page in a real browser (Debian's Chromium through Playwright), on a phone and on a
laptop: the charts are drawn and visible, nothing scrolls sideways (data tables opened too), and
a screenshot of each is kept in build/screenshots/ for a person to look at."""

from __future__ import annotations

import pytest

from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import PASSWORD
from tests.analytics_support import CRISIS_TEXT, END, START, seed, seed_unanswered
from tests.bot.browser_support import *  # noqa: F403  (the fixtures)
from tests.bot.browser_support import SHOTS, WAIT_MS, expect, needs_chromium

pytestmark = needs_chromium

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
async def served_data(services):
    """Questions, answers, crises and votes over the report's weeks."""
    await seed_unanswered(services)
    await seed(services)


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
