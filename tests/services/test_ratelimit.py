"""Per-user rate limits, in memory and shared through Redis."""

from __future__ import annotations

import uuid

import pytest
from redis.asyncio import Redis

from services.platform.ratelimit import MemoryRateLimiter, RateDecision, RedisRateLimiter
from services.platform.redis_guard import RedisGuard


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_memory_limit_allows_then_refuses_telling_once():
    clock = Clock()
    limiter = MemoryRateLimiter(3, clock=clock)
    decisions = [await limiter.hit("u1") for _ in range(5)]
    assert decisions == [RateDecision(True)] * 3 + [RateDecision(False, notify=True),
                                                    RateDecision(False)]
    assert (await limiter.hit("u2")).allowed  # per user


async def test_memory_limit_opens_again_in_the_next_window():
    clock = Clock(59.0)
    limiter = MemoryRateLimiter(1, clock=clock)
    assert (await limiter.hit("u1")).allowed
    assert not (await limiter.hit("u1")).allowed
    clock.now = 60.0
    assert (await limiter.hit("u1")).allowed


async def test_memory_limit_keeps_a_bounded_number_of_users():
    limiter = MemoryRateLimiter(1, max_keys=10)
    for n in range(100):
        await limiter.hit(f"u{n}")
    assert not (await limiter.hit("u99")).allowed  # a recent user is remembered
    assert (await limiter.hit("u0")).allowed  # the oldest were forgotten past the bound


def test_a_limit_must_be_positive():
    with pytest.raises(ValueError):
        MemoryRateLimiter(0)


@pytest.fixture
async def redis_client(redis_url: str):
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.mark.redis
async def test_redis_limit_is_shared_by_every_process(redis_client):
    prefix = f"wenjiao-test:{uuid.uuid4().hex}:"
    clock = Clock(1_000_000.0)
    one = RedisRateLimiter(redis_client, 2, prefix=prefix, clock=clock)
    two = RedisRateLimiter(redis_client, 2, prefix=prefix, clock=clock)  # another worker
    assert (await one.hit("u1")).allowed
    assert (await two.hit("u1")).allowed
    assert await one.hit("u1") == RateDecision(False, notify=True)
    assert not (await two.hit("u1")).allowed
    clock.now += 60
    assert (await two.hit("u1")).allowed
    keys = [k async for k in redis_client.scan_iter(f"{prefix}*")]
    ttls = [await redis_client.ttl(k) for k in keys]
    assert ttls and all(0 < ttl <= 61 for ttl in ttls)  # counts expire with their window
    await redis_client.delete(*keys)


@pytest.mark.parametrize("guarded", [False, True])
async def test_redis_unreachable_counts_in_this_process(guarded):
    client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    guard = RedisGuard() if guarded else None
    try:
        limiter = RedisRateLimiter(client, 1, guard=guard)
        assert (await limiter.hit("u1")).allowed
        assert await limiter.hit("u1") == RateDecision(False, notify=True)
        assert (await limiter.hit("u2")).allowed
    finally:
        await client.aclose()
    assert guard is None or not guard.healthy
