"""Cleanup contexts: each resource has one owner that opens it above ``yield`` and closes it below."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web
from redis.asyncio import Redis

from bot.cluster import conversation_store
from bot.keys import ADMIN, REDIS, REDIS_GUARD, SERVICES, SETTINGS
from services import start_services
from services.platform import MemoryRateLimiter, RateLimiter, RedisGuard, RedisRateLimiter
from services.staff import Staff


async def services_context(app: web.Application) -> AsyncIterator[None]:
    """The store, the content and the dialogue (unless a test handed in running services)."""
    settings = app[SETTINGS]
    owned = SERVICES not in app
    if owned:
        app[SERVICES] = await start_services(settings.database_url, settings.faq_dir,
                                             store=conversation_store(app))
    limit = settings.rate_limit_per_minute
    limiter: RateLimiter = (RedisRateLimiter(app[REDIS], limit, guard=app.get(REDIS_GUARD))
                            if REDIS in app else MemoryRateLimiter(limit))
    app[SERVICES].dialog.use_limiter(limiter)  # the same per-user limit in every channel
    yield
    if owned:
        await app[SERVICES].close()


async def content_watch_context(app: web.Application) -> AsyncIterator[None]:
    """Poll the store so that a publish in any process is answered here within seconds."""
    task = asyncio.create_task(
        app[SERVICES].catalog.watch(app[SETTINGS].content_poll_seconds))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def redis_context(app: web.Application) -> AsyncIterator[None]:
    """A Redis client when ``WENJIAO_REDIS_URL`` is set; channels fall back to memory without it."""
    url = app[SETTINGS].redis_url
    if not url:
        yield
        return
    client: Redis = Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
    app[REDIS] = client
    app[REDIS_GUARD] = RedisGuard()
    yield
    await client.aclose()


ADMIN_TICK_SECONDS = 10.0


async def admin_context(app: web.Application) -> AsyncIterator[None]:
    """The admin services, and their periodic job: scheduled publishes, daily validity reload."""
    if ADMIN not in app:
        app[ADMIN] = Staff.of(app[SERVICES])
    task = asyncio.create_task(app[ADMIN].run_scheduler(ADMIN_TICK_SECONDS))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
