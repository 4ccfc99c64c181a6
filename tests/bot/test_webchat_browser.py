"""The web chat in a real browser (Debian's Chromium through Playwright), on a phone (390×844)
and a laptop (1366×768): ask, vote and find the vote stored; hotline numbers as tel: links; the
placeholder and the subtitle fit; earlier options dimmed yet working; keyboard and screen-reader
basics; no sideways scrolling. Each test writes a screenshot per size to build/screenshots/.

The server runs in-process on a free 127.0.0.1 port, as in test_admin_browser.py, whose launch
arguments and skips these follow.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.db.models import Exchange, Feedback
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.bot.browser_support import *  # noqa: F403  (the fixtures)
from tests.bot.browser_support import SHOTS, WAIT_MS, expect, needs_chromium
from tests.bot.test_admin_browser import log_in

pytestmark = needs_chromium

SIZES = {"390": {"width": 390, "height": 844}, "1366": {"width": 1366, "height": 768}}
HOTLINES = ("110", "120", "12356", "12355", "12345")


@pytest.fixture(params=list(SIZES))
async def page(request, browser, base_url):
    """The chat page at one screen size; ``page.shot()`` writes this test's screenshot."""
    phone = request.param == "390"
    context = await browser.new_context(base_url=base_url, locale="zh-CN",
                                        viewport=SIZES[request.param], is_mobile=phone,
                                        has_touch=phone)
    opened = await context.new_page()
    opened.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" and not
              m.text.startswith("Failed to load resource") else None)
    opened.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400
              and not r.url.endswith("/favicon.ico") else None)

    async def shot() -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = request.node.originalname
        await opened.screenshot(path=str(SHOTS / f"{name}-{request.param}.png"))

    opened.shot = shot
    await opened.goto("/")
    yield opened
    await context.close()
    assert not errors, errors  # no script error, no CSP violation


async def ask(page, text: str):
    """Type ``text`` and press Enter; the newest bot message once its reply is in."""
    count = await page.locator(".msg.bot").count()
    await page.locator("#text").fill(text)
    await page.locator("#text").press("Enter")
    await expect(page.locator(".msg.bot")).to_have_count(count + 1)
    return page.locator(".msg.bot").nth(count)  # this one, not whichever is last later


async def no_sideways_scroll(page) -> None:
    overflow = await page.evaluate("""() => [document.documentElement,
        document.getElementById('log')].map(e => e.scrollWidth - e.clientWidth)""")
    assert max(overflow) <= 0, f"the page scrolls sideways by {overflow}px"


async def test_vote_on_an_answer_is_stored_and_can_be_changed(page, services):
    answer = await ask(page, "温心有约是什么")
    await expect(answer.locator(".bubble")).to_contain_text("心理公益咨询平台")
    up = answer.get_by_role("button", name="有帮助")
    down = answer.get_by_role("button", name="没帮助")
    await expect(up).to_have_attribute("aria-pressed", "false")
    await expect(down).to_have_attribute("aria-pressed", "false")
    await up.click()
    await expect(up).to_have_attribute("aria-pressed", "true")
    await expect(answer.locator(".vote")).to_contain_text("谢谢您的反馈")
    await page.shot()
    assert await votes(services) == [("web", 1)]
    await down.click()
    await expect(down).to_have_attribute("aria-pressed", "true")
    await expect(up).to_have_attribute("aria-pressed", "false")
    assert await votes(services) == [("web", -1)]  # replaced, as Telegram does
    await log_in(page, "paul")  # and the staff see it
    await page.goto("/admin/feedback")
    row = page.locator("tbody tr").filter(has_text="温心有约")
    await expect(row.locator("td[data-label='👎']")).to_have_text("1")
    await expect(row.locator("td[data-label='👍']")).to_have_text("0")


async def votes(services) -> list[tuple[str, int]]:
    async with services.sessionmaker() as session:
        rows = await session.execute(select(Exchange.channel, Feedback.value)
                                     .join(Exchange, Exchange.id == Feedback.exchange_id))
        return [(channel, value) for channel, value in rows]


@pytest.mark.parametrize("question", ["心理健康热线电话是多少", "我不想活了"])
async def test_hotline_numbers_in_a_reply_are_tel_links(page, question):
    reply = await ask(page, question)
    bubble = reply.locator(".bubble")
    links = await bubble.locator("a").evaluate_all(
        "els => els.map(a => [a.getAttribute('href'), a.textContent])")
    assert {"110", "120", "12356"} <= {text for _, text in links}
    assert all(href == f"tel:{text}" and text in HOTLINES for href, text in links), links
    # The links are built from text nodes: the words around them are exactly the reply's text.
    shown = await bubble.evaluate("b => b.textContent")
    assert "12356" in shown and "<" not in shown
    assert await bubble.locator("*:not(a)").count() == 0
    await no_sideways_scroll(page)
    if question == "我不想活了":
        await expect(reply).to_have_class("msg bot crisis")
        assert await reply.locator(".vote").count() == 0  # a crisis reply is not rated
        await page.shot()


