"""gunicorn's settings for ``wenjiao serve --workers N`` (loaded as ``python:bot.gunicorn_conf``).

Only what differs from gunicorn's defaults: logs in the same format as the workers' own, and the
Prometheus bookkeeping of the multiprocess mode (a dead worker's live gauges are dropped).
"""

from __future__ import annotations

from typing import Any

from prometheus_client import multiprocess

from bot.settings import Settings

_settings = Settings()

graceful_timeout = 10
accesslog = None  # the request middleware logs each request, without addresses or query strings

logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "bot.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                   "formatter": _settings.log_format},
    },
    "root": {"level": _settings.log_level.upper(), "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
    },
}


def child_exit(_server: Any, worker: Any) -> None:
    """Forget the metrics a worker kept only while it was alive."""
    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
