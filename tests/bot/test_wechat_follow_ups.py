"""Follow-ups through the real WeChat endpoint: signed (and encrypted) pushes, one conversation per
OpenID, a numbered pick moving the topic, and two workers sharing the conversation in Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.keys import SERVICES
from services import IncomingMessage, Services
from tests.bot.wechat_platform import (
    Platform,
    new_openid,
    next_msg_id,
    platform,
    wechat_settings,
    wx_services,
)

__all__ = ["platform", "wx_services"]  # fixtures, for pytest
pytestmark = pytest.mark.asyncio(loop_scope="module")

WENXIN = "温心有约是什么"
FEE = "要收费吗"  # alone: the clean-schools rule on fees; after WENXIN: about 温心有约
INTRO = "hotline.wenxin_youyue_intro"


def answer_of(services: Services, entry_id: str) -> str:
    return services.catalog.engine.entry(entry_id).answer


async def test_a_follow_up_is_read_with_the_last_question_of_that_openid(platform: Platform):
    intro = answer_of(platform.services, INTRO)
    assert intro in await platform.say(WENXIN)
    follow_up = await platform.say(FEE, aes=True)
    assert "收费" in follow_up and intro in follow_up
    assert intro not in await platform.say(FEE, openid=new_openid())


async def test_goodbye_after_an_answer_closes_politely(platform: Platform):
    await platform.say("三坛教师评了多少名")
    goodbye = await platform.say("好的，再见")
    assert "再见" in goodbye and "1211" not in goodbye


async def test_a_numbered_pick_moves_the_topic_for_the_next_follow_up(platform: Platform):
    related = await platform.services.dialog.handle(
        IncomingMessage(channel="ref", user_id=f"ref-{uuid.uuid4().hex}", text=WENXIN))
    chosen = answer_of(platform.services, related.options[0].id)
    await platform.say(WENXIN)
    assert chosen in await platform.say("1")
    follow_up = await platform.say(FEE)
    assert "收费" in follow_up and chosen in follow_up


@asynccontextmanager
async def worker(tmp_path: Path, redis_url: str) -> AsyncIterator[Platform]:
    """One instance of the app building its own services (Redis conversations), as a worker does."""
    client = TestClient(TestServer(create_app(wechat_settings(tmp_path, redis_url=redis_url))))
    await client.start_server()
    try:
        yield Platform(client, client.server.app[SERVICES])
    finally:
        await client.close()


def unique_msg_id() -> int:
    """A MsgId new to Redis too (its de-duplication keys outlive a test session)."""
    return next_msg_id() + uuid.uuid4().int % 10**15


@pytest.mark.redis
async def test_a_follow_up_reaching_another_worker_is_read_through_redis(tmp_path, redis_url):
    async with worker(tmp_path, redis_url) as first, worker(tmp_path, redis_url) as second:
        second.openid = first.openid
        intro = answer_of(first.services, INTRO)
        assert intro in await first.say(WENXIN, msg_id=unique_msg_id())
        follow_up = await second.say(FEE, msg_id=unique_msg_id())
        assert "收费" in follow_up and intro in follow_up
