"""Run the server: one process with aiohttp's runner, or several behind gunicorn.

Why gunicorn for ``--workers N``: it is the process manager aiohttp's own deployment guide
documents (``aiohttp.GunicornWebWorker``), and it already does what a hand-made ``fork`` +
``SO_REUSEPORT`` loop would have to grow: it restarts a worker that dies or hangs (heartbeat
timeout), drains workers gracefully on SIGTERM, adds or removes one on SIGTTIN/SIGTTOU (how
``wenjiao restart-workers`` replaces them one by one, bot/restart.py), and hands each worker the
one listening socket, so the kernel spreads connections without a second load
balancer. Operators already know its flags and signals.

Before the workers start, this process prepares the database once (schema check or ``--migrate``,
then seeding): N workers racing to seed a fresh database would collide. Then it *replaces itself*
with gunicorn (``exec``), so gunicorn is the process a supervisor or container sees, and the
Prometheus multiprocess folder is in the environment before any worker imports the client.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from aiohttp import web

from bot import logs
from bot.settings import Settings
from intents import load_content
from services.content import seed_entries
from services.db import (
    create_engine_and_sessionmaker,
    ensure_schema,
    hold_until_commit,
)

log = logging.getLogger(__name__)

WORKER_CLASS = "aiohttp.GunicornWebWorker"
SHUTDOWN_SECONDS = 10.0  # a request under way this long at a stop is cut off
RUN_DIR_ENV = "_WENJIAO_RUN_DIR"  # set for gunicorn and its workers by exec_gunicorn, not a setting


async def prepare(settings: Settings, *, migrate: bool, seed: bool) -> None:
    """Check (or, with ``migrate``, upgrade) the schema; seed the content when asked."""
    engine, sessionmaker = create_engine_and_sessionmaker(settings.database_url)
    try:
        await ensure_schema(engine, migrate=migrate)
        if seed:
            content = load_content(settings.faq_dir)
            async with sessionmaker.begin() as session:
                await hold_until_commit(session, "seed")
                await seed_entries(session, list(content.entries))
    finally:
        await engine.dispose()


def run(settings: Settings, host: str, port: int, *, workers: int = 1,
        migrate: bool = False) -> None:
    """Serve until stopped.

    Before anything listens, a schema that is behind stops here: ``SchemaNotReady``
    (its message says what to run) goes up to the caller, which shows it as one line
    (``wenjiao serve``: bot/cli/errors.py), as it does a port that cannot be bound. The
    address to open is printed only once it is listening: by :func:`_serve` after the bind, or,
    with ``workers``, just before gunicorn takes over (``wenjiao serve`` has tried the port).
    """
    logs.configure(settings.log_level, settings.log_format)
    asyncio.run(prepare(settings, migrate=migrate, seed=workers > 1))
    if workers <= 1:
        from bot.app import create_app  # the server's imports are not needed before this

        asyncio.run(_serve(create_app(settings), host, port))
        return
    if settings.redis_url is None:
        log.warning("several workers without WENJIAO_REDIS_URL: each keeps its own conversations "
                    "and rate limits, so a reply to a clarification may reach another worker")
    _running(host, port)
    exec_gunicorn(host, port, workers, settings)


def _running(host: str, port: int) -> None:
    print(f"温教问答 is running: open http://{host}:{port}/ in a browser (Ctrl+C to stop)",
          flush=True)


def metrics_dir(port: int) -> Path:
    """A fresh folder for the workers' metric files (one per server port)."""
    path = Path(tempfile.gettempdir()) / f"wenjiao-metrics-{port}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def run_dir(settings: Settings, port: int) -> Path:
    """The folder of the server on ``port`` that other commands reach it through: gunicorn's
    control socket (``gunicorn.ctl``), its pid (``gunicorn.pid``) and ``ready/``, a file per
    worker that is serving."""
    return settings.data_dir / "run" / str(port)


def exec_gunicorn(host: str, port: int, workers: int, settings: Settings) -> None:
    """Replace this process with gunicorn running ``workers`` aiohttp workers.

    gunicorn's own logs take the workers' format from ``settings``, handed over as a JSON log
    config file, so the gunicorn config module reads no settings of its own.
    """
    folder = metrics_dir(port)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    run = run_dir(settings, port)
    shutil.rmtree(run / "ready", ignore_errors=True)
    (run / "ready").mkdir(parents=True)
    os.environ[RUN_DIR_ENV] = str(run)
    log_config = folder.parent / f"wenjiao-gunicorn-logs-{port}.json"
    log_config.write_text(json.dumps(logs.gunicorn_config(settings.log_level,
                                                          settings.log_format)))
    argv = [sys.executable, "-m", "gunicorn", "bot.server:worker_app",
            "--config", "python:bot.gunicorn_conf", "--log-config-json", str(log_config),
            "--worker-class", WORKER_CLASS, "--workers", str(workers), "--bind", f"{host}:{port}",
            "--control-socket", str(run / "gunicorn.ctl"), "--pid", str(run / "gunicorn.pid")]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)


async def _serve(app: web.Application, host: str, port: int) -> None:
    """One process: serve until SIGINT or SIGTERM, then stop gracefully (requests under way
    finish, cleanup contexts run)."""
    from bot.web.quiet_server import QuietRunner

    runner = QuietRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await web.TCPSite(runner, host, port).start()
        bound = runner.addresses[0][1] if runner.addresses else port  # port 0: the one chosen
        _running(host, bound)
        await stop.wait()
    finally:
        await runner.cleanup()


async def worker_app() -> web.AppRunner:
    """The runner of one gunicorn worker (the worker awaits this after the fork), with the
    timings gunicorn would have given its own."""
    from bot import gunicorn_conf
    from bot.app import create_app
    from bot.web.quiet_server import QuietRunner

    settings = Settings()
    logs.configure(settings.log_level, settings.log_format)
    app = create_app(settings)
    marker = Path(os.environ[RUN_DIR_ENV], "ready", str(os.getpid()))

    async def ready(_app: web.Application) -> None:  # the last start-up step: it is loaded
        await asyncio.to_thread(marker.touch)

    async def leaving(_app: web.Application) -> None:
        await asyncio.to_thread(marker.unlink, missing_ok=True)

    app.on_startup.append(ready)
    app.on_shutdown.append(leaving)
    return QuietRunner(app, access_log=None,
                       keepalive_timeout=gunicorn_conf.keepalive,
                       shutdown_timeout=gunicorn_conf.graceful_timeout * 0.95)
