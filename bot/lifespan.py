"""Cleanup contexts: each resource has one owner that opens it above ``yield`` and closes it below."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from pydantic import SecretStr
from redis.asyncio import Redis

from bot.cluster import conversation_store
from bot.keys import ADMIN, REDIS, REDIS_GUARD, SERVICES, SETTINGS
from bot.settings import Settings
from services import start_services
from services.alerts import AlertTargets
from services.platform import MemoryRateLimiter, RateLimiter, RedisGuard, RedisRateLimiter
from services.staff import Staff

log = logging.getLogger(__name__)


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def alert_targets(settings: Settings) -> AlertTargets:
    """The staff alert channels of ``WENJIAO_ALERT_*`` (ValueError when half-configured)."""
    recipients = tuple(a.strip() for a in (settings.alert_email_to or "").split(",") if a.strip())
    return AlertTargets(
        public_url=settings.public_url or "", webhook_url=_secret(settings.alert_webhook_url),
        telegram_token=_secret(settings.telegram_token),
        telegram_chat=settings.alert_telegram_chat, telegram_base_url=settings.telegram_base_url,
        smtp_url=_secret(settings.alert_smtp_url), email_to=recipients,
        email_from=settings.alert_email_from)


async def services_context(app: web.Application) -> AsyncIterator[None]:
    """The store, the content, the dialogue and the staff alerts (unless a test handed in
    running services)."""
    settings = app[SETTINGS]
    owned = SERVICES not in app
    if owned:
        alerts = alert_targets(settings)
        if alerts.channels and not settings.public_url:
            log.warning("WENJIAO_PUBLIC_URL is not set: staff alerts link to a bare path")
        app[SERVICES] = await start_services(settings.database_url, settings.faq_dir,
                                             store=conversation_store(app), alerts=alerts)
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
