"""Start and stop the servers the HTTP benchmarks measure, as real processes on loopback.

Shared by benchmarks/http_load.py and benchmarks/startup_memory.py; not a benchmark itself.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE_APP = Path(__file__).resolve().parent / "bare_app.py"


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(database_url: str, redis_url: str | None = None) -> dict[str, str]:
    """The server's environment: our settings only, logs kept quiet (they cost time too)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENJIAO_")}
    env.update(WENJIAO_DATABASE_URL=database_url, WENJIAO_FAQ_DIR=str(ROOT / "faq_data"),
               WENJIAO_LOG_LEVEL="WARNING", WENJIAO_RATE_LIMIT_PER_MINUTE="1000000")
    if redis_url:
        env["WENJIAO_REDIS_URL"] = redis_url
    return env


def wait_for(port: int, proc: subprocess.Popen[bytes], timeout: float = 180.0) -> float:
    """Seconds until ``GET /healthz`` answers (raises if the process dies first)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start in time")


@contextmanager
def running(argv: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``argv`` until the block ends, then stop it with SIGTERM (as an orchestrator does)."""
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def wenjiao(port: int, workers: int) -> list[str]:
    """``wenjiao serve`` on ``port`` with ``workers`` processes."""
    return [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", str(workers)]


def bare(port: int, workers: int) -> list[str]:
    """The ceiling: a bare aiohttp handler, served the same way (1 process, or gunicorn)."""
    if workers == 1:
        return [sys.executable, str(BARE_APP), str(port)]
    return [sys.executable, "-m", "gunicorn", "bare_app:make_app()",
            "--chdir", str(BARE_APP.parent),
            "--worker-class", "aiohttp.GunicornWebWorker", "--workers", str(workers),
            "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]


def peak_rss_mib(pid: int) -> float:
    """Peak resident memory of a process (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def children(pid: int) -> list[int]:
    """Direct child processes (gunicorn's workers)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []
