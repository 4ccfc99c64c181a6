"""Structured logs: one JSON object per line, with the id of the request being served.

Log lines carry what happened, never what a user wrote: handlers log counts, ids and outcomes.
As a second line of defence the formatter passes every text it writes through
``services.dialogue.redact``, so a phone or ID number that slipped into a message or an exception
is masked before it reaches a log file.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from services.dialogue import redact

# The id of the HTTP request this task is serving (set by bot.web.observability's middleware).
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id",
                                                                         default=None)

# Attributes every LogRecord has; anything else came in through ``extra=``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message", "asctime", "taskName"}


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    return redact(str(value))


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "pid", "msg", "request_id"?, ...extra, "exc"?}``, one line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON line."""
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,  # which worker, under `serve --workers N`
            "msg": redact(record.getMessage()),
        }
        request_id = REQUEST_ID.get()
        if request_id:
            out["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in out:
                out[key] = _clean(value)
        if record.exc_info:
            out["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message`` for people at a terminal, redacted like the JSON lines."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        """The record as text, its message and traceback redacted."""
        return redact(super().format(record))


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


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
            "json": {"()": "bot.logs.JsonFormatter"},
            "text": {"()": "bot.logs.TextFormatter"},
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
