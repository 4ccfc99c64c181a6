"""The web admin on a phone (390×844) and a laptop (1366×768), in Debian's Chromium: the menu
folds into one toggle, the entry list is searched and paged, the editor's buttons stay in reach,
the phrasing hint wraps, the audit log names actions in Chinese, and no page scrolls sideways.

Fixtures and skips follow tests/bot/test_admin_browser.py. The content is two topics (35 entries)
so the entry list has a second page. Every test writes screenshots to build/screenshots/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import EDITOR, PASSWORD, ask, copy_content
from tests.bot.browser_support import *  # noqa: F403  (the fixtures)
from tests.bot.browser_support import SHOTS, WAIT_MS, expect, needs_chromium

pytestmark = needs_chromium

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
SIZES = [pytest.param(PHONE, id="390"), pytest.param(LAPTOP, id="1366")]
ENTRY = "hotline.wenxin_youyue_intro"
# Long unbroken text (a URL, a phrasing without spaces) is what pushes a phone page sideways.
LONG_URL = "https://jyj.wenzhou.gov.cn/art/2024/3/15/art_1229116918_" + "0123456789" * 8 + ".html"


@pytest.fixture(scope="module")
def small_faq_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two topics: 35 entries, more than one page of the entry list."""
    return copy_content(tmp_path_factory.mktemp("faq_phone"), ("hotline", "honors"))


async def open_page(browser, base_url, size, *, javascript: bool = True):
    """A page of a new context at ``size`` (a phone is also mobile and touch)."""
    phone = size["width"] < 800
    context = await browser.new_context(base_url=base_url, viewport=size, locale="zh-CN",
                                        is_mobile=phone, has_touch=phone,
                                        java_script_enabled=javascript)
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    return page


async def log_in(page, username: str = "erin") -> None:
    await page.goto("/admin/login")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url("**/admin/entries")


async def shoot(page, request, size, name: str = "", *, full_page: bool = True) -> None:
    """build/screenshots/<test>[-<name>]-<width>.png"""
    SHOTS.mkdir(parents=True, exist_ok=True)
    test = request.node.originalname
    stem = f"{test}-{name}-{size['width']}" if name else f"{test}-{size['width']}"
    await page.screenshot(path=str(SHOTS / f"{stem}.png"), full_page=full_page)


async def sideways(page) -> int:
    """How far the page scrolls sideways (0 when it fits). Measured against the viewport's own
    width: a mobile browser widens ``innerWidth`` to content that overflows (zooming out)."""
    width = page.viewport_size["width"]
    inner, scroll = await page.evaluate(
        "[window.innerWidth, document.documentElement.scrollWidth]")
    return max(inner, scroll) - width


# -- the menu --------------------------------------------------------------------------------

@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
async def test_the_menu_folds_into_one_toggle_on_a_phone(browser, base_url, request, javascript):
    page = await open_page(browser, base_url, PHONE, javascript=javascript)
    await log_in(page, "ada")
    nav = page.get_by_role("navigation", name="主菜单")
    toggle = page.locator("#menu > summary")
    await expect(toggle).to_be_visible()
    await expect(nav.get_by_role("link", name="条目")).to_be_hidden()
    await expect(page.get_by_role("button", name="退出")).to_be_hidden()
    await shoot(page, request, PHONE, "closed-" + ("js" if javascript else "nojs"))
    await toggle.click()
    for name in ("条目", "未答问题", "用户反馈", "统计", "危机跟进", "用户", "审计日志"):
        await expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    await expect(nav.get_by_role("link", name="统计")).to_have_attribute(
        "href", "/admin/analytics")
    await expect(page.get_by_role("button", name="退出")).to_be_visible()
    assert await sideways(page) <= 0
    await shoot(page, request, PHONE, "open-" + ("js" if javascript else "nojs"))
    await nav.get_by_role("link", name="审计日志").click()
    await page.wait_for_url("**/admin/audit")
    await expect(page.locator("h1")).to_contain_text("审计日志")
    await page.context.close()


async def test_the_menu_is_spread_in_the_bar_on_a_laptop(browser, base_url, request):
    page = await open_page(browser, base_url, LAPTOP)
    await log_in(page, "ada")
    await expect(page.locator("#menu > summary")).to_be_hidden()
    nav = page.get_by_role("navigation", name="主菜单")
    for name in ("条目", "统计", "审计日志"):
        await expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    boxes = [await nav.get_by_role("link", name=n, exact=True).bounding_box()
             for n in ("条目", "统计", "审计日志")]
    assert len({round(b["y"]) for b in boxes}) == 1, "the links are one row in the bar"
    await shoot(page, request, LAPTOP)
    await page.context.close()


