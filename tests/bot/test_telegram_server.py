"""The bot inside the server: webhook secret check, setWebhook at start, polling end to end.

A fake Bot API runs as a real aiohttp server on 127.0.0.1 and ``WENJIAO_TELEGRAM_BASE_URL``
points the bot at it, so these tests go through the real wiring: settings, the cleanup context,
PTB's own HTTP client and (last test) the ``wenjiao serve`` command in a subprocess.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import sys
import time
from pathlib import Path

import pytest
from aiohttp import web
from redis.asyncio import Redis

from bot.app import create_app
from bot.channels.telegram import build_telegram_app
from bot.channels.telegram_server import SECRET_HEADER, WEBHOOK_PATH
from bot.settings import Settings
from tests.bot.telegram_fakes import TOKEN, FakeBotApi
from tests.bot.telegram_harness import sqlite_only  # noqa: F401  (fixture)
from tests.bot.telegram_updates import PARENT, message, user
from tests.conftest import FAQ_DIR

SANTAN = "三坛教师评了多少名"
SECRET = "s3cret-Token_42"
HOOK_URL = "https://bot.example.org/telegram/webhook"


@pytest.fixture
async def fake_api(aiohttp_server):
    """A fake Bot API on 127.0.0.1 and the base URL that points the bot at it."""
    api = FakeBotApi()
    server = await aiohttp_server(api.web_app())
    return api, f"http://127.0.0.1:{server.port}/bot"


def telegram_settings(tmp_path: Path, base_url: str, **values) -> Settings:
    return Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 't.db'}",
                    faq_dir=FAQ_DIR, telegram_token=TOKEN, telegram_base_url=base_url,
                    **values)


async def until(condition, seconds: float = 10.0) -> bool:
    """Wait (bounded) for ``condition()`` to hold."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def test_webhook_mode_registers_the_hook_and_checks_the_secret(
        aiohttp_client, services, fake_api, tmp_path):
    api, base_url = fake_api
    settings = telegram_settings(tmp_path, base_url, telegram_webhook_url=HOOK_URL,
                                 telegram_webhook_secret=SECRET)
    client = await aiohttp_client(create_app(settings, services))
    [hook] = api.of("setWebhook")
    assert hook.params["url"] == HOOK_URL
    assert hook.params["secret_token"] == SECRET
    assert set(hook.params["allowed_updates"]) == {"message", "edited_message", "callback_query"}
    assert not api.of("getUpdates")

    update = message(SANTAN)
    assert (await client.post(WEBHOOK_PATH, json=update)).status == 403
    wrong = await client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: "guess"})
    assert wrong.status == 403
    await asyncio.sleep(0.2)
    assert not api.sent()

    ok = await client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
    assert ok.status == 200
    assert await until(api.sent)
    assert "1211" in api.sent()[0].text


async def test_an_update_sent_again_is_answered_once(aiohttp_client, services, fake_api, tmp_path):
    """Telegram re-sends an update it believes was lost; twice in a row and three times at once,
    the user still gets one answer."""
    api, base_url = fake_api
    settings = telegram_settings(tmp_path, base_url, telegram_webhook_url=HOOK_URL,
                                 telegram_webhook_secret=SECRET)
    client = await aiohttp_client(create_app(settings, services))
    headers = {SECRET_HEADER: SECRET}
    update = message(SANTAN)
    for _ in range(2):
        assert (await client.post(WEBHOOK_PATH, json=update, headers=headers)).status == 200
    other = message("终身班主任奖励办法是什么")
    assert other["update_id"] != update["update_id"]
    answers = await asyncio.gather(*(client.post(WEBHOOK_PATH, json=other, headers=headers)
                                     for _ in range(3)))
    assert [a.status for a in answers] == [200, 200, 200]
    assert await until(lambda: len(api.sent()) >= 2)
    await asyncio.sleep(0.5)  # a repeat would have been answered by now
    assert len(api.sent()) == 2


async def test_webhook_answers_an_unreadable_body_with_400(
        aiohttp_client, services, fake_api, tmp_path):
    api, base_url = fake_api
    settings = telegram_settings(tmp_path, base_url, telegram_webhook_url=HOOK_URL,
                                 telegram_webhook_secret=SECRET)
    client = await aiohttp_client(create_app(settings, services))
    for body in (b"not json", b"[1, 2]", b'{"update_id": "x", "message": 5}',
                 b'{"update_id": 7, "message": 5}', b'{"no": "update"}', b"\xff\xfe", b"",
                 b'{"update_id": 8, "message": ' + b"[" * 1000 + b"]" * 1000 + b"}"):
        resp = await client.post(WEBHOOK_PATH, data=body, headers={SECRET_HEADER: SECRET})
        assert resp.status == 400, body
    assert not api.sent()


