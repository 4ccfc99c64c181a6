"""Conversation state: in memory, in Redis (shared by workers), and while Redis is down."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from services.platform.redis_guard import RedisGuard
from services.dialogue.conversation import Conversation, memory_store, redis_store, shared_store
from tests.tcp_proxy import closed_port

PENDING = Conversation(options=[{"id": "enrollment.eligibility", "title": "入学条件"}],
                       question="我家孩子能上公办吗", lang="zh")


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"wenjiao-test:{uuid.uuid4().hex}:"


@pytest.mark.redis
async def test_a_conversation_saved_by_one_worker_is_loaded_by_another(redis_url, prefix):
    first, second = Redis.from_url(redis_url), Redis.from_url(redis_url)
    await redis_store(first, prefix=prefix).save("web:s1", PENDING)
    loaded = await redis_store(second, prefix=prefix).load("web:s1")
    assert loaded == PENDING
    assert await redis_store(second, prefix=prefix).load("web:other") == Conversation()
    await first.aclose()
    await second.aclose()


@pytest.mark.redis
async def test_redis_keeps_no_channel_user_id_and_expires_the_state(redis, prefix):
    store = redis_store(redis, ttl=60, prefix=prefix)
    await store.save("wechat:oABCDEF_openid_123", PENDING)
    keys = [k.decode() async for k in redis.scan_iter(match=f"{prefix}*")]
    assert len(keys) == 1 and "openid" not in keys[0]
    assert 0 < await redis.ttl(keys[0]) <= 60


@pytest.mark.redis
async def test_a_damaged_value_reads_as_a_fresh_conversation(redis, prefix):
    store = redis_store(redis, prefix=prefix)
    await store.save("web:s1", PENDING)
    key = next(iter([k async for k in redis.scan_iter(match=f"{prefix}*")]))
    await redis.set(key, b"\xff not json")
    assert await store.load("web:s1") == Conversation()


async def test_with_redis_down_state_is_kept_in_memory_and_the_process_is_degraded():
    dead = Redis.from_url(f"redis://127.0.0.1:{closed_port()}/0", socket_connect_timeout=0.5)
    guard = RedisGuard()
    store = shared_store(dead, guard)
    await store.save("web:s1", PENDING)
    assert await store.load("web:s1") == PENDING
    assert not guard.healthy and "redis unavailable" in (guard.reason or "")
    await dead.aclose()


@pytest.mark.redis
async def test_when_redis_is_healthy_it_is_the_source(redis, prefix):
    guard = RedisGuard()
    store = shared_store(redis, guard, prefix=prefix)
    await store.save("web:s1", PENDING)
    # Another worker answers the clarification: Redis now says there is nothing pending.
    await redis_store(redis, prefix=prefix).save("web:s1", Conversation())
    assert await store.load("web:s1") == Conversation()
    assert guard.healthy


async def test_in_memory_conversations_are_copies_and_expire():
    store = memory_store(ttl=0.05)
    await store.save("web:s1", PENDING)
    loaded = await store.load("web:s1")
    loaded.options.clear()  # a caller's change is not the store's until it saves
    assert await store.load("web:s1") == PENDING
    await asyncio.sleep(0.1)
    assert await store.load("web:s1") == Conversation()
