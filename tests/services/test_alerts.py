"""Staff alerts through each channel, against real local receivers: a webhook server, an SMTP
server (aiosmtpd) and the fake Telegram Bot API. What arrives is checked field by field, with
the personal data of the message gone; retries and giving up are recorded for the follow-up list.

Runs on in-memory SQLite and, when configured, PostgreSQL (conftest's ``database_url``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from services import start_services
from services.alerts import AlertTargets
from services.db.models import AlertDelivery
from services.staff import ReportService
from tests.alerts_support import (  # noqa: F401  (fixtures)
    CRISIS,
    FAST,
    PERSONAL,
    PUBLIC_URL,
    QUESTION,
    say,
    smtp_server,
    until,
    webhook,
)
from tests.bot.telegram_fakes import TOKEN, FakeBotApi
from tests.conftest import FAQ_DIR, PLAN_YEAR_DAY, SHELF

STAFF_CHAT = "-1001234567"
# For the tests that expect the first attempt to land: a send may stall for seconds on a loaded
# machine, which FAST's 2-second timeout would count as a failed attempt.
PATIENT = dataclasses.replace(FAST, send_timeout=15.0, lease=30.0)


@pytest.fixture
async def alerting(database_url):
    """``await alerting(targets)``: services on a fresh database that alert ``targets``."""
    started = []

    async def start(targets: AlertTargets, **policy):
        running = await start_services(database_url, FAQ_DIR, today=PLAN_YEAR_DAY, shelf=SHELF,
                                       alerts=targets, alert_policy=policy.get("policy", FAST))
        started.append(running)
        return running

    yield start
    for running in started:
        await running.close()


async def alert_states(services):
    """{exchange id: [(channel, state, attempts, last_error)]} from the follow-up list."""
    items = await ReportService(services.sessionmaker, services.catalog).crisis()
    return {i.id: [(a.channel, a.state, a.attempts, a.last_error) for a in i.alerts]
            for i in items}


async def settled(services, exchange_id: int, states=("sent",), seconds: float = 5.0):
    """Wait until every alert of the exchange is in one of ``states``; return them."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        now = (await alert_states(services)).get(exchange_id, [])
        if now and all(state in states for _, state, _, _ in now):
            return now
        await asyncio.sleep(0.05)
    raise AssertionError(f"alerts of {exchange_id} did not settle: {now}")


async def test_a_crisis_is_posted_to_the_webhook_redacted_with_its_link(alerting, webhook):
    receiver, url = webhook
    services = await alerting(AlertTargets(public_url=PUBLIC_URL + "/", webhook_url=url),
                              policy=PATIENT)
    exchange_id = await say(services, CRISIS)
    assert await settled(services, exchange_id, seconds=20) == [("webhook", "sent", 1, None)]
    [body] = receiver.bodies
    assert set(body) == {"event", "exchange_id", "channel", "time", "link", "text"}  # no user
    assert body["event"] == "crisis_flagged" and body["exchange_id"] == exchange_id
    assert body["channel"] == "web"
    assert body["link"] == f"{PUBLIC_URL}/admin/crisis#exchange-{exchange_id}"
    at = datetime.fromisoformat(body["time"])
    assert at.utcoffset() == timedelta(hours=8)  # Asia/Shanghai
    assert abs(at - datetime.now(UTC)) < timedelta(minutes=1)
    assert "不想活了" in body["text"] and "[手机号]" in body["text"]
    assert "[身份证号]" in body["text"]
    sent = json.dumps(body, ensure_ascii=False)
    assert not [p for p in PERSONAL if p in sent]
    assert receiver.headers[0]["Idempotency-Key"] == f"wenjiao-crisis-{exchange_id}"


async def test_an_everyday_question_alerts_nobody(alerting, webhook):
    receiver, url = webhook
    services = await alerting(AlertTargets(webhook_url=url))
    await say(services, QUESTION)
    await asyncio.sleep(0.5)  # five polls
    assert receiver.calls == 0
    async with services.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(AlertDelivery)) == 0


async def test_the_reply_does_not_wait_for_the_alert(alerting, webhook):
    receiver, url = webhook
    receiver.delay = 1.0
    services = await alerting(AlertTargets(webhook_url=url))
    started = time.perf_counter()
    exchange_id = await say(services, CRISIS)
    assert time.perf_counter() - started < 0.5
    assert await until(lambda: receiver.ids() == [exchange_id])


