"""The web admin over HTTP: login, cookies, CSRF, roles, the editor round trip, conflicts,
escaping and security headers (the browser tests drive the same pages in Chromium)."""

from __future__ import annotations

import re

import pytest
from yarl import URL

from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import NEW_PHRASING, PASSWORD, admin_client

ENTRY = "hotline.wenxin_youyue_intro"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')



@pytest.fixture
def database_url(sqlite_only):
    return sqlite_only

@pytest.fixture
async def web(aiohttp_client, settings, services, staff, users):
    return await admin_client(aiohttp_client, settings, services, staff)


async def login(web, username: str = "erin", password: str = PASSWORD, next_: str = ""):
    page = await (await web.get("/admin/login")).text()
    return await web.post("/admin/login", allow_redirects=False, data={
        "csrf": CSRF.search(page).group(1), "username": username, "password": password,
        "next": next_})


async def form_values(web, path: str) -> tuple[str, str]:
    page = await (await web.get(path)).text()
    return CSRF.search(page).group(1), VERSION.search(page).group(1)


def editor_form(csrf: str, version: str, **fields) -> dict:
    form = {"csrf": csrf, "version": version, "topic": "hotline", "title": "温心有约是什么",
            "questions": ["温心有约是什么", NEW_PHRASING], "keywords": "温心有约",
            "answer": "温心有约是心理公益咨询平台（测试）。", "answer_en": "",
            "source_document": "温州市教育局2023年工作总结", "source_number": "温教发〔2024〕1号",
            "source_section": "", "related": "", "valid_from": "", "valid_until": "",
            "action": "save"}
    form.update(fields)
    return form


def multi(form: dict) -> list[tuple[str, str]]:
    return [(k, v) for k, values in form.items()
            for v in (values if isinstance(values, list) else [values])]


async def test_pages_need_a_login(web):
    resp = await web.get("/admin/entries?q=x", allow_redirects=False)
    assert resp.status == 303
    location = URL(resp.headers["Location"])
    assert location.path == "/admin/login" and location.query["next"] == "/admin/entries?q=x"


