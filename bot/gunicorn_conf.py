"""gunicorn's settings for ``wenjiao serve --workers N`` (loaded as ``python:bot.gunicorn_conf``).

Only what differs from gunicorn's defaults: no access log, a short graceful timeout, and the
Prometheus bookkeeping of the multiprocess mode (a dead worker's live gauges are dropped). The
log format comes with ``--log-config-json`` from ``bot.server.exec_gunicorn``; this module reads
no settings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from prometheus_client import multiprocess

graceful_timeout = 10
keepalive = 2  # gunicorn's default, given to the worker's runner (bot.server.worker_app)
accesslog = None  # the request middleware logs each request, without addresses or query strings


OURS = ("bot", "services", "intents")


def post_fork(_server: Any, _worker: Any) -> None:
    """In a new worker: forget the modules of ours that the master had imported (this one and
    ``bot.log_format``), so the worker loads every module of wenjiao from the files on disk, as
    they are after an upgrade (``wenjiao restart-workers``)."""
    for name in [n for n in sys.modules if n.split(".", 1)[0] in OURS]:
        del sys.modules[name]


def child_exit(_server: Any, worker: Any) -> None:
    """Forget the metrics a worker kept only while it was alive, and its "serving" file (a
    worker that was killed could not remove it)."""
    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
    run = os.environ.get("_WENJIAO_RUN_DIR")  # bot.server.RUN_DIR_ENV (not imported: see above)
    if run:
        Path(run, "ready", str(worker.pid)).unlink(missing_ok=True)