async def test_the_placeholder_and_the_subtitle_fit(page):
    fit = await page.evaluate("""() => {
        const t = document.getElementById('text'), cs = getComputedStyle(t);
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
        const room = t.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
        return {needs: ctx.measureText(t.placeholder).width, room, placeholder: t.placeholder,
                sw: t.scrollWidth, cw: t.clientWidth, sh: t.scrollHeight, ch: t.clientHeight};
    }""")
    assert fit["placeholder"]
    assert fit["sw"] <= fit["cw"] and fit["sh"] <= fit["ch"], fit
    assert fit["needs"] <= fit["room"], f"the placeholder is clipped: {fit}"
    lines = await page.evaluate("""() => {
        // One entry per line box: the characters whose rects (Range.getClientRects) sit on it.
        const p = document.querySelector('.bar p'), out = [];
        const walk = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
        for (let n = walk.nextNode(); n; n = walk.nextNode()) {
            for (let i = 0; i < n.data.length; i++) {
                if (!n.data[i].trim()) continue;
                const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
                const box = r.getClientRects()[0];
                if (!box) continue;
                const mid = box.top + box.height / 2, line = out[out.length - 1];
                if (line && Math.abs(line.mid - mid) < box.height / 2) line.text += n.data[i];
                else out.push({mid, text: n.data[i]});
            }
        }
        return out.map(l => l.text);
    }""")
    assert "".join(lines).startswith("温州市教育局")
    words = [sum(ch.isalnum() for ch in line) for line in lines]
    assert min(words) >= 2, f"a subtitle line with one character: {lines}"
    await page.shot()


async def test_earlier_options_are_dimmed_and_still_work(page):
    welcome = page.locator(".msg.bot").first.locator(".options button").first
    assert await opacity(welcome) == 1
    first = await ask(page, "温心有约是什么")
    assert await opacity(welcome) < 1  # the greeting's topics are earlier options now
    assert await first.locator(".options button").count() >= 2
    assert await opacity(first.locator(".options button").first) == 1
    second = await ask(page, "温心有约面向谁")
    await expect(second.locator(".options button").first).to_be_visible()
    old = first.locator(".options button").first
    assert await opacity(old) < 1 and await old.is_enabled()
    assert await opacity(second.locator(".options button").first) == 1
    await page.shot()
    title = (await old.text_content()).split(". ", 1)[1]
    count = await page.locator(".msg.bot").count()
    await old.click()  # a tap still works: the dialogue answers that option
    await expect(page.locator(".msg.me").last).to_have_text(title)
    await expect(page.locator(".msg.bot")).to_have_count(count + 1)
    await expect(page.locator(".msg.bot").last.locator(".vote")).to_be_visible()
    assert await opacity(second.locator(".options button").first) < 1


async def opacity(locator) -> float:
    return float(await locator.evaluate("b => getComputedStyle(b).opacity"))


async def test_keyboard_and_screen_reader_use(page):
    log = page.locator("#log")
    await expect(log).to_have_attribute("aria-live", "polite")
    await expect(page.get_by_label("您的问题")).to_have_id("text")
    await page.locator("#text").focus()
    await page.keyboard.press("Tab")  # from the input straight to its send button
    assert await page.evaluate("document.activeElement.id") == "send"
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.type("温心有约是什么")
    count = await page.locator(".msg.bot").count()
    await page.keyboard.press("Enter")
    await expect(page.locator(".msg.bot")).to_have_count(count + 1)
    await expect(page.locator("#text")).to_be_focused()  # ready for the next question
    await expect(page.locator("#text")).to_have_value("")
    kinds = await page.locator(".options > *, .vote > :not(.status)").evaluate_all(
        "els => els.map(e => [e.tagName, e.type, e.getAttribute('aria-label')])")
    assert kinds and all(tag == "BUTTON" and kind == "button" for tag, kind, _ in kinds)
    assert sum(label in ("有帮助", "没帮助") for _, _, label in kinds) == 2
    group = page.locator(".msg.bot").last.get_by_role("group", name="这条回答有帮助吗？")
    await expect(group).to_be_visible()
    await no_sideways_scroll(page)
    await page.shot()
