"""Running the Telegram bot inside ``wenjiao serve``: its lifespan and the webhook route.

With ``WENJIAO_TELEGRAM_TOKEN`` set, :func:`telegram_context` owns the PTB application: it
initialises and starts it, then either polls (the default) or registers the webhook with its
secret token; it stops in the reverse order. In webhook mode :func:`webhook` receives Telegram's
POSTs on this same server (PTB's custom-webhook pattern): check the secret header, parse the
update, queue it for the application and answer at once.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from telegram import Update

from bot.channels.telegram import TelegramApp, build_telegram_app
from bot.keys import REDIS, REDIS_GUARD, SERVICES, SETTINGS, TELEGRAM, TELEGRAM_SEEN
from bot.settings import Settings
from bot.web import json_body
from bot.web.middlewares import json_error
from services.platform import Dedup, FallbackTtlStore, MemoryTtlStore, RedisTtlStore, TtlStore

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]


def webhook_mode(settings: Settings) -> bool:
    """Whether Telegram pushes updates to :data:`WEBHOOK_PATH` (else the bot polls)."""
    return settings.telegram_token is not None and bool(settings.telegram_webhook_url)


async def telegram_context(app: web.Application) -> AsyncIterator[None]:
    """Start the bot when a token is set (polling, or the webhook); stop it in reverse order."""
    settings = app[SETTINGS]
    if settings.telegram_token is None:
        yield
        return
    webhook = webhook_mode(settings)
    if webhook and settings.telegram_webhook_secret is None:
        raise RuntimeError("WENJIAO_TELEGRAM_WEBHOOK_SECRET must be set together with "
                           "WENJIAO_TELEGRAM_WEBHOOK_URL (Telegram sends it with every update)")
    _quiet_library_logs()
    ptb = build_telegram_app(settings.telegram_token.get_secret_value(), app[SERVICES].dialog,
                             base_url=settings.telegram_base_url, polling=not webhook)
    await ptb.initialize()
    try:
        await ptb.start()
        await _receive(ptb, settings)
    except BaseException:
        await _stop(ptb)
        raise
    app[TELEGRAM] = ptb
    redis = app.get(REDIS)
    seen: TtlStore = MemoryTtlStore()
    if redis is not None:  # shared by the workers; in this process while Redis is down
        seen = FallbackTtlStore(RedisTtlStore(redis), MemoryTtlStore(), app[REDIS_GUARD])
    app[TELEGRAM_SEEN] = Dedup(seen)
    log.info("telegram bot @%s is running (%s)", ptb.bot.username,
             "webhook" if webhook else "long polling")
    yield
    await _stop(ptb)


def _quiet_library_logs() -> None:
    """httpx logs each request URL at INFO, and Bot API URLs contain the token; PTB logs whole
    updates (what users wrote) at DEBUG. Neither belongs in the server's logs."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    ptb = logging.getLogger("telegram")
    if ptb.getEffectiveLevel() < logging.INFO:
        ptb.setLevel(logging.INFO)


async def _receive(ptb: TelegramApp, settings: Settings) -> None:
    """Tell Telegram where updates go: the webhook with its secret, or long polling."""
    if webhook_mode(settings):
        assert settings.telegram_webhook_url and settings.telegram_webhook_secret
        await ptb.bot.set_webhook(settings.telegram_webhook_url,
                                  secret_token=settings.telegram_webhook_secret.get_secret_value(),
                                  allowed_updates=ALLOWED_UPDATES)
    else:
        assert ptb.updater is not None
        await ptb.updater.start_polling(allowed_updates=ALLOWED_UPDATES)


async def _stop(ptb: TelegramApp) -> None:
    if ptb.updater is not None and ptb.updater.running:
        await ptb.updater.stop()
    if ptb.running:
        await ptb.stop()
    await ptb.shutdown()


async def webhook(request: web.Request) -> web.Response:
    """One update from Telegram: 403 without the right secret token, 400 when unreadable."""
    secret = request.app[SETTINGS].telegram_webhook_secret
    given = request.headers.get(SECRET_HEADER, "")
    if secret is None or not hmac.compare_digest(given.encode(),
                                                 secret.get_secret_value().encode()):
        return json_error(403, "forbidden", "Missing or wrong secret token.")
    ptb = request.app.get(TELEGRAM)
    if ptb is None:
        return json_error(503, "not_running", "The Telegram bot is not running.")
    try:
        data = json_body.load(await request.read())
        readable = isinstance(data, dict) and isinstance(data.get("update_id"), int)
        update = Update.de_json(data, ptb.bot) if readable else None
    except (ValueError, TypeError, KeyError, AttributeError):  # BadJson, and what de_json raises
        update = None
    if update is None:
        return json_error(400, "invalid_update", "The body is not a Telegram update.")
    # Telegram re-sends an update it thinks was not received (a slow answer, a restart); one
    # that any worker has already taken is acknowledged and not answered again.
    seen = request.app[TELEGRAM_SEEN]
    if not await seen.claim(f"telegram:{update.update_id}"):
        log.info("telegram: update %s repeated, acknowledged once more", update.update_id)
        return web.Response(text="ok")
    await ptb.update_queue.put(update)
    await seen.finish(f"telegram:{update.update_id}", "")
    return web.Response(text="ok")
