"""Error handling for every route, in one table: each kind of error, how it reads as JSON (the
API paths) and as a page (the browser), so every route reports the same error the same way and
never shows a traceback.

The table is read top to bottom and the first row whose type matches is used (Starlette keeps
the same one table of exception handlers):

| error | JSON (``/api/``, ``/admin/api/``, ``?format=json``) | page |
|---|---|---|
| ``services.errors.AdminError`` | ``{"error": {code, message, fields / current_version}}`` with its status | the admin's error page |
| ``aiohttp.web.HTTPException`` (4xx, 5xx) | ``{"error": {code, message}}`` | aiohttp's own (redirects pass) |
| ``aiohttp.web.RequestPayloadError`` (a body that cannot be read: bad gzip, cut short) | 400 ``unreadable_body`` | a plain 400 page |
| anything else | 500 ``internal_error``, logged with its traceback | a plain 500 page |
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from aiohttp import web

from services.errors import AdminError, AuthFailed, Conflict, Invalid, TooManyAttempts

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Render = Callable[[web.Request, Exception], web.StreamResponse]
API_PREFIXES = ("/api/", "/admin/api/")
_STATUSES = frozenset(s.value for s in HTTPStatus)


def status_code(status: int, fallback: str = "error") -> str:
    """The machine code of an HTTP status (``bad_request``), from the status, not a reason that
    may be a custom sentence; ``fallback`` names a status outside the standard list."""
    phrase = HTTPStatus(status).phrase if status in _STATUSES else fallback
    return phrase.lower().replace(" ", "_").replace("-", "_")


def json_error(status: int, code: str, message: str) -> web.Response:
    """A JSON error body: ``{"error": {"code", "message"}}``."""
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


def api_error(exc: AdminError) -> web.Response:
    """The JSON form of an admin error, with what a client needs to act on it."""
    body: dict[str, object] = {"code": exc.code, "message": exc.message}
    if isinstance(exc, Invalid):
        body["fields"] = [{"field": f, "message": m} for f, m in exc.problems]
    elif isinstance(exc, Conflict) and exc.current is not None:
        body["current_version"] = exc.current
    response = web.json_response({"error": body}, status=exc.status)
    if isinstance(exc, AuthFailed):
        response.headers["WWW-Authenticate"] = "Bearer"
    elif isinstance(exc, TooManyAttempts):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def wants_json(request: web.Request) -> bool:
    """Whether the caller reads JSON (an API path, or a page asked for ``format=json``)."""
    return request.path.startswith(API_PREFIXES) or request.query.get("format") == "json"


def _admin_json(_request: web.Request, exc: Exception) -> web.StreamResponse:
    assert isinstance(exc, AdminError)
    return api_error(exc)


def _admin_page(request: web.Request, exc: Exception) -> web.StreamResponse:
    assert isinstance(exc, AdminError)
    from bot.web.admin_render import render  # the admin's templates, only when one is shown

    return render(request, "error.html", status=exc.status, message=exc.message, code=exc.status)


def _http_json(_request: web.Request, exc: Exception) -> web.StreamResponse:
    assert isinstance(exc, web.HTTPException)
    if exc.status < 400:
        raise exc
    return json_error(exc.status, status_code(exc.status, exc.reason), exc.reason)


def _http_page(_request: web.Request, exc: Exception) -> web.StreamResponse:
    raise exc  # aiohttp renders its HTTP exceptions (and follows redirects) itself


def _payload_json(_request: web.Request, _exc: Exception) -> web.StreamResponse:
    return _closing(json_error(400, "unreadable_body", "The request body could not be read "
                               "(is its Content-Encoding right?)."))


def _payload_page(_request: web.Request, _exc: Exception) -> web.StreamResponse:
    return _closing(web.Response(status=400, text="The request body could not be read."))


def _closing(response: web.Response) -> web.Response:
    """Close the connection after an unreadable body: the rest of it cannot be skipped, so the
    next request on the connection could not be told from it (a client reusing it saw a reset)."""
    response.force_close()
    return response


def _internal_json(request: web.Request, exc: Exception) -> web.StreamResponse:
    log.error("unhandled error", extra={"path": request.path}, exc_info=exc)
    return json_error(500, "internal_error", "Internal error; please try again.")


def _internal_page(request: web.Request, exc: Exception) -> web.StreamResponse:
    log.error("unhandled error", extra={"path": request.path}, exc_info=exc)
    return web.Response(status=500, text="Internal error; please try again.")


ERRORS: tuple[tuple[type[Exception], Render, Render], ...] = (
    (AdminError, _admin_json, _admin_page),
    (web.HTTPException, _http_json, _http_page),
    (web.RequestPayloadError, _payload_json, _payload_page),
    (Exception, _internal_json, _internal_page),
)


def error_response(request: web.Request, exc: Exception) -> web.StreamResponse:
    """The response for ``exc`` from the first matching row of :data:`ERRORS`."""
    for kind, as_json, as_page in ERRORS:
        if isinstance(exc, kind):
            return (as_json if wants_json(request) else as_page)(request, exc)
    raise exc  # not reached: the last row matches every Exception


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer every error through :data:`ERRORS`."""
    try:
        return await handler(request)
    except Exception as exc:
        return error_response(request, exc)
