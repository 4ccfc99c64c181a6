"""The 统计 page and its CSV over HTTP: login required, the figures of the chosen range, every
chart well-formed SVG with a title and a text alternative, labels escaped, crisis texts absent,
bad dates a clear 400."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from yarl import URL

from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import PASSWORD, admin_client, ask
from tests.analytics_support import CRISIS_TEXT, END, START, seed, seed_unanswered

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SVG = re.compile(r"<svg\b.*?</svg>", re.S)
NS = "{http://www.w3.org/2000/svg}"
JUNE = f"/admin/analytics?from={START}&to={END}"


@pytest.fixture
def database_url(sqlite_only):
    return sqlite_only


@pytest.fixture
async def web(aiohttp_client, settings, services, staff, users):
    await seed_unanswered(services)
    await seed(services)
    return await admin_client(aiohttp_client, settings, services, staff)


async def login(web, username: str = "ada") -> None:
    page = await (await web.get("/admin/login")).text()
    resp = await web.post("/admin/login", allow_redirects=False, data={
        "csrf": CSRF.search(page).group(1), "username": username, "password": PASSWORD,
        "next": "/admin/entries"})
    assert resp.status == 303


@pytest.mark.parametrize("path", [JUNE, "/admin/analytics.csv"])
async def test_anonymous_visitors_are_sent_to_the_login(web, path):
    resp = await web.get(path, allow_redirects=False)
    assert resp.status == 303 and URL(resp.headers["Location"]).path == "/admin/login"


async def test_the_page_shows_the_range_as_charts_with_their_data(web):
    await login(web)
    resp = await web.get(JUNE)
    page = await resp.text()
    assert resp.status == 200
    assert f"{START} 至 {END}" in page and f'value="{START}"' in page
    svgs = SVG.findall(page)
    assert len(svgs) == 5
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.get("width") == "100%" and root.get("viewBox", "").startswith("0 0 360 ")
        title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
        assert title.text and desc.text
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert page.count("<summary>数据表</summary>") == 5
    assert "紫藤小学" in page and "小区门口的快递柜怎么用" in page  # top unanswered
    worst = page.index('<a href="/admin/entries/hotline.how_to_contact">')
    assert page.index('<a href="/admin/entries/hotline.who_can_use">') > worst  # worst first
    assert "怎么联系“温心有约”，有电话吗" in page
    assert '<dt>危机</dt><dd>1 ' in page


async def test_crisis_texts_never_appear(web):
    await login(web)
    assert CRISIS_TEXT not in await (await web.get(JUNE)).text()
    csv_text = await (await web.get(f"/admin/analytics.csv?from={START}&to={END}")).text()
    assert CRISIS_TEXT not in csv_text
    assert CRISIS_TEXT in await (await web.get("/admin/crisis")).text()  # where it belongs


async def test_the_default_range_is_the_last_seven_days(web):
    await login(web, "erin")  # an editor may read the figures too
    page = await (await web.get("/admin/analytics")).text()
    assert page.count("<svg") == 5
    assert len(re.findall(r'<td data-label="日期">\d{4}-\d\d-\d\d</td>', page)) == 7 * 3


async def test_labels_are_escaped_in_charts_and_tables(web, services):
    attack = "<b>紫藤小学</b>的食堂&门卫几点开门"
    assert (await ask(services, attack, user="attacker")).kind == "fallback"
    await login(web)
    page = await (await web.get("/admin/analytics")).text()
    assert "<b>紫藤小学</b>" not in page
    assert "&lt;b&gt;紫藤小学&lt;/b&gt;" in page
    for svg in SVG.findall(page):
        ET.fromstring(svg)


@pytest.mark.parametrize(("query", "says"), [
    ("from=2024-13-01", "看不懂"), ("from=2024-06-08&to=2024-06-01", "晚于"),
    ("from=2020-01-01&to=2024-06-01", "最多"), ("to=99999-01-01", "看不懂")])
async def test_bad_dates_are_a_clear_message_not_an_error(web, query, says):
    await login(web)
    resp = await web.get(f"/admin/analytics?{query}")
    page = await resp.text()
    assert resp.status == 400 and says in page and 'role="alert"' in page
    assert "<svg" not in page and 'name="from"' in page
    csv_resp = await web.get(f"/admin/analytics.csv?{query}")
    assert csv_resp.status == 400 and says in await csv_resp.text()


async def test_the_csv_has_the_per_day_figures_of_the_range(web):
    await login(web)
    resp = await web.get(f"/admin/analytics.csv?from={START}&to={END}")
    assert resp.status == 200 and resp.content_type == "text/csv"
    assert f"wenjiao-{START}-{END}.csv" in resp.headers["Content-Disposition"]
    body = await resp.text()
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    header, days = rows[0], rows[1:]
    assert header[:7] == ["日期", "消息数", "回答", "澄清", "未答", "危机", "其他"]
    assert [d[0] for d in days] == [f"2024-06-0{n}" for n in range(1, 8)]
    total = {d[0]: int(d[1]) for d in days}
    # seed(): 3, 2, 2, 0, 1, 0, 1; seed_unanswered(): the bus twice on the 2nd, once on the 4th,
    # the parcel locker on the 6th.
    assert list(total.values()) == [3, 4, 2, 1, 1, 1, 1]
    web_column = header.index("渠道:web")
    assert int(days[0][web_column]) == 2
    assert days[0][header.index("延迟中位数ms")] == "20.0"


async def test_a_year_long_range_still_draws_readable_charts(web):
    await login(web)
    page = await (await web.get("/admin/analytics?from=2023-06-08&to=2024-06-07")).text()
    svgs = SVG.findall(page)
    assert len(svgs) == 5
    by_channel = ET.fromstring(svgs[0])
    labels = [t.text for t in by_channel.iter(f"{NS}text") if t.text and t.text[2:3] == "-"]
    assert 4 <= len(labels) <= 10 and labels[-1] != labels[0]  # day labels thinned out
