"""The composition root: build the aiohttp application with every configured channel."""

from __future__ import annotations

from aiohttp import web

from bot.keys import SERVICES, SETTINGS
from bot.lifespan import content_watch_context, redis_context, services_context
from bot.settings import Settings
from bot.web.middlewares import error_middleware
from bot.web.routes import setup_routes
from services import Services

MAX_BODY = 64 * 1024


def create_app(settings: Settings, services: Services | None = None) -> web.Application:
    """The application; pass running ``services`` to share them (tests, several apps)."""
    app = web.Application(client_max_size=MAX_BODY, middlewares=[error_middleware])
    app[SETTINGS] = settings
    if services is not None:
        app[SERVICES] = services
    app.cleanup_ctx.append(redis_context)
    app.cleanup_ctx.append(services_context)
    app.cleanup_ctx.append(content_watch_context)
    setup_routes(app)
    return app
