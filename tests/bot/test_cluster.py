"""Two instances of the real app on two ports, sharing one PostgreSQL and one Redis.

This is the deployment of docker-compose.yml in miniature: stateless workers, state in the
database and in Redis. Each instance builds its own services from its settings, as a worker does.
Content polling is set to a minute, so a change reaching the other instance within two seconds
can only have come through the Redis notification.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.channels.telegram_server import SECRET_HEADER, WEBHOOK_PATH
from bot.keys import SERVICES
from bot.settings import Settings
from services import Services
from services.db import repositories as repo
from services.db.models import Entry
from tests import databases
from tests.bot.telegram_fakes import TOKEN, FakeBotApi
from tests.bot.telegram_updates import message, user
from tests.bot.wechat_platform import TOKEN as WECHAT_TOKEN
from tests.bot.wechat_platform import new_openid, next_msg_id, sign, text_xml
from tests.conftest import FAQ_DIR
from tests.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.redis,
              pytest.mark.asyncio(loop_scope="module")]

SANTAN = "三坛教师评了多少名"
HOOK_SECRET = "cluster-hook-secret"
RATE_LIMIT = 3


@dataclass
class Cluster:
    """Two app instances (``a`` and ``b``) and the fake Telegram Bot API they both talk to."""

    a: TestClient
    b: TestClient
    bot_api: FakeBotApi

    def services(self, client: TestClient) -> Services:
        """The services an instance built for itself."""
        return client.server.app[SERVICES]


def instance_settings(database_url: str, redis_url: str, bot_api_url: str,
                      **values: Any) -> Settings:
    """One worker's settings: shared PostgreSQL and Redis, Telegram webhook, WeChat."""
    return Settings(_env_file=None, database_url=database_url, redis_url=redis_url,
                    faq_dir=FAQ_DIR, content_poll_seconds=60.0,
                    rate_limit_per_minute=RATE_LIMIT, telegram_token=TOKEN,
                    telegram_base_url=bot_api_url,
                    telegram_webhook_url="https://bot.example.org/telegram/webhook",
                    telegram_webhook_secret=HOOK_SECRET, wechat_token=WECHAT_TOKEN,
                    **values)


