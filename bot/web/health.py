"""Liveness: the process answers and the content is loaded.

With Redis configured it also pings Redis: when Redis is down the bot still answers from
in-process state, so the status is ``degraded`` (with the reason) and still 200, not an error;
the ping is also what notices that Redis is back.
"""

from __future__ import annotations

from aiohttp import web

from bot.keys import REDIS, REDIS_GUARD, SERVICES


async def healthz(request: web.Request) -> web.Response:
    """``{"status": "ok" | "degraded", "content_version": N, "entries": N[, "reason"]}``."""
    snapshot = request.app[SERVICES].catalog.snapshot
    body: dict[str, object] = {"status": "ok", "content_version": snapshot.version,
                               "entries": len(snapshot.engine.entries)}
    if REDIS in request.app:
        guard = request.app[REDIS_GUARD]
        if not await guard.probe(request.app[REDIS]):
            body.update(status="degraded", reason=guard.reason)
    return web.json_response(body)
