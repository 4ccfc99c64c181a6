"""Liveness: the process answers and the content is loaded."""

from __future__ import annotations

from aiohttp import web

from bot.keys import SERVICES


async def healthz(request: web.Request) -> web.Response:
    """``{"status": "ok", "content_version": N, "entries": N}``."""
    snapshot = request.app[SERVICES].catalog.snapshot
    return web.json_response({"status": "ok", "content_version": snapshot.version,
                              "entries": len(snapshot.engine.entries)})
