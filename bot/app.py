"""The composition root: build the aiohttp application with every configured channel."""

from __future__ import annotations

from aiohttp import web

from bot.channels.telegram_server import telegram_context
from bot.channels.wechat import wechat_context
from bot.cluster import content_events_context
from bot.keys import SERVICES, SETTINGS
from bot.lifespan import admin_context, content_watch_context, redis_context, services_context
from bot.settings import Settings
from bot.web.auth import admin_middleware
from bot.web.middlewares import error_middleware
from bot.web.observability import request_context
from bot.web.proxies import proxy_middlewares
from bot.web.quiet_server import hide_server_header
from bot.web.routes import setup_routes
from services import Services

MAX_BODY = 64 * 1024


def create_app(settings: Settings, services: Services | None = None) -> web.Application:
    """The application; pass running ``services`` to share them (tests, several apps)."""
    middlewares = [request_context, error_middleware,
                   *proxy_middlewares(settings.trusted_proxies), admin_middleware]
    app = web.Application(client_max_size=MAX_BODY, middlewares=middlewares)
    app[SETTINGS] = settings
    app.on_response_prepare.append(hide_server_header)
    if services is not None:
        app[SERVICES] = services
    app.cleanup_ctx.append(redis_context)
    app.cleanup_ctx.append(services_context)
    app.cleanup_ctx.append(content_watch_context)
    app.cleanup_ctx.append(admin_context)  # after services, which it uses
    app.cleanup_ctx.append(content_events_context)  # Redis push; the poll above is the fallback
    app.cleanup_ctx.append(telegram_context)  # after services and Redis, which it uses
    app.cleanup_ctx.append(wechat_context)  # after Redis (dedup, token) and services
    setup_routes(app)
    return app