async def test_an_e_mail_goes_to_every_recipient(alerting, smtp_server):
    mailbox, url = smtp_server
    services = await alerting(AlertTargets(
        public_url=PUBLIC_URL, smtp_url=url, email_to=("duty@jyj.example", "head@jyj.example"),
        email_from="alerts@jyj.example"), policy=PATIENT)
    exchange_id = await say(services, CRISIS, channel="wechat")
    assert await settled(services, exchange_id, seconds=20) == [("email", "sent", 1, None)]
    [(recipients, message)] = mailbox.messages
    assert recipients == ["duty@jyj.example", "head@jyj.example"]
    assert message["From"] == "alerts@jyj.example"
    assert message["Subject"] == f"【温教问答】危机对话提醒 #{exchange_id}"
    assert message["Message-ID"] == f"<crisis-{exchange_id}.wenjiao@jyj.example>"
    text = message.get_content()
    assert f"{PUBLIC_URL}/admin/crisis#exchange-{exchange_id}" in text
    assert "渠道：微信" in text and "北京时间" in text and f"对话编号：{exchange_id}" in text
    assert "不想活了" in text and not [p for p in PERSONAL if p in text]


async def test_the_staff_group_gets_a_telegram_message(alerting, aiohttp_server):
    api = FakeBotApi()
    server = await aiohttp_server(api.web_app())
    services = await alerting(AlertTargets(
        public_url=PUBLIC_URL, telegram_token=TOKEN, telegram_chat=STAFF_CHAT,
        telegram_base_url=f"http://127.0.0.1:{server.port}/bot"), policy=PATIENT)
    exchange_id = await say(services, CRISIS, channel="telegram")
    assert await settled(services, exchange_id, seconds=20) == [("telegram", "sent", 1, None)]
    [call] = api.sent()
    assert str(call.params["chat_id"]) == STAFF_CHAT
    assert "parse_mode" not in call.params  # plain text: nothing in it becomes markup
    assert f"{PUBLIC_URL}/admin/crisis#exchange-{exchange_id}" in call.text
    assert "不想活了" in call.text and not [p for p in PERSONAL if p in call.text]


async def test_every_configured_channel_is_alerted_once(alerting, webhook, smtp_server,
                                                         aiohttp_server):
    (receiver, hook), (mailbox, smtp) = webhook, smtp_server
    api = FakeBotApi()
    server = await aiohttp_server(api.web_app())
    services = await alerting(AlertTargets(
        webhook_url=hook, telegram_token=TOKEN, telegram_chat=STAFF_CHAT,
        telegram_base_url=f"http://127.0.0.1:{server.port}/bot", smtp_url=smtp,
        email_to=("duty@jyj.example",)))
    exchange_id = await say(services, CRISIS)
    states = await settled(services, exchange_id)
    assert sorted(channel for channel, *_ in states) == ["email", "telegram", "webhook"]
    await asyncio.sleep(0.3)  # a few more polls send nothing more
    assert receiver.ids() == [exchange_id]
    assert len(mailbox.messages) == 1 and len(api.sent()) == 1


async def test_a_webhook_that_fails_twice_is_delivered_once_on_the_third_try(alerting, webhook):
    receiver, url = webhook
    receiver.fail = 2
    services = await alerting(AlertTargets(webhook_url=url))
    exchange_id = await say(services, CRISIS)
    assert await settled(services, exchange_id) == [("webhook", "sent", 3, None)]
    await asyncio.sleep(0.3)
    assert receiver.calls == 3 and receiver.ids() == [exchange_id]


async def test_a_webhook_that_always_fails_is_given_up_after_the_cap(alerting, webhook):
    receiver, url = webhook
    receiver.fail = -1
    services = await alerting(AlertTargets(webhook_url=url))
    exchange_id = await say(services, CRISIS)
    states = await settled(services, exchange_id, ("failed",))
    assert states == [("webhook", "failed", FAST.max_attempts, "HTTP 500")]  # not the body
    await asyncio.sleep(0.5)
    assert receiver.calls == FAST.max_attempts


async def test_a_telegram_flood_wait_is_honoured(alerting, aiohttp_server):
    api = FakeBotApi()
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    server = await aiohttp_server(api.web_app())
    services = await alerting(AlertTargets(
        telegram_token=TOKEN, telegram_chat=STAFF_CHAT,
        telegram_base_url=f"http://127.0.0.1:{server.port}/bot"))
    exchange_id = await say(services, CRISIS)
    [(_, _, _, error)] = await settled(services, exchange_id, ("retrying",))
    assert error.startswith("Telegram 429")
    await asyncio.sleep(0.5)  # the backoff alone would have retried by now
    assert len(api.sent()) == 1
    assert await settled(services, exchange_id) == [("telegram", "sent", 2, None)]
