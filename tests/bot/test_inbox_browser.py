"""The unanswered inbox in a real browser (Debian's Chromium through Playwright), on a phone and
a laptop: questions asked through POST /api/ask show up grouped, non-questions do not; staff find
an entry with the picker's search, attach the group, publish, and the group is gone while
/api/ask now answers it; another group becomes a new draft in one click.

Same set-up as tests/bot/test_admin_browser.py (its Chromium, launch arguments and skips).
Screenshots of the inbox go to build/screenshots/.
"""

from __future__ import annotations

import pytest

from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.bot.browser_support import *  # noqa: F403  (the fixtures)
from tests.bot.browser_support import SHOTS, WAIT_MS, expect, needs_chromium
from tests.bot.test_admin_browser import log_in

pytestmark = needs_chromium

ENTRY = "hotline.wenxin_youyue_intro"
CARE = ["学生托管班是做什么的", "学生的托管班是做啥的"]  # to attach to ENTRY
UNIFORM = ["校服在哪里买", "孩子的校服去哪里订购"]  # to become a new draft
NOISE = ["2", "asdfgh", "。。。"]
SCREENS = [(390, 844), (1366, 768)]


async def api_ask(page, text: str) -> dict:
    response = await page.request.post("/api/ask", data={"text": text})
    assert response.ok, await response.text()
    return await response.json()


async def no_sideways_scroll(page) -> None:
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the inbox scrolls sideways by {overflow}px"


@pytest.mark.parametrize(("width", "height"), SCREENS)
async def test_inbox_groups_attach_with_the_picker_publish_and_the_group_is_gone(
        browser, base_url, width, height):
    context = await browser.new_context(base_url=base_url, locale="zh-CN",
                                        viewport={"width": width, "height": height},
                                        is_mobile=width < 500, has_touch=width < 500)
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        for text in [*CARE, *UNIFORM, *NOISE]:
            await api_ask(page, text)
        assert (await api_ask(page, CARE[1]))["kind"] == "fallback"
        await log_in(page, "erin")
        await page.goto("/admin/unanswered")
        groups = page.locator("section.group")
        care = groups.filter(has_text=CARE[0])
        await expect(care).to_have_count(1)
        await expect(care).to_contain_text(CARE[1])  # both phrasings in one group
        await expect(groups.filter(has_text=UNIFORM[0])).to_contain_text(UNIFORM[1])
        for noise in ("asdfgh", "。。。"):
            await expect(page.locator("main")).not_to_contain_text(noise)
        await no_sideways_scroll(page)

        await care.get_by_label("按关键词找条目").fill("温心有约")
        await care.get_by_role("button", name="找条目").click()
        await page.wait_for_url("**/admin/unanswered?pick=*")
        care = page.locator("section.group").filter(has_text=CARE[0])
        found = care.locator(".pick-list.found label").filter(has_text=ENTRY)
        await expect(found).to_contain_text("温心有约")
        await found.locator("input[type=radio]").check()
        await expect(care.locator(".pick-list.candidates li").first).to_contain_text(".")
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / f"test_inbox_browser-{width}.png"),
                              full_page=True)
        await no_sideways_scroll(page)
        await care.get_by_role("button", name="加入条目问法").click()
        await page.wait_for_url(f"**/admin/entries/{ENTRY}?ok=attached")
        values = await page.locator("#questions li input").evaluate_all(
            "els => els.map(e => e.value)")
        assert set(CARE) <= set(values)

        await context.clear_cookies()  # a second person: the publisher
        await log_in(page, "paul")
        await page.goto(f"/admin/entries/{ENTRY}")
        await page.get_by_role("button", name="发布草稿").click()
        await expect(page.locator(".notice")).to_contain_text("已发布")
        await page.goto("/admin/unanswered")
        await expect(page.locator("section.group").filter(has_text=CARE[0])).to_have_count(0)
        uniform = page.locator("section.group").filter(has_text=UNIFORM[0])
        await expect(uniform).to_have_count(1)
        await page.screenshot(path=str(SHOTS / f"test_inbox_browser-after-{width}.png"),
                              full_page=True)
        reply = await api_ask(page, CARE[1])
        assert reply["kind"] == "answer" and reply["intent"] == ENTRY

        await uniform.get_by_role("button", name="用这组问法新建草稿条目").click()
        await page.wait_for_url("**/admin/entries/hotline.*?ok=created")
        values = await page.locator("#questions li input").evaluate_all(
            "els => els.map(e => e.value)")
        assert sorted(v for v in values if v) == sorted(UNIFORM)  # the editor adds a blank row
        await page.goto("/admin/unanswered")
        await expect(page.locator("main")).to_contain_text("没有待处理的问题")
    finally:
        await context.close()


async def test_dismissing_needs_a_reason_and_says_so(browser, base_url):
    context = await browser.new_context(base_url=base_url, locale="zh-CN")
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        await api_ask(page, "小区门口的快递柜怎么用")
        await log_in(page, "erin")
        await page.goto("/admin/unanswered")
        group = page.locator("section.group").first
        csrf = await group.locator("form.dismiss input[name=csrf]").input_value()
        ids = await group.locator("form.dismiss input[name=ids]").first.input_value()
        bare = await page.request.post("/admin/unanswered/dismiss",
                                       form={"csrf": csrf, "ids": ids, "reason": ""})
        assert bare.status == 422 and "请选择忽略的原因" in await bare.text()
        await page.reload()
        await expect(group).to_contain_text("快递柜")  # a refused dismiss keeps the group
        await group.get_by_label("忽略的原因").select_option(label="文件未涉及")
        await group.get_by_label("忽略的备注").fill("物业的事")
        await group.get_by_role("button", name="忽略这组").click()
        await expect(page.locator(".notice")).to_contain_text("已忽略")
        await expect(page.locator("main")).to_contain_text("没有待处理的问题")
    finally:
        await context.close()
