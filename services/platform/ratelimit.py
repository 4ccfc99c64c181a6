"""Per-user rate limits: a fixed window (one minute by default), in memory or shared through Redis.

A channel calls :meth:`RateLimiter.hit` once per message it would answer. The decision says
whether to answer and whether this is the first refusal in the window, so a user who sends too
fast is told once to slow down instead of once per message (which would itself be spam).

The window is fixed (``INCR`` on a per-window key, the pattern of the Redis documentation): it
is cheap, needs one round trip and behaves the same in memory and in Redis. Its known
imprecision, up to twice the limit across a window boundary, does not matter for a politeness
limit. When Redis fails, this process counts on its own (through the shared ``RedisGuard`` when
one is given): a rate limit must never silence the bot.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from services.platform.redis_guard import REDIS_DOWN, RedisGuard

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

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


def _decide(count: int, limit: int) -> RateDecision:
    return RateDecision(allowed=count <= limit, notify=count == limit + 1)


class MemoryRateLimiter:
    """In-process counts (one process); the least recently seen keys are dropped past a bound."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS, *,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS) -> None:
        """``limit`` messages per ``window`` seconds and key, remembering ``max_keys`` keys."""
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self._window = window
        self._clock = clock
        self._max_keys = max_keys
        self._counts: OrderedDict[str, tuple[int, int]] = OrderedDict()  # key -> (window, count)

    async def hit(self, key: str) -> RateDecision:
        """Count one message for ``key`` in the current window."""
        window = int(self._clock() // self._window)
        seen, count = self._counts.get(key, (window, 0))
        count = count + 1 if seen == window else 1
        self._counts[key] = (window, count)
        self._counts.move_to_end(key)
        while len(self._counts) > self._max_keys:
            self._counts.popitem(last=False)
        return _decide(count, self.limit)


class RedisRateLimiter:
    """Counts shared by every process through Redis: one ``INCR`` + ``EXPIRE`` per message."""

    def __init__(self, redis: Redis, limit: int, window: float = WINDOW_SECONDS, *,
                 prefix: str = "wenjiao:rate:", clock: Callable[[], float] = time.time,
                 guard: RedisGuard | None = None) -> None:
        """``limit`` messages per ``window`` seconds and key, counted under ``prefix``."""
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self._redis = redis
        self._window = window
        self._prefix = prefix
        self._clock = clock  # wall time: every process must agree on the window
        self._guard = guard
        self._local = MemoryRateLimiter(limit, window)  # while Redis is down

    async def hit(self, key: str) -> RateDecision:
        """Count one message for ``key``; in this process alone while Redis is down."""
        if self._guard is not None:
            return await self._guard.run(lambda: self._shared_hit(key),
                                         lambda: self._local.hit(key))
        try:
            return await self._shared_hit(key)
        except REDIS_DOWN as exc:
            log.warning("rate limit store unavailable (%s); counting in this process",
                        type(exc).__name__)
            return await self._local.hit(key)

    async def _shared_hit(self, key: str) -> RateDecision:
        window = int(self._clock() // self._window)
        name = f"{self._prefix}{key}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, int(self._window) + 1)
            count, _ = await pipe.execute()
        return _decide(int(count), self.limit)
