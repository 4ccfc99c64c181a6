"""The web admin in a real browser (Debian's Chromium through Playwright): log in, edit a
phrasing, publish, ask the web chat; attach an unanswered question; script injection shows as text;
the try box; a phone-sized screen.

The server runs in-process on a free 127.0.0.1 port on the test's event loop. No browser is
downloaded: the tests use /usr/bin/chromium (``.ci/run`` installs it) and skip without it.
"""

from __future__ import annotations

import pytest

from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import NEW_PHRASING, PASSWORD
from tests.bot.browser_support import *  # noqa: F403  (the fixtures)
from tests.bot.browser_support import WAIT_MS, expect, needs_chromium

pytestmark = needs_chromium

ENTRY = "hotline.wenxin_youyue_intro"


@pytest.fixture
async def page(browser, base_url):
    context = await browser.new_context(base_url=base_url, locale="zh-CN")
    opened = await context.new_page()
    opened.set_default_timeout(WAIT_MS)
    dialogs: list[str] = []

    async def refuse(dialog):
        dialogs.append(dialog.message)
        await dialog.dismiss()

    opened.on("dialog", refuse)
    yield opened
    await context.close()
    assert not dialogs or all("删除" in d or "忽略" in d or "放弃" in d for d in dialogs), dialogs


async def log_in(page, username: str = "paul") -> None:
    await page.goto("/admin/login")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url("**/admin/entries")


async def ask_chat(page, text: str):
    """Ask in the web chat page; returns the locator of the newest bot bubble."""
    await page.goto("/")
    count = await page.locator(".msg.bot").count()
    await page.locator("#text").fill(text)
    await page.locator("#text").press("Enter")
    await expect(page.locator(".msg.bot")).to_have_count(count + 1)
    return page.locator(".msg.bot .bubble").last


async def test_edit_a_phrasing_publish_and_the_chat_answers_it(page):
    before = await ask_chat(page, NEW_PHRASING)
    await expect(before).not_to_contain_text("（浏览器测试）")
    await log_in(page)
    await page.goto(f"/admin/entries/{ENTRY}")
    await page.get_by_role("button", name="＋ 添加问法").click()
    await page.locator("#questions li input").last.fill(NEW_PHRASING)
    answer = page.locator("#answer")
    await answer.fill((await answer.input_value()) + "（浏览器测试）")
    await page.get_by_role("button", name="保存并发布").click()
    await expect(page.locator(".notice")).to_contain_text("已发布")
    bubble = await ask_chat(page, NEW_PHRASING)
    await expect(bubble).to_contain_text("（浏览器测试）")
    await expect(page.locator(".msg.bot .source").last).to_contain_text("温教发〔2024〕1号")


async def test_script_injection_in_an_answer_is_shown_as_text(page):
    attack = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">注入测试'
    await log_in(page)
    await page.goto(f"/admin/entries/{ENTRY}")
    await page.locator("#questions li input").last.fill(NEW_PHRASING)
    await page.locator("#answer").fill(attack)
    await page.get_by_label("标题").fill("<b>粗体标题</b>")
    await page.get_by_role("button", name="保存并发布").click()
    await expect(page.locator(".notice")).to_contain_text("已发布")
    await expect(page.locator("h1")).to_have_text("<b>粗体标题</b>")
    assert await page.locator("#answer").input_value() == attack
    await page.goto(f"/admin/entries/{ENTRY}/history")
    await expect(page.locator("pre.diff").first).to_contain_text("<script>window.__pwned=1")
    assert await page.locator("main img").count() == 0
    assert await page.evaluate("window.__pwned") is None
    bubble = await ask_chat(page, NEW_PHRASING)
    # The phrasing asks a time the entry's source lacks: the answer follows the honest lead.
    await expect(bubble).to_contain_text(attack)
    assert await page.locator("#log img, #log script").count() == 0
    assert await page.evaluate("window.__pwned") is None


async def test_attach_an_unanswered_question_then_publish_and_the_chat_answers(page):
    question = "紫藤小学的校车几点到站呀"
    fallback = await ask_chat(page, question)
    await expect(fallback).to_contain_text("没有找到答案")
    await log_in(page, "erin")  # an editor attaches; a publisher publishes
    await page.goto("/admin/unanswered")
    group = page.locator("section.group").filter(has_text=question)
    await expect(group.locator(".count")).to_have_text("1 次")
    await group.get_by_label("加入哪个条目").fill(ENTRY)
    await group.get_by_role("button", name="加入条目问法").click()
    await page.wait_for_url(f"**/admin/entries/{ENTRY}?ok=attached")
    values = await page.locator("#questions li input").evaluate_all("els => els.map(e => e.value)")
    assert question in values
    await page.goto("/admin/unanswered")
    await expect(page.locator("main")).to_contain_text("没有待处理的问题")
    await page.get_by_role("button", name="退出").click()
    await log_in(page, "paul")
    await page.goto(f"/admin/entries/{ENTRY}")
    await page.get_by_role("button", name="发布草稿").click()
    await expect(page.locator(".notice")).to_contain_text("已发布")
    bubble = await ask_chat(page, question)
    await expect(bubble).to_contain_text("温心有约")


async def test_try_box_shows_the_top_candidates_and_scores(page):
    await log_in(page, "erin")
    await page.goto(f"/admin/entries/{ENTRY}")
    await page.get_by_label("试问的问题").fill("温心有约是干啥的")
    await page.get_by_role("button", name="试一试").click()
    results = page.locator("#try-results")
    await expect(results).to_contain_text("结果：直接回答")
    await expect(results.locator("li").first).to_contain_text(ENTRY)
    await expect(results.locator("li").first).to_contain_text("cover")


async def test_the_admin_is_usable_on_a_phone(browser, base_url):
    context = await browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844},
                                        is_mobile=True, has_touch=True)
    phone = await context.new_page()
    phone.set_default_timeout(WAIT_MS)
    try:
        await log_in(phone, "erin")
        for path in ("/admin/entries", f"/admin/entries/{ENTRY}", "/admin/unanswered"):
            await phone.goto(path)
            overflow = await phone.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{path} scrolls sideways on a phone by {overflow}px"
        await phone.goto("/admin/entries")
        await expect(phone.locator("td[data-label='标题']").first).to_be_visible()
    finally:
        await context.close()
