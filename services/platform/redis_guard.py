"""Whether Redis answers, shared by every Redis-backed piece of one process.

Redis makes state shared between workers, but it must never be what stops the bot answering.
Stores call Redis through :meth:`RedisGuard.run` with an in-process fall-back: the first failure
marks the process *degraded* (logged once, shown by ``/healthz``), later calls go straight to the
fall-back instead of waiting on a dead server, and one call every ``retry_after`` seconds (or a
health check's :meth:`probe`) tries Redis again; the first success ends the degraded state.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from services.platform import telemetry

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_AFTER = 2.0


@functools.cache
def redis_down() -> tuple[type[BaseException], ...]:
    """What a dead, unreachable or overloaded Redis raises (socket errors surface as OSError),
    for ``except redis_down() as exc``. A function, so that redis is imported only by a process
    that talks to it (the clause is evaluated only when a call raised): ``import redis`` is 61
    modules and 19 MiB that ``wenjiao ask`` and a worker without Redis never need."""
    from redis.exceptions import RedisError

    return (RedisError, OSError, TimeoutError)


class RedisGuard:
    """The degraded / healthy state of Redis in this process, and the calls that respect it."""

    def __init__(self, retry_after: float = RETRY_AFTER,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._retry_after = retry_after
        self._clock = clock
        self._down_since: float | None = None
        self._retry_at = 0.0
        self.reason: str | None = None

    @property
    def healthy(self) -> bool:
        """False while Redis is considered unavailable."""
        return self._down_since is None

    def failed(self, exc: BaseException) -> None:
        """Record a failed Redis call (logs on the change to degraded, not on every call)."""
        self._retry_at = self._clock() + self._retry_after
        telemetry.error("redis")
        if self._down_since is None:
            self._down_since = self._clock()
            self.reason = f"redis unavailable ({type(exc).__name__}); using in-process state"
            log.warning("redis unavailable; degraded to in-process state",
                        extra={"error": type(exc).__name__})

    def succeeded(self) -> None:
        """Record a successful Redis call (logs the recovery once)."""
        if self._down_since is not None:
            log.warning("redis is back; shared state restored",
                        extra={"down_seconds": round(self._clock() - self._down_since, 1)})
            self._down_since = None
            self.reason = None

    async def run(self, call: Callable[[], Awaitable[T]],
                  fallback: Callable[[], Awaitable[T]]) -> T:
        """``call()`` against Redis, or ``fallback()`` when Redis is down or fails now."""
        if not self.healthy and self._clock() < self._retry_at:
            return await fallback()
        try:
            result = await call()
        except redis_down() as exc:
            self.failed(exc)
            return await fallback()
        self.succeeded()
        return result

    async def probe(self, redis: Redis) -> bool:
        """Ping Redis now (health checks); True when it answered."""
        try:
            await redis.ping()
        except redis_down() as exc:
            self.failed(exc)
            return False
        self.succeeded()
        return True