async def test_webhook_mode_needs_a_secret(services, fake_api, tmp_path):
    api, base_url = fake_api
    settings = telegram_settings(tmp_path, base_url, telegram_webhook_url=HOOK_URL)
    runner = web.AppRunner(create_app(settings, services))
    try:
        with pytest.raises(RuntimeError, match="WENJIAO_TELEGRAM_WEBHOOK_SECRET"):
            await runner.setup()
    finally:
        await runner.cleanup()
    assert not api.calls  # refused before talking to Telegram


async def test_no_webhook_route_without_webhook_mode(client):
    assert (await client.post(WEBHOOK_PATH, json={})).status in (404, 405)


async def test_polling_inside_the_app_answers_and_stops(aiohttp_client, services, fake_api,
                                                        tmp_path):
    api, base_url = fake_api
    api.updates.append(message(SANTAN))
    client = await aiohttp_client(create_app(telegram_settings(tmp_path, base_url), services))
    assert await until(api.sent)
    assert "1211" in api.sent()[0].text
    assert api.of("deleteWebhook")  # polling starts by removing any webhook
    await client.close()
    polls = len(api.of("getUpdates"))
    await asyncio.sleep(0.5)
    assert len(api.of("getUpdates")) == polls  # stopped with the server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_wenjiao_serve_answers_a_queued_telegram_message(fake_api, tmp_path):
    api, base_url = fake_api
    api.updates.append(message(SANTAN))
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENJIAO_")}
    env.update(WENJIAO_TELEGRAM_TOKEN=TOKEN, WENJIAO_TELEGRAM_BASE_URL=base_url,
               WENJIAO_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
               WENJIAO_HOST="127.0.0.1", WENJIAO_PORT=str(_free_port()),
               WENJIAO_FAQ_DIR=str(FAQ_DIR))
    output = tmp_path / "serve.log"
    with output.open("wb") as sink:
        proc = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("wenjiao")), "serve", cwd=tmp_path, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=sink, stderr=sink)
        try:
            answered = await until(lambda: bool(api.sent()) or proc.returncode is not None, 90)
            assert answered and api.sent(), output.read_text()
            [sent] = api.sent()
            assert sent.params["chat_id"] == PARENT
            assert "1211" in sent.text
        finally:
            if proc.returncode is None:
                proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()
    assert proc.returncode == 0, output.read_text()
    assert TOKEN not in output.read_text()  # the token is in every API URL; never in the logs


@pytest.mark.redis
async def test_rate_limit_is_counted_in_redis_when_configured(
        aiohttp_client, services, fake_api, tmp_path, redis_url):
    api, base_url = fake_api
    settings = telegram_settings(tmp_path, base_url, telegram_webhook_url=HOOK_URL,
                                 telegram_webhook_secret=SECRET, redis_url=redis_url,
                                 rate_limit_per_minute=1)
    client = await aiohttp_client(create_app(settings, services))
    sender = user(random.randrange(10**9, 2 * 10**9))  # fresh counts on a shared server
    for _ in range(2):
        resp = await client.post(WEBHOOK_PATH, json=message(SANTAN, sender=sender),
                                 headers={SECRET_HEADER: SECRET})
        assert resp.status == 200
    assert await until(lambda: len(api.sent()) == 2)
    answer, notice = api.sent()
    assert "1211" in answer.text
    assert notice.text == services.content.text("rate_limited", "zh")
    redis = Redis.from_url(redis_url)
    try:
        assert [k async for k in redis.scan_iter("wenjiao:rate:telegram:*")]
    finally:
        await redis.aclose()


async def test_base_url_points_the_bot_and_its_file_downloads_at_another_server(services):
    local = "http://127.0.0.1:8081/bot"
    ptb = build_telegram_app(TOKEN, services.dialog, base_url=local)
    assert ptb.bot.base_url == f"{local}{TOKEN}"
    assert ptb.bot.base_file_url == f"{local}{TOKEN}"  # the value as given (issue 4)
