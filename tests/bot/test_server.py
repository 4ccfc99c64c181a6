"""``wenjiao serve`` as operators run it: several gunicorn workers on one port, ``--migrate``,
and a clear refusal to start on a database whose schema is behind."""

from __future__ import annotations

import json
import shutil
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


def release_copy(folder: Path) -> Path:
    """The code as installed, copied where a test may change it (content symlinks followed)."""
    for package in ("bot", "services", "intents"):
        shutil.copytree(ROOT / package, folder / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{path}: the text to change is not there once"
    path.write_text(text.replace(old, new))


def test_restart_workers_brings_a_new_release_to_every_worker_with_no_request_lost(
        tmp_path: Path):
    """An upgrade as operators do it: the files change under a running ``serve --workers 2``,
    then ``wenjiao restart-workers``. Every worker then runs the new files (also the module
    gunicorn's master itself imported, the log format), two workers serve at every moment,
    and not one request of a steady stream fails."""
    release = release_copy(tmp_path / "release")
    port = closed_port()
    env = {**environment(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}",
                         WENJIAO_DATA_DIR=str(tmp_path / "data")),
           "PYTHONPATH": str(release), "PYTHONDONTWRITEBYTECODE": "1"}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port),
                                 "--workers", "2"], env=env, cwd=tmp_path, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        wait_until_up(port, proc)
        deadline = time.monotonic() + 30
        while len(children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        old = set(children(proc.pid))
        assert "release" not in json.loads(get(port, "/healthz"))

        edit(release / "bot" / "web" / "health.py", '{"status": "ok", ',
             '{"status": "ok", "release": 2, ')
        edit(release / "bot" / "log_format.py", '"level": record.levelname,',
             '"level": record.levelname, "release": 2,')

        failures: list[str] = []
        fewest = [len(old)]
        stop = False

        def traffic() -> int:
            sent = 0
            while not stop:
                try:
                    assert post(port, "三坛教师评了多少名")["kind"] == "answer"
                except (OSError, AssertionError) as exc:
                    failures.append(repr(exc))
                sent += 1
                fewest[0] = min(fewest[0], len(children(proc.pid)))
            return sent

        with ThreadPoolExecutor(4) as pool:
            streams = [pool.submit(traffic) for _ in range(4)]
            time.sleep(1)
            restart = subprocess.run([sys.executable, "-m", "bot", "restart-workers", "--port",
                                      str(port)], env=env, cwd=tmp_path, capture_output=True,
                                     text=True, timeout=300, check=False)
            time.sleep(1)
            stop = True
            sent = sum(s.result() for s in streams)
        assert restart.returncode == 0, restart.stderr
        assert "2 workers replaced" in restart.stdout
        assert failures == [] and sent > 50
        assert fewest[0] >= 2  # one more worker first, then one old one less, twice

        new = set(children(proc.pid))
        assert len(new) == 2 and not new & old
        with ThreadPoolExecutor(8) as pool:
            bodies = list(pool.map(lambda _: json.loads(get(port, "/healthz")), range(16)))
        assert all(b.get("release") == 2 for b in bodies)
        post(port, "三坛教师评了多少名")
        lines = [json.loads(line) for line in log.read_text().splitlines()
                 if line.startswith("{")]
        by_new = [x for x in lines if x.get("pid") in new and x.get("msg") == "request"]
        assert by_new and all(x.get("release") == 2 for x in by_new)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_restart_workers_without_a_multi_worker_server_says_so(tmp_path: Path):
    env = environment(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}",
                      WENJIAO_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-m", "bot", "restart-workers", "--port", "8099"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 1
    assert "no server with several workers runs on port 8099" in done.stderr
    assert "Traceback" not in done.stderr
