"""Liveness (``/healthz``) and readiness (``/readyz``).

``/healthz``: the process answers and the content is loaded; it never touches the database, so a
database outage does not get a healthy process restarted. ``/readyz``: the database answers a
``SELECT 1`` within two seconds (else 503: a load balancer should send traffic elsewhere), and
Redis degradation is reported.

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


async def readyz(request: web.Request) -> web.Response:
    """``{"status": "ready" | "degraded" | "unavailable", "database": bool[, "redis"]}``; 503
    when the database does not answer."""
    body: dict[str, object] = {"status": "ready", "database": True}
    if not await request.app[SERVICES].database_ready():
        body.update(status="unavailable", database=False)
        return web.json_response(body, status=503)
    if REDIS in request.app:
        guard = request.app[REDIS_GUARD]
        healthy = await guard.probe(request.app[REDIS])
        body["redis"] = healthy
        if not healthy:
            body.update(status="degraded", reason=guard.reason)
    return web.json_response(body)