# -- the entry list --------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
async def test_search_finds_an_entry_by_a_word_and_the_list_is_paged(browser, base_url, staff,
                                                                    request, size):
    view = await staff.content.get("honors.xinrui_teachers")
    await staff.content.save(EDITOR, view.id, view.current | {
        "answer": view.current["answer"] + "（另见紫藤小学校车接送说明）"}, view.version)
    page = await open_page(browser, base_url, size)
    await log_in(page)
    rows = page.locator("table.entries tbody tr")
    await expect(rows).to_have_count(20)
    await expect(page.locator("h1")).to_contain_text("共 35 条，第 1–20 条")
    first_page = await rows.locator("td.title").all_inner_texts()
    await shoot(page, request, size, "page1")
    if size is PHONE:
        height = (await rows.first.bounding_box())["height"]
        assert height < 90, f"an entry row is {height}px tall on a phone"
    await page.get_by_role("link", name="下一页 ›").click()
    await expect(page.locator(".pager .where")).to_have_text("第 2/2 页")
    await expect(rows).to_have_count(15)
    second_page = await rows.locator("td.title").all_inner_texts()
    assert not set(first_page) & set(second_page)
    await expect(page.get_by_role("link", name="下一页 ›")).to_have_count(0)
    await page.get_by_role("link", name="‹ 上一页").click()
    await expect(rows).to_have_count(20)

    # Two words, neither in the title: both are in the (draft) answer.
    await page.get_by_role("searchbox", name="搜索").fill("紫藤 接送")
    await page.get_by_role("searchbox", name="搜索").press("Enter")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("2024年评选新锐教师2000名")
    await expect(page.locator("h1")).to_contain_text("找到 1 条")
    await expect(page.locator(".pager")).to_have_count(0)
    await shoot(page, request, size, "search")
    await page.get_by_role("searchbox", name="搜索").fill("hongyuan")  # a word of an id
    await page.get_by_role("searchbox", name="搜索").press("Enter")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("honors.hongyuan_principal_fund")
    assert await sideways(page) <= 0
    await page.context.close()


async def test_a_bad_page_number_shows_a_real_page(browser, base_url):
    page = await open_page(browser, base_url, PHONE)
    await log_in(page)
    for raw, shown in (("abc", "第 1/2 页"), ("99", "第 2/2 页"), ("-1", "第 1/2 页")):
        response = await page.goto(f"/admin/entries?page={raw}")
        assert response.status == 200
        await expect(page.locator(".pager .where")).to_have_text(shown)
    await page.context.close()


# -- the editor ------------------------------------------------------------------------------

async def long_entry(staff) -> None:
    """Make the test entry long: many phrasings, a long answer with an unbroken URL."""
    view = await staff.content.get(ENTRY)
    questions = [*view.current["questions"], *(f"温心有约第{i}种问法怎么问才对呢" for i in range(30))]
    await staff.content.save(EDITOR, ENTRY, view.current | {
        "questions": [*questions, "温心有约" * 30],
        "answer": (view.current["answer"] + "\n") * 6 + LONG_URL}, view.version)


