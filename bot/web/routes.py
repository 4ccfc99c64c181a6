"""The single table of every URL the server answers."""

from __future__ import annotations

from aiohttp import web

from bot.channels import webchat
from bot.web import health


def setup_routes(app: web.Application) -> None:
    """Register every route."""
    app.router.add_get("/", webchat.index)
    app.router.add_post("/api/ask", webchat.ask)
    app.router.add_get("/healthz", health.healthz)
    app.router.add_static("/static/", webchat.STATIC_DIR, name="static")
