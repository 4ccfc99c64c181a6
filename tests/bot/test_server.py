"""``wenjiao serve`` as operators run it: several gunicorn workers on one port, ``--migrate``,
and a clear refusal to start on a database whose schema is behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests import databases
from tests.conftest import FAQ_DIR
from tests.tcp_proxy import closed_port

ROOT = Path(__file__).resolve().parents[2]


def environment(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENJIAO_")}
    return {**env, "WENJIAO_DATABASE_URL": database_url, "WENJIAO_FAQ_DIR": str(FAQ_DIR),
            "WENJIAO_LOG_FORMAT": "json", **extra}


def post(port: int, text: str) -> dict[str, object]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/ask",
                                     data=json.dumps({"text": text}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        return json.loads(resp.read())


def get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as resp:
        return resp.read().decode()


def wait_until_up(port: int, proc: subprocess.Popen[bytes], seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited during start-up"
        try:
            get(port, "/healthz")
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer in time")


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@contextmanager
def serving(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", *args], env=env, cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT)
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


def metric(text: str, name: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(name))


def check_two_workers_answer_as_one(port: int, proc: subprocess.Popen[bytes]) -> None:
    wait_until_up(port, proc)
    deadline = time.monotonic() + 30
    while len(children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(children(proc.pid)) == 2
    answers = 'wenjiao_messages_total{channel="web",kind="answer"}'
    before = metric(get(port, "/metrics"), answers)
    with ThreadPoolExecutor(8) as pool:  # concurrent connections: both workers take some
        kinds = list(pool.map(lambda _: post(port, "三坛教师评了多少名")["kind"], range(10)))
    assert kinds == ["answer"] * 10
    seen = {metric(get(port, "/metrics"), answers) - before for _ in range(6)}
    assert seen == {10}  # whichever worker answers /metrics, it adds up every worker


def test_two_workers_share_one_port_and_one_metrics_view(tmp_path: Path):
    port = closed_port()
    env = environment(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    log = tmp_path / "serve.log"
    with serving(["--port", str(port), "--workers", "2"], env, log) as proc:
        check_two_workers_answer_as_one(port, proc)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0, log.read_text()
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    requests = [x for x in lines if x.get("msg") == "request" and x.get("route") == "/api/ask"]
    assert len(requests) == 10 and all(x.get("request_id") for x in requests)
    assert "三坛" not in log.read_text()


@pytest.mark.postgres
def test_serve_refuses_an_unmigrated_database_then_migrate_starts_it(
        postgres_url: str, redis_url: str, tmp_path: Path):
    base = databases.postgres_base_url()
    assert base is not None
    empty = databases.run_sync(databases.empty_database(base, "serve"))
    try:
        refused = subprocess.run([sys.executable, "-m", "bot", "serve", "--port",
                                  str(closed_port())], env=environment(empty), cwd=ROOT,
                                 capture_output=True, text=True, timeout=120, check=False)
        assert refused.returncode != 0
        assert "never migrated" in refused.stderr and "wenjiao db upgrade" in refused.stderr
        assert "Traceback" not in refused.stderr

        port = closed_port()
        env = environment(empty, WENJIAO_REDIS_URL=redis_url)
        with serving(["--port", str(port), "--workers", "2", "--migrate"], env,
                     tmp_path / "serve.log") as proc:
            check_two_workers_answer_as_one(port, proc)
    finally:
        databases.run_sync(databases.drop_database(base, empty))
