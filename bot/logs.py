"""Structured logs: one JSON object per line, with the id of the request being served.

Log lines carry what happened, never what a user wrote: handlers log counts, ids and outcomes.
As a second line of defence the formatter passes every text it writes through
``services.dialogue.redact``, so a phone or ID number that slipped into a message or an exception
is masked before it reaches a log file.
"""

from __future__ import annotations

import contextvars
import logging
import sys
from typing import Any

from bot.log_format import JsonLines, TextLines
from services.dialogue import redact

# The id of the HTTP request this task is serving (set by bot.web.observability's middleware).
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id",
                                                                         default=None)


class JsonFormatter(JsonLines):
    """One JSON line per record, every text redacted, with the id of the request served."""

    def clean(self, text: str) -> str:
        """The text with phone, ID and card numbers masked."""
        return redact(text)

    def context(self) -> dict[str, Any]:
        """``request_id`` while a request is served."""
        request_id = REQUEST_ID.get()
        return {"request_id": request_id} if request_id else {}


class TextFormatter(TextLines):
    """``time LEVEL logger: message`` for people at a terminal, redacted like the JSON lines."""

    def clean(self, text: str) -> str:
        """The text with phone, ID and card numbers masked."""
        return redact(text)


def configure(level: str = "INFO", fmt: str = "json") -> None:
    """Send every log line to standard error, as JSON (``fmt="json"``) or as plain text."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    # aiohttp's access log writes client addresses and query strings (WeChat puts the user's
    # openid there); the request middleware logs method, route, status and time instead.
    logging.getLogger("aiohttp.access").disabled = True
    logging.getLogger("alembic").setLevel(logging.WARNING)  # "Context impl ..." at each start
    # httpx logs every request's URL at INFO: the Bot API's holds the token, an alert webhook's
    # often a key of its own.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def gunicorn_config(level: str = "INFO", fmt: str = "json") -> dict[str, Any]:
    """gunicorn's own log configuration (``logging.config.dictConfig``), in the workers' format."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            # The master's lines hold no user text; see bot.log_format for why not bot.logs.
            "json": {"()": "bot.log_format.JsonLines"},
            "text": {"()": "bot.log_format.TextLines"},
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                       "formatter": fmt},
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
            "httpx": {"level": "WARNING", "handlers": [], "propagate": True},  # URLs hold tokens
        },
    }
