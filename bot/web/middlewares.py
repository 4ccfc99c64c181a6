"""Error handling for every route: clear JSON errors for the API, never a traceback to a user."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_error(status: int, code: str, message: str) -> web.Response:
    """A JSON error body: ``{"error": {"code", "message"}}``."""
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn HTTP errors into JSON for API paths and any unexpected error into a plain 500."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if request.path.startswith(("/api/", "/admin/api/")) and exc.status >= 400:
            return json_error(exc.status, exc.reason.lower().replace(" ", "_"), exc.reason)
        raise
    except Exception:
        log.exception("unhandled error", extra={"path": request.path})
        if request.path.startswith(("/api/", "/admin/api/")):
            return json_error(500, "internal_error", "Internal error; please try again.")
        return web.Response(status=500, text="Internal error; please try again.")
