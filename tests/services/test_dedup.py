"""De-duplication of pushed messages: first arrival claims, repeats read the result back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from services.platform import Dedup, MemoryTtlStore, RedisTtlStore, TtlStore


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def store(request) -> AsyncIterator[TtlStore]:
    """Each implementation of the store (Redis only when a test server is configured)."""
    if request.param == "memory":
        yield MemoryTtlStore()
        return
    from redis.asyncio import Redis

    client = Redis.from_url(request.getfixturevalue("redis_url"))
    yield RedisTtlStore(client, prefix=f"wenjiao-test:{uuid.uuid4().hex}:")
    await client.aclose()


async def test_only_the_first_arrival_claims(store: TtlStore):
    dedup = Dedup(store)
    assert await dedup.claim("wechat:msg:1")
    assert not await dedup.claim("wechat:msg:1")
    assert await dedup.claim("wechat:msg:2")


async def test_repeats_read_the_finished_result(store: TtlStore):
    dedup = Dedup(store)
    await dedup.claim("k")
    assert await dedup.result("k") is None  # pending
    await dedup.finish("k", "<xml>reply</xml>")
    assert await dedup.result("k") == "<xml>reply</xml>"
    await dedup.finish("ack", "")
    assert await dedup.result("ack") == ""  # an acknowledgement is a result too


async def test_wait_returns_the_result_when_it_arrives_or_none_after_the_timeout(store: TtlStore):
    dedup = Dedup(store, poll=0.01)
    await dedup.claim("slow")
    assert await dedup.wait("slow", within=0.05) is None

    async def finish_soon() -> None:
        await asyncio.sleep(0.05)
        await dedup.finish("slow", "done")

    task = asyncio.create_task(finish_soon())
    assert await dedup.wait("slow", within=2.0) == "done"
    await task


async def test_a_released_key_can_be_claimed_again(store: TtlStore):
    dedup = Dedup(store)
    await dedup.claim("failed")
    await dedup.release("failed")
    assert await dedup.claim("failed")


async def test_concurrent_claims_have_one_winner(store: TtlStore):
    dedup = Dedup(store)
    wins = await asyncio.gather(*(dedup.claim("race") for _ in range(20)))
    assert wins.count(True) == 1


async def test_keys_expire_after_their_ttl():
    clock = Clock()
    dedup = Dedup(MemoryTtlStore(clock=clock), ttl=60)
    await dedup.claim("k")
    await dedup.finish("k", "x")
    clock.now += 59
    assert await dedup.result("k") == "x"
    clock.now += 2
    assert await dedup.result("k") is None
    assert await dedup.claim("k")


async def test_the_memory_store_is_bounded():
    store = MemoryTtlStore(max_items=3)
    for n in range(5):
        await store.set(f"k{n}", "v", 60)
    assert [await store.get(f"k{n}") for n in range(5)] == [None, None, "v", "v", "v"]
