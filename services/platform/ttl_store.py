"""One short-lived key-value store for everything the platform keeps a while: conversations,
WeChat retry claims and reading pages, rate-limit counts. In memory (bounded, expiring) for one
process, in Redis for several workers, and Redis with the in-memory fall-back while Redis is down
(:class:`FallbackTtlStore`, the one Redis fall-back wrapper, through the process's RedisGuard).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from services.platform.redis_guard import RedisGuard

if TYPE_CHECKING:
    from redis.asyncio import Redis

T = TypeVar("T")
MAX_ITEMS = 100_000


class TtlStore(Protocol):
    """A string key-value store whose entries expire."""

    async def add(self, key: str, value: str, ttl: float) -> bool:
        """Store ``value`` unless ``key`` is present; True when it was stored."""
        ...

    async def set(self, key: str, value: str, ttl: float) -> None:
        """Store ``value``, replacing what was there."""
        ...

    async def get(self, key: str) -> str | None:
        """The value, or None when absent or expired."""
        ...

    async def delete(self, key: str) -> None:
        """Forget ``key``."""
        ...

    async def incr(self, key: str, ttl: float) -> int:
        """Add one to the count under ``key`` (a new count expires after ``ttl``); the count."""
        ...


class MemoryTtlStore:
    """In-process store, bounded: the oldest entries go first past ``max_items``."""

    def __init__(self, max_items: int = MAX_ITEMS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._items: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._max = max_items
        self._clock = clock

    async def add(self, key: str, value: str, ttl: float) -> bool:
        """Store unless present (check and store happen without an await between them)."""
        if self._live(key) is not None:
            return False
        self._put(key, value, ttl)
        return True

    async def set(self, key: str, value: str, ttl: float) -> None:
        """Store, replacing."""
        self._put(key, value, ttl)

    async def get(self, key: str) -> str | None:
        """The live value."""
        return self._live(key)

    async def delete(self, key: str) -> None:
        """Forget."""
        self._items.pop(key, None)

    async def incr(self, key: str, ttl: float) -> int:
        """Add one (no await between the read and the write: atomic in this process)."""
        item = self._items.get(key)
        if item is None or item[0] <= self._clock():
            self._put(key, "1", ttl)
            return 1
        count = int(item[1]) + 1
        self._items[key] = (item[0], str(count))
        self._items.move_to_end(key)
        return count

    def _live(self, key: str) -> str | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[0] <= self._clock():
            del self._items[key]
            return None
        return item[1]

    def _put(self, key: str, value: str, ttl: float) -> None:
        self._items[key] = (self._clock() + ttl, value)
        self._items.move_to_end(key)
        while len(self._items) > self._max:
            self._items.popitem(last=False)


class RedisTtlStore:
    """Redis-backed store shared by every worker (``SET NX PX`` makes the claim atomic)."""

    def __init__(self, redis: Redis, prefix: str = "wenjiao:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def add(self, key: str, value: str, ttl: float) -> bool:
        """Store unless present, atomically across workers."""
        return bool(await self._redis.set(self._prefix + key, value, px=_ms(ttl), nx=True))

    async def set(self, key: str, value: str, ttl: float) -> None:
        """Store, replacing."""
        await self._redis.set(self._prefix + key, value, px=_ms(ttl))

    async def get(self, key: str) -> str | None:
        """The value (Redis expires it)."""
        value = await self._redis.get(self._prefix + key)
        if value is None:
            return None
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)

    async def delete(self, key: str) -> None:
        """Forget."""
        await self._redis.delete(self._prefix + key)


    async def incr(self, key: str, ttl: float) -> int:
        """``INCR`` and ``PEXPIRE`` in one transaction, shared by every worker."""
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.pexpire(name, _ms(ttl))
            count, _ = await pipe.execute()
        return int(count)


def _ms(ttl: float) -> int:
    return max(1, int(ttl * 1000))


class FallbackTtlStore:
    """A Redis ``TtlStore`` that falls back to process memory while Redis is down, so
    conversations, WeChat's retry de-duplication, reading pages and rate-limit counts never turn
    an answer into an error.

    Writes go to both, reads prefer Redis; while degraded a retry that reaches another worker may
    be answered twice, which is the lesser harm than not answering at all.
    """

    def __init__(self, shared: TtlStore, local: TtlStore, guard: RedisGuard) -> None:
        self._shared = shared
        self._local = local
        self._guard = guard

    async def add(self, key: str, value: str, ttl: float) -> bool:
        """Store unless present (atomically in Redis; in this process while degraded)."""
        added_here = await self._local.add(key, value, ttl)
        return await self._guard.run(lambda: self._shared.add(key, value, ttl),
                                     lambda: _value(added_here))

    async def set(self, key: str, value: str, ttl: float) -> None:
        """Store, replacing."""
        await self._local.set(key, value, ttl)
        await self._guard.run(lambda: self._shared.set(key, value, ttl), lambda: _value(None))

    async def get(self, key: str) -> str | None:
        """The value from Redis, or from memory while Redis is down."""
        return await self._guard.run(lambda: self._shared.get(key), lambda: self._local.get(key))

    async def delete(self, key: str) -> None:
        """Forget ``key`` everywhere."""
        await self._local.delete(key)
        await self._guard.run(lambda: self._shared.delete(key), lambda: _value(None))

    async def incr(self, key: str, ttl: float) -> int:
        """Count in Redis; in this process alone while Redis is down."""
        return await self._guard.run(lambda: self._shared.incr(key, ttl),
                                     lambda: self._local.incr(key, ttl))


async def _value(value: T) -> T:
    return value
