"""Retry de-duplication and used nonces on each database, and across workers through Redis."""

from __future__ import annotations

import time

import pytest

from services import Services
from tests.bot.wechat_platform import next_msg_id, open_platform


async def test_retries_store_one_exchange_on_each_database(services: Services, tmp_path):
    async with open_platform(services, tmp_path) as platform:
        message = platform.text("三坛教师评了多少名")
        answers = [await platform.post(message, aes=True) for _ in range(3)]
        assert answers[0].content is not None and "1211" in answers[0].content
        assert answers[0].content == answers[1].content == answers[2].content
        assert await platform.exchanges() == 1


@pytest.mark.redis
async def test_a_retry_reaching_another_worker_is_recognised_through_redis(services: Services,
                                                                          tmp_path, redis_url):
    msg_id = next_msg_id() + int(time.time() * 1000)  # unique across runs sharing the server
    async with open_platform(services, tmp_path, redis_url=redis_url) as first, \
            open_platform(services, tmp_path, redis_url=redis_url) as second:
        message = first.text("三坛教师评了多少名", msg_id=msg_id)
        answers = [await first.post(message), await second.post(message),
                   await second.post(message, aes=True)]
        assert answers[0].content is not None and "1211" in answers[0].content
        assert {a.content for a in answers} == {answers[0].content}
        assert await first.exchanges() == 1


@pytest.mark.redis
async def test_a_used_url_is_refused_by_another_worker_through_redis(services: Services,
                                                                     tmp_path, redis_url):
    async with open_platform(services, tmp_path, redis_url=redis_url) as first, \
            open_platform(services, tmp_path, redis_url=redis_url) as second:
        query = first.query()  # a fresh nonce: unique across runs sharing the server
        assert (await first.post(first.text("你好"), query=query)).status == 200
        assert (await second.post(second.text("另一条消息"), query=query)).status == 403
        assert await first.exchanges() == 1