async def test_login_sets_a_strict_httponly_cookie_and_goes_where_asked(web):
    resp = await login(web, next_="/admin/feedback")
    assert resp.status == 303 and resp.headers["Location"] == "/admin/feedback"
    cookie = next(c for c in resp.headers.getall("Set-Cookie") if c.startswith("wenjiao_admin="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/admin" in cookie
    assert "Max-Age=" in cookie
    assert (await web.get("/admin/entries")).status == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/api/ask"])
async def test_login_never_redirects_outside_the_admin(web, target):
    resp = await login(web, next_=target)
    assert resp.headers["Location"] == "/admin/entries"


async def test_wrong_password_shows_the_form_again(web):
    resp = await login(web, password="nope")
    assert resp.status == 401
    assert "用户名或密码不正确" in await resp.text()


async def test_login_form_without_its_csrf_value_is_refused(web):
    await web.get("/admin/login")
    resp = await web.post("/admin/login", data={"csrf": "forged", "username": "erin",
                                                "password": PASSWORD})
    assert resp.status == 403
    assert not any(c.key == "wenjiao_admin" for c in web.session.cookie_jar)


async def test_login_page_is_rate_limited(web):
    for _ in range(5):
        await login(web, password="nope")
    resp = await login(web)
    assert resp.status == 429 and "次数过多" in await resp.text()


async def test_forms_without_the_session_csrf_value_are_refused(web):
    await login(web)
    csrf, version = await form_values(web, f"/admin/entries/{ENTRY}")
    resp = await web.post(f"/admin/entries/{ENTRY}",
                          data=multi(editor_form("forged", version)))
    assert resp.status == 403
    assert (await web.get(f"/admin/entries/{ENTRY}")).status == 200
    assert NEW_PHRASING not in await (await web.get(f"/admin/entries/{ENTRY}")).text()


async def test_editor_round_trip_saves_a_draft_and_shows_it(web):
    await login(web)
    csrf, version = await form_values(web, f"/admin/entries/{ENTRY}")
    resp = await web.post(f"/admin/entries/{ENTRY}", data=multi(editor_form(csrf, version)),
                          allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].endswith("?ok=saved")
    page = await (await web.get(resp.headers["Location"])).text()
    assert "草稿已保存" in page and f'value="{NEW_PHRASING}"' in page
    assert "有未发布修改" in page


async def test_an_editor_gets_no_publish_button_and_a_403_when_trying(web):
    await login(web)
    csrf, version = await form_values(web, f"/admin/entries/{ENTRY}")
    page = await (await web.get(f"/admin/entries/{ENTRY}")).text()
    assert "保存并发布" not in page
    resp = await web.post(f"/admin/entries/{ENTRY}",
                          data=multi(editor_form(csrf, version, action="publish")))
    assert resp.status == 403


async def test_a_stale_save_shows_a_conflict_and_keeps_the_typed_text(web, staff):
    from tests.admin_support import PUBLISHER

    await login(web)
    csrf, version = await form_values(web, f"/admin/entries/{ENTRY}")
    view = await staff.content.get(ENTRY)
    await staff.content.save(PUBLISHER, ENTRY, view.current | {"title": "别人改的标题"},
                             view.version)
    resp = await web.post(f"/admin/entries/{ENTRY}", data=multi(editor_form(
        csrf, version, answer="我刚写的答案")))
    assert resp.status == 409
    page = await resp.text()
    assert "保存冲突" in page and "我刚写的答案" in page and "别人改的标题" in page
    assert (await staff.content.get(ENTRY)).current["title"] == "别人改的标题"


async def test_invalid_input_is_shown_next_to_the_field(web):
    await login(web)
    csrf, version = await form_values(web, f"/admin/entries/{ENTRY}")
    resp = await web.post(f"/admin/entries/{ENTRY}",
                          data=multi(editor_form(csrf, version, title="", related="no.such")))
    assert resp.status == 422
    page = await resp.text()
    assert "必填" in page and "没有这些条目：no.such" in page


async def test_staff_text_is_escaped_everywhere(web, staff):
    from tests.admin_support import EDITOR

    attack = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    view = await staff.content.get(ENTRY)
    await staff.content.save(EDITOR, ENTRY, view.current | {"title": attack, "answer": attack},
                             view.version)
    await login(web)
    for path in (f"/admin/entries/{ENTRY}", f"/admin/entries/{ENTRY}/history",
                 f"/admin/entries?q={attack}"):
        page = await (await web.get(path)).text()
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


async def test_admin_pages_send_strict_security_headers(web):
    await login(web)
    resp = await web.get("/admin/entries")
    assert "script-src" not in resp.headers["Content-Security-Policy"]  # default-src 'self' only
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Cache-Control"] == "no-store"


async def test_only_admins_see_users_and_the_audit_log(web):
    await login(web, "paul")
    assert (await web.get("/admin/users")).status == 403
    assert (await web.get("/admin/audit")).status == 403
    assert "/admin/users" not in await (await web.get("/admin/entries")).text()


async def test_an_admin_creates_a_user_who_can_then_log_in(web):
    await login(web, "ada")
    page = await (await web.get("/admin/users")).text()
    csrf = CSRF.search(page).group(1)
    resp = await web.post("/admin/users", data={"csrf": csrf, "username": "newbie",
                                                "password": "a good password", "role": "editor"})
    assert resp.status == 200 and "newbie" in await resp.text()
    audit = await (await web.get("/admin/audit?action=user_create")).text()
    assert "newbie" in audit and "新建用户" in audit
    web.session.cookie_jar.clear()
    assert (await login(web, "newbie", "a good password")).status == 303


async def test_logout_ends_the_session(web):
    await login(web)
    page = await (await web.get("/admin/entries")).text()
    await web.post("/admin/logout", data={"csrf": CSRF.search(page).group(1)})
    resp = await web.get("/admin/entries", allow_redirects=False)
    assert resp.status == 303


async def test_an_expired_session_goes_back_to_the_login(web, services):
    from sqlalchemy import update

    from services.db.models import AdminSession

    await login(web)
    async with services.sessionmaker.begin() as session:
        await session.execute(update(AdminSession).values(expires_at=AdminSession.created_at))
    resp = await web.get("/admin/entries", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/admin/login")


async def test_unknown_entries_are_a_404_page(web):
    await login(web)
    resp = await web.get("/admin/entries/no.such_entry")
    assert resp.status == 404 and "没有条目" in await resp.text()


async def test_try_box_json_and_page(web):
    await login(web)
    body = await (await web.get("/admin/try", params={"text": "温心有约是啥",
                                                      "format": "json"})).json()
    assert body["candidates"][0]["id"] == ENTRY
    bad = await web.get("/admin/try", params={"text": "", "format": "json"})
    assert bad.status == 422 and (await bad.json())["error"]["code"] == "invalid"
    page = await (await web.get("/admin/try", params={"text": "温心有约是啥"})).text()
    assert ENTRY in page and "直接回答" in page


async def test_inbox_crisis_and_feedback_pages_show_the_redacted_texts(web):
    await web.post("/api/ask", json={"text": "紫藤小学的校车几点到站，我儿子叫李小龙"})
    await web.post("/api/ask", json={"text": "我不想活了，我叫王小明"})
    await login(web)
    inbox = await (await web.get("/admin/unanswered")).text()
    assert "紫藤小学的校车几点到站" in inbox and "李小龙" not in inbox
    crisis = await (await web.get("/admin/crisis")).text()
    assert "不想活了" in crisis and "王小明" not in crisis
    assert (await web.get("/admin/feedback")).status == 200
