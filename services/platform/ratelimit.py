"""Per-user rate limits: a fixed window (one minute by default), in memory or shared through Redis.

A channel calls :meth:`RateLimiter.hit` once per message it would answer. The decision says
whether to answer and whether this is the first refusal in the window, so a user who sends too
fast is told once to slow down instead of once per message (which would itself be spam).

The window is fixed (``INCR`` on a per-window key, the pattern of the Redis documentation): it
is cheap, needs one round trip and behaves the same in memory and in Redis. Its known
imprecision, up to twice the limit across a window boundary, does not matter for a politeness
limit. The counts live in the platform's one TTL store: in memory, or in Redis with the in-memory
fall-back, so when Redis fails this process counts on its own: a rate limit must never silence
the bot.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from services.platform.redis_guard import RedisGuard
from services.platform.ttl_store import FallbackTtlStore, MemoryTtlStore, RedisTtlStore, TtlStore

if TYPE_CHECKING:
    from redis.asyncio import Redis

WINDOW_SECONDS = 60.0
MAX_KEYS = 100_000


@dataclass(frozen=True, slots=True)
class RateDecision:
    """What to do with one message."""

    allowed: bool
    notify: bool = False  # the first refused message of the window: tell the user, once


class RateLimiter(Protocol):
    """Counts messages per key (a user) and decides whether each may be answered."""

    async def hit(self, key: str) -> RateDecision:
        """Count one message for ``key`` and decide."""
        ...


class WindowRateLimiter:
    """``limit`` messages per ``window`` seconds and key, counted in a TTL store."""

    def __init__(self, store: TtlStore, limit: int, window: float = WINDOW_SECONDS, *,
                 clock: Callable[[], float] = time.time) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self._store = store
        self._window = window
        self._clock = clock  # wall time by default: every process must agree on the window

    async def hit(self, key: str) -> RateDecision:
        """Count one message for ``key`` in the current window."""
        window = int(self._clock() // self._window)
        count = await self._store.incr(f"{key}:{window}", self._window + 1)
        return RateDecision(allowed=count <= self.limit, notify=count == self.limit + 1)


def MemoryRateLimiter(limit: int, window: float = WINDOW_SECONDS, *,
                      clock: Callable[[], float] = time.monotonic,
                      max_keys: int = MAX_KEYS) -> WindowRateLimiter:
    """Counts in this process; the least recently seen keys are dropped past ``max_keys``."""
    return WindowRateLimiter(MemoryTtlStore(max_keys), limit, window, clock=clock)


def RedisRateLimiter(redis: Redis, limit: int, window: float = WINDOW_SECONDS, *,
                     prefix: str = "wenjiao:rate:", clock: Callable[[], float] = time.time,
                     guard: RedisGuard | None = None) -> WindowRateLimiter:
    """Counts shared by every process through Redis (one ``INCR`` + ``PEXPIRE`` a message),
    counted in this process alone while Redis is down."""
    store = FallbackTtlStore(RedisTtlStore(redis, prefix), MemoryTtlStore(MAX_KEYS),
                             guard or RedisGuard())
    return WindowRateLimiter(store, limit, window, clock=clock)
