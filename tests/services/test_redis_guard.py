"""The Redis guard: fall back at once, stop waiting on a dead server, notice when it is back."""

from __future__ import annotations

import logging
import uuid

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from services.platform import Dedup, MemoryTtlStore, RedisTtlStore
from services.platform import FallbackTtlStore, RedisGuard
from tests.tcp_proxy import closed_port


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class FlakyRedis:
    """Stands in for a Redis call: fails while ``down``; counts the attempts."""

    def __init__(self) -> None:
        self.down = False
        self.calls = 0

    async def get(self) -> str:
        self.calls += 1
        if self.down:
            raise RedisConnectionError("Connection refused")
        return "shared"


async def local() -> str:
    return "local"


async def test_a_failure_falls_back_and_later_calls_skip_redis_until_the_retry_time(caplog):
    clock, redis = Clock(), FlakyRedis()
    guard = RedisGuard(retry_after=2.0, clock=clock)
    redis.down = True
    with caplog.at_level(logging.WARNING, logger="services.platform.redis_guard"):
        assert await guard.run(redis.get, local) == "local"
        assert await guard.run(redis.get, local) == "local"
    assert redis.calls == 1  # the second call did not wait on the dead server
    assert not guard.healthy
    assert [r.getMessage() for r in caplog.records].count(
        "redis unavailable; degraded to in-process state") == 1

    redis.down = False
    clock.now += 2.5
    assert await guard.run(redis.get, local) == "shared"
    assert guard.healthy and guard.reason is None


async def test_a_probe_of_a_closed_port_reports_degraded_with_a_reason():
    dead = Redis.from_url(f"redis://127.0.0.1:{closed_port()}/0", socket_connect_timeout=0.5)
    guard = RedisGuard()
    assert not await guard.probe(dead)
    assert guard.reason is not None and "ConnectionError" in guard.reason
    await dead.aclose()


@pytest.mark.redis
async def test_a_probe_of_a_live_server_ends_the_degraded_state(redis_url):
    guard = RedisGuard()
    guard.failed(RedisConnectionError("gone"))
    client = Redis.from_url(redis_url)
    assert await guard.probe(client)
    assert guard.healthy
    await client.aclose()


async def test_retry_de_duplication_keeps_working_in_memory_while_redis_is_down():
    dead = Redis.from_url(f"redis://127.0.0.1:{closed_port()}/0", socket_connect_timeout=0.5)
    guard = RedisGuard()
    dedup = Dedup(FallbackTtlStore(RedisTtlStore(dead), MemoryTtlStore(), guard))
    assert await dedup.claim("wechat:msg:1")
    assert not await dedup.claim("wechat:msg:1")  # the retry is still recognised
    await dedup.finish("wechat:msg:1", "<xml>reply</xml>")
    assert await dedup.result("wechat:msg:1") == "<xml>reply</xml>"
    assert not guard.healthy
    await dead.aclose()


@pytest.mark.redis
async def test_with_redis_up_the_claim_is_shared_between_workers(redis_url):
    prefix = f"wenjiao-test:{uuid.uuid4().hex}:"
    one, two = Redis.from_url(redis_url), Redis.from_url(redis_url)
    first = Dedup(FallbackTtlStore(RedisTtlStore(one, prefix), MemoryTtlStore(), RedisGuard()))
    second = Dedup(FallbackTtlStore(RedisTtlStore(two, prefix), MemoryTtlStore(), RedisGuard()))
    assert await first.claim("wechat:msg:2")
    assert not await second.claim("wechat:msg:2")  # another worker's memory never saw it
    await one.aclose()
    await two.aclose()
