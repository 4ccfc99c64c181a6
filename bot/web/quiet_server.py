"""aiohttp's HTTP server, minus what it tells strangers.

Two things aiohttp does on its own, below every middleware:
- a request it cannot parse (a bad request line, a bad header, a NUL in the path) gets a text/plain
  400 page that quotes the raw request back, and a log line with the parser's message, which
  carries that raw text too (a query string can hold a WeChat openid);
- every response says ``Server: Python/3.11 aiohttp/3.x``, the exact versions to look up.

:class:`QuietRunner` is an ``AppRunner`` whose connections answer unparsable requests with the
project's JSON error (``{"error": {"code", "message"}}``, no echo) and log only the status and
the error's type; :func:`hide_server_header` names the server without a version. Both the
single-process ``wenjiao serve`` and each gunicorn worker (``bot.server.worker_app``) use them.

The runner builds its server from the one ``AppRunner`` made (the app's handler, request factory
and options), so only the connection class differs; aiohttp is pinned, and
``tests/bot/test_quiet_server.py`` sends real malformed bytes to a real socket.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from bot.web.middlewares import json_error, status_code

log = logging.getLogger(__name__)

SERVER_NAME = "wenjiao"


class QuietRequestHandler(RequestHandler):
    """A connection whose low-level errors read like every other error of the project."""

    def handle_error(self, request: BaseRequest, status: int = 500,
                     exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        """A JSON error without the request quoted; the log line names the status and the type
        of error only."""
        log.warning("unreadable request", extra={
            "status": status, "error": type(exc).__name__ if exc else ""})
        if request.writer.output_size > 0:  # a response is under way: the connection is broken
            raise ConnectionError("a response was already being sent")
        response = json_error(status, status_code(status),
                              "The request could not be read." if status < 500
                              else "Internal error; please try again.")
        response.headers["Server"] = SERVER_NAME
        response.force_close()
        return response


class QuietServer(web.Server):
    """The app's server, with :class:`QuietRequestHandler` connections."""

    def __call__(self) -> RequestHandler:
        """A new connection's handler (what aiohttp's server makes, with our error page)."""
        return QuietRequestHandler(self, loop=self._loop, **self._kwargs)


class QuietRunner(web.AppRunner):
    """An ``AppRunner`` serving through :class:`QuietServer`."""

    async def _make_server(self) -> web.Server:
        made = await super()._make_server()
        kwargs: dict[str, Any] = dict(made._kwargs)
        return QuietServer(made.request_handler, request_factory=made.request_factory,
                           handler_cancellation=made.handler_cancellation, loop=made._loop,
                           **kwargs)


async def hide_server_header(_request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: name the server, not its versions."""
    response.headers["Server"] = SERVER_NAME

