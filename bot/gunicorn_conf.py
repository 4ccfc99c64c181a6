"""gunicorn's settings for ``wenjiao serve --workers N`` (loaded as ``python:bot.gunicorn_conf``).

Only what differs from gunicorn's defaults: no access log, a short graceful timeout, and the
Prometheus bookkeeping of the multiprocess mode (a dead worker's live gauges are dropped). The
log format comes with ``--log-config-json`` from ``bot.server.exec_gunicorn``; this module reads
no settings.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import multiprocess

graceful_timeout = 10
keepalive = 2  # gunicorn's default, given to the worker's runner (bot.server.worker_app)
accesslog = None  # the request middleware logs each request, without addresses or query strings


def child_exit(_server: Any, worker: Any) -> None:
    """Forget the metrics a worker kept only while it was alive."""
    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
