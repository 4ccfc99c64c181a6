"""Request ids, one log line and one metric per request, and ``GET /metrics``.

The request id comes from the reverse proxy's ``X-Request-ID`` header when it sends a sane one,
otherwise it is made here; it is echoed in the response and attached to every log line written
while the request is served, so one user's complaint can be followed through the logs without
the logs holding anything the user wrote. Paths are logged as route templates, never with their
query string (WeChat sends the user's openid there).
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from aiohttp import web

from bot.keys import SETTINGS
from bot.logs import REQUEST_ID
from bot.web.middlewares import Handler
from services.platform import telemetry

log = logging.getLogger("wenjiao.http")

HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_QUIET_ROUTES = frozenset({"/healthz", "/metrics"})  # polled every few seconds: debug level


def _route(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give the request an id, then log and count it when it is done."""
    given = request.headers.get(HEADER, "")
    request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
    token = REQUEST_ID.set(request_id)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        if not response.prepared:
            response.headers[HEADER] = request_id
        return response
    except web.HTTPException as exc:
        status = exc.status
        exc.headers[HEADER] = request_id
        raise
    finally:
        route = _route(request)
        telemetry.HTTP_REQUESTS.labels(route=route, status=str(status)).inc()
        if status >= 500:
            telemetry.error("http")
        level = logging.DEBUG if route in _QUIET_ROUTES and status < 400 else logging.INFO
        log.log(level, "request", extra={
            "method": request.method, "route": route, "status": status,
            "ms": round((time.perf_counter() - started) * 1000, 2)})
        REQUEST_ID.reset(token)


async def metrics(request: web.Request) -> web.Response:
    """Every metric in the Prometheus text format (summed over workers)."""
    body, content_type = telemetry.exposition(request.app[SETTINGS].prometheus_multiproc_dir)
    response = web.Response(body=body)
    response.headers["Content-Type"] = content_type
    return response