async def until(condition: Any, seconds: float = 10.0) -> bool:
    """Wait (bounded) for ``condition()`` to hold."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def started(settings: Settings) -> TestClient:
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    return client


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster(postgres_url: str, redis_url: str) -> AsyncIterator[Cluster]:
    """Instances ``a`` and ``b`` on a freshly emptied PostgreSQL database and the test Redis."""
    await databases.truncate_all(postgres_url)
    bot_api = FakeBotApi()
    api_server = TestServer(bot_api.web_app())
    await api_server.start_server()
    settings = instance_settings(postgres_url, redis_url,
                                 f"http://127.0.0.1:{api_server.port}/bot")
    a = await started(settings)
    b = await started(settings)
    assert a.port != b.port
    yield Cluster(a, b, bot_api)
    await a.close()
    await b.close()
    await api_server.close()


async def ask(client: TestClient, text: str, session: str) -> dict[str, Any]:
    resp = await client.post("/api/ask", json={"text": text, "session": session})
    assert resp.status == 200
    return await resp.json()


def unique_msg_id() -> int:
    """A WeChat MsgId new to Redis too (its de-duplication keys outlive a test session)."""
    return next_msg_id() + uuid.uuid4().int % 10**15


async def push_wechat(client: TestClient, body: str) -> str:
    """Push a signed plain-mode WeChat message; the response body (reply XML)."""
    ts, nonce = str(int(time.time())), "20240601"
    resp = await client.post("/wechat", data=body, headers={"Content-Type": "text/xml"},
                             params={"signature": sign(WECHAT_TOKEN, ts, nonce),
                                     "timestamp": ts, "nonce": nonce})
    assert resp.status == 200, await resp.text()
    return await resp.text()


async def test_a_publish_on_one_instance_is_answered_by_the_other_within_two_seconds(
        cluster: Cluster):
    before = await ask(cluster.b, SANTAN, "publish-check")
    assert before["kind"] == "answer"
    marker = f"（更新 {uuid.uuid4().hex[:6]}）"
    async with cluster.services(cluster.a).sessionmaker.begin() as session:
        row = await session.get(Entry, before["intent"])
        assert row is not None and row.published is not None
        row.published = {**row.published, "answer": row.published["answer"] + marker}
        await repo.bump_content_version(session)
    published = time.monotonic()
    b_catalog = cluster.services(cluster.b).catalog
    old_version = b_catalog.snapshot.version
    while True:
        reply = await ask(cluster.b, SANTAN, f"publish-check-{uuid.uuid4().hex}")
        if marker in reply["text"]:
            break
        waited = time.monotonic() - published
        assert waited < 2.0, (f"instance b still answers the old text after {waited:.2f} s "
                              f"(its content version: {old_version} -> "
                              f"{b_catalog.snapshot.version})")
        await asyncio.sleep(0.05)
    assert time.monotonic() - published < 2.0


async def test_a_wechat_retry_reaching_the_other_instance_is_not_processed_twice(
        cluster: Cluster):
    body = text_xml(SANTAN, openid=new_openid(), msg_id=unique_msg_id())

    async def push(client: TestClient) -> str:
        return await push_wechat(client, body)

    async def exchanges() -> int:
        async with cluster.services(cluster.a).sessionmaker() as session:
            return await repo.count_exchanges(session, channel="wechat")

    stored = await exchanges()
    first = await push(cluster.a)
    assert "1211" in first
    await asyncio.sleep(1.0)  # the platform retries a second later, through the other worker
    retry = await push(cluster.b)
    assert retry == first
    assert await exchanges() == stored + 1


async def test_a_users_rate_limit_holds_across_both_instances(cluster: Cluster):
    if time.time() % 60 > 50:  # the limit counts per wall-clock minute: stay inside one
        await asyncio.sleep(61 - time.time() % 60)
    sender = user(int(uuid.uuid4().int % 10**9) + 10**9)

    def sent_to_sender() -> list[str]:
        return [c.text for c in cluster.bot_api.sent()
                if str(c.params.get("chat_id")) == str(sender["id"])]

    for client in (cluster.a, cluster.b) * 2 + (cluster.a,):  # limit + 2, across both
        resp = await client.post(WEBHOOK_PATH, json=message(SANTAN, sender=sender),
                                 headers={SECRET_HEADER: HOOK_SECRET})
        assert resp.status == 200
    assert await until(lambda: len(sent_to_sender()) >= RATE_LIMIT + 1)
    await asyncio.sleep(0.5)  # nothing more may arrive
    notice = cluster.services(cluster.a).content.text("rate_limited", "zh")
    texts = sent_to_sender()
    assert len(texts) == RATE_LIMIT + 1
    assert sum("1211" in t for t in texts) == RATE_LIMIT and texts.count(notice) == 1


async def test_a_conversation_started_on_one_instance_continues_on_the_other(cluster: Cluster):
    session = f"web-{uuid.uuid4().hex}"
    greeting = await ask(cluster.a, "你好", session)
    assert greeting["kind"] == "greeting" and greeting["options"]
    menu = await ask(cluster.b, "1", session)  # picks the first topic, on the other worker
    assert menu["kind"] == "clarify"
    assert [o["id"] for o in menu["options"]], "the topic menu lists that topic's questions"
    answer = await ask(cluster.a, "1", session)  # and back: the menu was kept in Redis
    assert answer["kind"] == "answer" and answer["intent"] == menu["options"][0]["id"]


async def test_when_redis_goes_away_answers_continue_degraded_and_recover_when_it_is_back(
        postgres_url: str, redis_url: str, caplog: pytest.LogCaptureFixture):
    target = urlsplit(redis_url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 6379)
    await proxy.start()
    client = await started(Settings(_env_file=None, database_url=postgres_url,
                                    redis_url=proxy.url, faq_dir=FAQ_DIR,
                                    wechat_token=WECHAT_TOKEN))
    try:
        assert (await (await client.get("/healthz")).json())["status"] == "ok"
        assert (await ask(client, SANTAN, "before-the-cut"))["kind"] == "answer"

        await proxy.cut()
        session = f"during-{uuid.uuid4().hex}"
        with caplog.at_level("WARNING"):
            assert (await ask(client, SANTAN, session))["kind"] == "answer"
            greeting = await ask(client, "你好", session)  # state now kept in memory
            menu = await ask(client, "1", session)
            wechat = await push_wechat(client, text_xml(SANTAN, openid=new_openid(),
                                                        msg_id=unique_msg_id()))
            health = await client.get("/healthz")
        assert health.status == 200
        body = await health.json()
        assert body["status"] == "degraded" and "redis unavailable" in body["reason"]
        assert greeting["kind"] == "greeting" and menu["kind"] == "clarify"
        assert "1211" in wechat  # WeChat's retry de-duplication fell back to memory too
        assert "redis unavailable; degraded to in-process state" in caplog.messages

        await proxy.restore()
        assert await until_async(lambda: health_status(client), "ok")
        after = f"after-{uuid.uuid4().hex}"
        assert (await ask(client, "你好", after))["kind"] == "greeting"
        assert (await ask(client, "1", after))["kind"] == "clarify"
        assert "redis is back; shared state restored" in caplog.messages
    finally:
        await client.close()
        await proxy.cut()


async def health_status(client: TestClient) -> str:
    return str((await (await client.get("/healthz")).json())["status"])


async def until_async(probe: Any, wanted: str, seconds: float = 10.0) -> bool:
    """Wait (bounded) until ``await probe()`` returns ``wanted``."""
    deadline = time.monotonic() + seconds
    while await probe() != wanted:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.1)
    return True
