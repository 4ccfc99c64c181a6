"""The inbox page's 投诉与诉求 section over HTTP: listed apart, escaped, dismissed with CSRF."""

from __future__ import annotations

import re

import pytest

from services.db import repositories as repo
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import PASSWORD, admin_client

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
QUESTION = "小区门口的快递柜怎么用"
COMPLAINT = "鹿城区某小学食堂的饭菜太差了，孩子天天吃不饱"
ATTACK = '学校乱收费<script>alert(1)</script><img src=x onerror="alert(2)">'


@pytest.fixture
def database_url(sqlite_only):
    return sqlite_only


@pytest.fixture
async def web(aiohttp_client, settings, services, staff, users):
    return await admin_client(aiohttp_client, settings, services, staff)


async def login(web):
    page = await (await web.get("/admin/login")).text()
    resp = await web.post("/admin/login", allow_redirects=False, data={
        "csrf": CSRF.search(page).group(1), "username": "erin", "password": PASSWORD})
    assert resp.status == 303


async def record(services, text: str, kind: str = "question") -> None:
    async with services.sessionmaker.begin() as session:
        await repo.record_unanswered(session, text, text, None, 0.1, kind)


def sections(page: str) -> tuple[str, str]:
    """The page before the complaints section, and the section itself (the last of the page)."""
    before, _, complaints = page.partition('id="complaints"')
    return before, complaints


async def test_a_complaint_is_shown_under_its_own_heading_and_a_question_is_not(web, services):
    await record(services, QUESTION)
    await record(services, COMPLAINT, "complaint")
    await login(web)
    page = await (await web.get("/admin/unanswered")).text()
    questions, complaints = sections(page)
    assert "投诉与诉求" in complaints and COMPLAINT in complaints
    assert QUESTION not in complaints and QUESTION in questions
    assert COMPLAINT not in questions
    assert "12345" in complaints and "教育局" in complaints and "学校" in complaints
    assert 'href="#complaints"' in questions
    assert "已转交学校或教育局" in complaints  # its own dismiss reasons
    assert "/admin/unanswered/attach" not in complaints  # never a phrasing


async def test_without_complaints_there_is_no_section(web, services):
    await record(services, QUESTION)
    await login(web)
    page = await (await web.get("/admin/unanswered")).text()
    assert 'id="complaints"' not in page and "投诉与诉求" not in page


async def test_complaint_text_is_escaped(web, services):
    await record(services, ATTACK, "complaint")
    await login(web)
    page = await (await web.get("/admin/unanswered")).text()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in sections(page)[1]


async def test_a_complaint_is_dismissed_with_the_session_csrf_value_only(web, services, staff):
    await record(services, COMPLAINT, "complaint")
    await login(web)
    page = await (await web.get("/admin/unanswered")).text()
    (group,) = (await staff.inbox.overview()).complaints
    form = [("reason", "forwarded"), ("note", ""), *(("ids", str(i)) for i in group.ids)]
    forged = await web.post("/admin/unanswered/dismiss", data=[("csrf", "forged"), *form])
    assert forged.status == 403
    assert len((await staff.inbox.overview()).complaints) == 1
    csrf = CSRF.search(sections(page)[1]).group(1)
    resp = await web.post("/admin/unanswered/dismiss", data=[("csrf", csrf), *form],
                          allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/admin/unanswered")
    assert (await staff.inbox.overview()).complaints == []
    assert COMPLAINT not in await (await web.get("/admin/unanswered")).text()
