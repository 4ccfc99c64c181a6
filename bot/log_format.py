"""The two log line formats, JSON lines and text, with nothing but the standard library.

Why a module of its own: gunicorn's master process formats its own lines (``Booting worker``,
``Worker exiting``) with these classes, and a worker is a fork of the master, so it starts with
every module the master imported already in ``sys.modules``. Had the master imported wenjiao's
code, a worker started after an upgrade (``wenjiao restart-workers``) would run those old modules
next to the new files on disk. This module is what the master imports of ours, and the workers
drop it again after the fork (``bot.gunicorn_conf.post_fork``). The workers' formatters
(``bot.logs``) are these with redaction added.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has; anything else came in through ``extra=``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message", "asctime", "taskName"}

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonLines(logging.Formatter):
    """``{"ts", "level", "logger", "pid", "msg", ...context, ...extra, "exc"?}``, one line.

    Subclasses pass every text through :meth:`clean` and add fields in :meth:`context`."""

    def clean(self, text: str) -> str:
        """A text as it may be written (here: unchanged)."""
        return text

    def context(self) -> dict[str, Any]:
        """Fields of the task being served (here: none)."""
        return {}

    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.clean(value)
        if isinstance(value, int | float | bool) or value is None:
            return value
        if isinstance(value, list | tuple):
            return [self._value(v) for v in value]
        if isinstance(value, dict):
            return {str(k): self._value(v) for k, v in value.items()}
        return self.clean(str(value))

    def format(self, record: logging.LogRecord) -> str:
        """The record as one JSON line."""
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,  # which worker, under `serve --workers N`
            "msg": self.clean(record.getMessage()),
        }
        out.update(self.context())
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in out:
                out[key] = self._value(value)
        if record.exc_info:
            out["exc"] = self.clean(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False, default=str)


class TextLines(logging.Formatter):
    """``time LEVEL logger: message`` for people at a terminal."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def clean(self, text: str) -> str:
        """A text as it may be written (here: unchanged)."""
        return text

    def format(self, record: logging.LogRecord) -> str:
        """The record as text, message and traceback through :meth:`clean`."""
        return self.clean(super().format(record))
