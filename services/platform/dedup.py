"""Process each pushed message once: platforms re-send what they think went unanswered.

WeChat re-sends a message up to three times when it gets no reply within five seconds. The first
arrival *claims* the message's key; the work's result (the rendered reply, or an empty string for
"acknowledged, nothing to add") is *finished* under that key, and a retry reads it instead of
running a second dialogue turn. The keys live in a small expiring store: in memory for one
process, in Redis when several workers share the traffic (a retry may reach another worker).

The same store also keeps other short-lived per-user values of a channel (WeChat's "more" pages).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

DEDUP_TTL = 10 * 60  # WeChat's retries come within ~15 s; ten minutes is ample and cheap
MAX_ITEMS = 100_000
_PENDING = "?"  # claimed, work in progress
_DONE = "="  # prefix of a finished result


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


def _ms(ttl: float) -> int:
    return max(1, int(ttl * 1000))


class Dedup:
    """Claim, finish and read back the result of work that must happen once per key."""

    def __init__(self, store: TtlStore, ttl: float = DEDUP_TTL, poll: float = 0.05) -> None:
        self._store = store
        self._ttl = ttl
        self._poll = poll

    async def claim(self, key: str) -> bool:
        """True for the first arrival of ``key``; False for a repeat."""
        return await self._store.add(_key(key), _PENDING, self._ttl)

    async def finish(self, key: str, result: str) -> None:
        """Keep the result of the work for the repeats."""
        await self._store.set(_key(key), _DONE + result, self._ttl)

    async def release(self, key: str) -> None:
        """Give the key up (the work failed): a repeat may try again."""
        await self._store.delete(_key(key))

    async def result(self, key: str) -> str | None:
        """The finished result, or None while the work is pending (or the key is unknown)."""
        value = await self._store.get(_key(key))
        if value is None or not value.startswith(_DONE):
            return None
        return value[len(_DONE):]

    async def wait(self, key: str, within: float) -> str | None:
        """The result once finished, or None when it is not finished ``within`` seconds."""
        deadline = time.monotonic() + within
        while True:
            result = await self.result(key)
            if result is not None or time.monotonic() >= deadline:
                return result
            await asyncio.sleep(min(self._poll, max(0.0, deadline - time.monotonic())))


def _key(key: str) -> str:
    return f"dedup:{key}"