@pytest.mark.parametrize("size", SIZES)
async def test_the_editor_buttons_stay_in_reach_at_the_bottom(browser, base_url, staff, request,
                                                              size):
    await long_entry(staff)
    page = await open_page(browser, base_url, size)
    await log_in(page, "paul")
    await page.goto(f"/admin/entries/{ENTRY}")
    save = page.get_by_role("button", name="保存草稿")
    publish = page.get_by_role("button", name="保存并发布")
    await page.locator("#answer").scroll_into_view_if_needed()
    for button in (save, publish):
        await expect(button).to_be_in_viewport()
    if size is PHONE:
        await page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        await page.wait_for_function(
            "window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1")
        for button in (save, publish):
            await expect(button).to_be_in_viewport(ratio=1)
            box = await button.bounding_box()
            assert box["y"] + box["height"] <= size["height"]
            on_top = await page.evaluate(
                "([x, y]) => document.elementFromPoint(x, y).closest('button')?.textContent",
                [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
            assert on_top == await button.text_content(), "something covers the button"
        # The page's last control is not hidden behind the bar.
        bar = await page.locator(".editor-bar").bounding_box()
        last = await page.get_by_role("button", name="删除条目").bounding_box()
        assert last["y"] + last["height"] <= bar["y"]
    await shoot(page, request, size)
    await save.click()
    await expect(page.locator(".notice")).to_contain_text("草稿已保存")
    await page.context.close()


@pytest.mark.parametrize("size", SIZES)
async def test_the_phrasing_hint_wraps_inside_its_box(browser, base_url, request, size):
    page = await open_page(browser, base_url, size)
    await log_in(page)
    await page.goto(f"/admin/entries/{ENTRY}")
    hint = page.locator("fieldset.phrasings .field-hint")
    await expect(hint).to_contain_text("用户可能怎么问")
    sizes = await hint.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert 0 < sizes[0] <= sizes[1], f"the hint is cut: scrollWidth {sizes[0]} > {sizes[1]}"
    box = await hint.bounding_box()
    fieldset = await page.locator("fieldset.phrasings").bounding_box()
    assert box["x"] + box["width"] <= fieldset["x"] + fieldset["width"]
    await hint.scroll_into_view_if_needed()
    await shoot(page, request, size, full_page=False)
    await page.context.close()


# -- the audit log ---------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
async def test_the_audit_log_names_actions_in_chinese(browser, base_url, staff, request, size):
    view = await staff.content.get(ENTRY)
    doc = view.current | {"questions": [*view.current["questions"], "紫藤小学校车几点到"]}
    await staff.content.save(EDITOR, ENTRY, doc, view.version, action="attach")
    page = await open_page(browser, base_url, size)
    await log_in(page, "ada")
    await page.goto("/admin/users")
    form = page.locator("form").filter(has_text="新建用户")
    await form.get_by_label("用户名").fill("newbie")
    await form.get_by_label("密码").fill("a good password")
    await form.get_by_role("button", name="新建").click()
    await page.goto("/admin/audit")
    actions = await page.locator("td[data-label='操作']").all_inner_texts()
    assert "问题并入草稿" in actions and "新建用户" in actions and "登录" in actions, actions
    assert not [a for a in actions if re.fullmatch(r"[a-z_]+", a)], actions
    created = page.locator("tbody tr").filter(has_text="新建用户").filter(has_text="newbie")
    await expect(created.locator("td[data-label='说明']")).to_have_text("编辑")
    await expect(page.locator("main")).not_to_contain_text("entry_attach")
    await page.get_by_label("操作", exact=True).select_option(label="问题并入草稿")
    await page.get_by_role("button", name="筛选").click()
    await expect(page.locator("tbody tr")).to_have_count(1)
    await expect(page.locator("tbody tr")).to_contain_text(ENTRY)
    assert await sideways(page) <= 0
    await shoot(page, request, size)
    await page.context.close()


# -- every page fits a phone -----------------------------------------------------------------

async def fill_the_pages(page, services, staff) -> None:
    """Give every page something to show, long text included."""
    await long_entry(staff)
    await ask(services, "紫藤小学的校车几点到站呀，" + "很急" * 40)
    await ask(services, "我不想活了", user="crisis-user")
    reply = await page.request.post("/api/ask", data=json.dumps(
        {"text": "温心有约是什么", "session": "phone-test"}),
        headers={"Content-Type": "application/json"})
    body = await reply.json()
    await page.request.post("/api/feedback", data=json.dumps(
        {"exchange_id": body["exchange_id"], "session": "phone-test", "value": -1}),
        headers={"Content-Type": "application/json"})


PAGES = {
    "entries": "/admin/entries",
    "editor": f"/admin/entries/{ENTRY}",
    "new-entry": "/admin/entries/new",
    "history": f"/admin/entries/{ENTRY}/history",
    "try": "/admin/try?text=" + "温心有约是干啥的" + LONG_URL[:60] + f"&entry={ENTRY}",
    "unanswered": "/admin/unanswered",
    "feedback": "/admin/feedback",
    "crisis": "/admin/crisis",
    "users": "/admin/users",
    "audit": "/admin/audit",
}


@pytest.mark.parametrize("size", SIZES)
async def test_no_admin_page_scrolls_sideways(browser, base_url, services, staff, request, size):
    page = await open_page(browser, base_url, size)
    await page.goto("/admin/login")
    assert await sideways(page) <= 0, "login scrolls sideways"
    await shoot(page, request, size, "login")
    await fill_the_pages(page, services, staff)
    await log_in(page, "ada")
    wide = {}
    for name, path in PAGES.items():
        response = await page.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        overflow = await sideways(page)
        if overflow > 0:
            wide[name] = overflow
        await shoot(page, request, size, name)
    assert not wide, f"pages that scroll sideways at {size['width']}px: {wide}"
    await page.context.close()
