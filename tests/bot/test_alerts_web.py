"""Staff alerts through the real server: settings -> start-up -> a crisis on the web chat API ->
the webhook within seconds; and the admin's follow-up page, which shows each alert's status and,
once someone marks the exchange handled, who did it and when.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.app import create_app
from bot.lifespan import alert_targets
from bot.settings import Settings
from services import start_services
from services.alerts import AlertPolicy, AlertTargets
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import PASSWORD, admin_client
from tests.alerts_support import (  # noqa: F401  (fixtures)
    CRISIS,
    PERSONAL,
    PUBLIC_URL,
    QUESTION,
    until,
    webhook,
)
from tests.conftest import FAQ_DIR

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def database_url(sqlite_only):
    return sqlite_only


async def test_a_crisis_on_the_web_chat_reaches_the_webhook_within_seconds(
        aiohttp_client, webhook, tmp_path: Path):
    receiver, url = webhook
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}",
                        faq_dir=FAQ_DIR, alert_webhook_url=url, public_url=PUBLIC_URL)
    client = await aiohttp_client(create_app(settings))  # the server starts its own services
    calm = await (await client.post("/api/ask", json={"text": QUESTION})).json()
    crisis = await (await client.post("/api/ask", json={"text": CRISIS})).json()
    assert crisis["kind"] == "crisis" and calm["kind"] != "crisis"
    assert await until(lambda: receiver.bodies, seconds=3.0)
    await asyncio.sleep(0.3)
    [body] = receiver.bodies
    assert body["exchange_id"] == crisis["exchange_id"] and body["channel"] == "web"
    assert body["link"] == f"{PUBLIC_URL}/admin/crisis#exchange-{crisis['exchange_id']}"
    assert not [p for p in PERSONAL if p in body["text"]]


def test_the_settings_name_every_channel():
    settings = Settings(_env_file=None, public_url=PUBLIC_URL,
                        alert_webhook_url="https://h.example/x",
                        telegram_token="1:T", alert_telegram_chat="-100",
                        alert_smtp_url="smtps://u:p@mail.example",
                        alert_email_to=" duty@jyj.example, head@jyj.example ,",
                        alert_email_from="alerts@jyj.example")
    targets = alert_targets(settings)
    assert targets.channels == ("webhook", "telegram", "email")
    assert targets.email_to == ("duty@jyj.example", "head@jyj.example")
    assert alert_targets(Settings(_env_file=None)).channels == ()
    with pytest.raises(ValueError, match="WENJIAO_TELEGRAM_TOKEN"):
        alert_targets(Settings(_env_file=None, alert_telegram_chat="-100"))


@pytest.fixture
async def alerting(small_faq_dir, database_url, webhook):
    """The admin tests' services, alerting a webhook that always fails (gives up quickly)."""
    receiver, url = webhook
    receiver.fail = -1
    policy = AlertPolicy(max_attempts=2, base_delay=0.05, max_delay=0.1, send_timeout=2.0,
                         lease=5.0, poll_seconds=0.1)
    running = await start_services(database_url, small_faq_dir, alerts=AlertTargets(
        webhook_url=url), alert_policy=policy)
    yield running
    await running.close()


@pytest.fixture
def services(alerting):
    return alerting


async def login(web):
    page = await (await web.get("/admin/login")).text()
    await web.post("/admin/login", data={"csrf": CSRF.search(page).group(1), "username": "erin",
                                         "password": PASSWORD, "next": "/admin/crisis"})


async def test_the_follow_up_page_shows_the_alert_and_who_acknowledged_it(
        aiohttp_client, settings, services, staff, users, webhook):
    receiver, _ = webhook
    web = await admin_client(aiohttp_client, settings, services, staff)
    exchange_id = (await (await web.post("/api/ask", json={"text": CRISIS})).json())["exchange_id"]
    assert await until(lambda: receiver.calls >= 2)
    await login(web)

    async def page() -> str:
        return await (await web.get("/admin/crisis")).text()

    assert await until_async(page, lambda text: "发送失败" in text)
    text = await page()
    assert f'id="exchange-{exchange_id}"' in text
    assert "网络回调：发送失败（已尝试 2 次：HTTP 500）" in text
    assert "secret-detail" not in text and not [p for p in PERSONAL if p in text]

    form = {"csrf": CSRF.search(text).group(1), "note": "已联系学校心理老师"}
    forged = await web.post(f"/admin/crisis/{exchange_id}/handled", data={"note": "x"},
                            allow_redirects=False)
    assert forged.status == 403  # no CSRF token, no acknowledgement
    done = await web.post(f"/admin/crisis/{exchange_id}/handled", data=form)
    assert done.status == 200
    text = await page()
    assert re.search(r"已由 erin 于 \d{4}-\d\d-\d\d \d\d:\d\d 处理", text)
    assert "标记已处理" not in text


async def until_async(fetch, check, seconds: float = 5.0) -> bool:
    """Wait (bounded) for ``check(await fetch())``."""
    for _ in range(int(seconds / 0.05)):
        if check(await fetch()):
            return True
        await asyncio.sleep(0.05)
    return False
