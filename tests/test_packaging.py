"""The wheel as a bureau's IT team uses it: built, installed in a fresh virtualenv, run from a
folder that is not the repository. It must carry the content, the migrations, the models and the
API description, and keep its database in the working folder, never inside site-packages.

Slow (a virtualenv and every dependency installed from the local package index, about a minute),
so the whole module shares one installation.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "温心有约是什么"


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
        check: bool = True) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("WENJIAO_", "PYTHON", "VIRTUAL_ENV"))}
    result = subprocess.run([str(a) for a in args], cwd=cwd, env={**clean, **(env or {})},
                            capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", out, ROOT, cwd=out)
    (built,) = out.glob("wenjiao-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv set up as the Dockerfile's runtime stage does: requirements.lock alone,
    then the wheel without resolving anything, then ``pip check``."""
    where = tmp_path_factory.mktemp("venv") / "v"
    pip = (where / "bin" / "python", "-m", "pip")
    run(sys.executable, "-m", "venv", where, cwd=where.parent)
    run(*pip, "install", "--quiet", "--no-deps", "-r", ROOT / "requirements.lock",
        cwd=where.parent)
    run(*pip, "install", "--quiet", "--no-deps", wheel, cwd=where.parent)
    run(*pip, "check", cwd=where.parent)
    return where


def test_the_lock_is_exactly_what_installing_the_wheel_needs(venv: Path, wheel: Path):
    """`pip install wenjiao-*.whl` on top of the lock installs nothing more (the lock is whole),
    and the lock holds nothing the wheel does not need (`make lock` rewrites it)."""
    pip = (venv / "bin" / "python", "-m", "pip")
    again = run(*pip, "install", wheel, cwd=venv.parent).stdout
    assert "Successfully installed" not in again, again
    frozen = run(*pip, "freeze", "--exclude", "wenjiao", cwd=venv.parent).stdout.split()
    locked = [line for line in (ROOT / "requirements.lock").read_text().splitlines()
              if line and not line.startswith("#")]
    assert sorted(frozen, key=str.lower) == sorted(locked, key=str.lower)


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working folder with nothing of the repository in it."""
    folder = tmp_path / "somewhere"
    folder.mkdir()
    return folder


def test_the_wheel_carries_what_the_bot_reads_and_not_the_corpora(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped_content = {n.removeprefix("bot/content/") for n in names if n.startswith("bot/content/")}
    assert shipped_content == {p.name for p in (ROOT / "faq_data").glob("*.yaml")}
    migrations = {n.removeprefix("services/db/migrations/") for n in names
                  if n.startswith("services/db/migrations/")}
    assert {"env.py", "script.py.mako"} <= migrations
    assert {f"versions/{p.name}" for p in (ROOT / "migrations" / "versions").glob("*.py")} \
        <= migrations
    assert {"bot/web/openapi.yaml", "intents/data/crisis_model.json",
            "intents/data/message_model.json", "bot/web/static/chat.js"} <= names
    assert not any(n.endswith((".jsonl", ".db")) or "__pycache__" in n for n in names)


def test_an_installed_wheel_answers_from_any_folder(venv: Path, elsewhere: Path):
    wenjiao = venv / "bin" / "wenjiao"
    assert run(wenjiao, "--version", cwd=elsewhere).stdout.strip() == "wenjiao 0.1.0"
    answer = run(wenjiao, "ask", QUESTION, cwd=elsewhere).stdout
    assert "温心有约" in answer and "心理" in answer
    assert (elsewhere / "var" / "wenjiao.db").is_file()  # the working folder's var/
    site = run(venv / "bin" / "python", "-c", "import bot, pathlib; "
               "print(pathlib.Path(bot.__file__).parent.parent)", cwd=elsewhere).stdout.strip()
    assert not list(Path(site).rglob("*.db")), "a database inside site-packages"


def test_an_installed_wheel_migrates_a_database_in_the_data_dir(venv: Path, elsewhere: Path):
    wenjiao = venv / "bin" / "wenjiao"
    env = {"WENJIAO_DATA_DIR": str(elsewhere / "data")}
    assert run(wenjiao, "db", "current", cwd=elsewhere, env=env, check=False).returncode == 1
    run(wenjiao, "db", "upgrade", cwd=elsewhere, env=env)
    current = run(wenjiao, "db", "current", "--json", cwd=elsewhere, env=env).stdout
    assert '"up_to_date": true' in current
    assert (elsewhere / "data" / "wenjiao.db").is_file() and not (elsewhere / "var").exists()


def test_an_installed_wheel_serves_its_api_description(venv: Path, elsewhere: Path):
    with socket.socket() as probe:  # a free port for the server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENJIAO_")}
    with subprocess.Popen([str(venv / "bin" / "wenjiao"), "serve", "--port", str(port)],
                          cwd=elsewhere, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE) as server:
        body = _fetch_when_up(server, f"http://127.0.0.1:{port}/api/openapi.yaml")
    document = yaml.safe_load(body)
    assert document["openapi"].startswith("3.1") and "/api/ask" in document["paths"]


def _fetch_when_up(server: subprocess.Popen[bytes], url: str) -> str:
    """The body at ``url`` once the server answers; the server is stopped either way."""
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    return str(response.read().decode("utf-8"))
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-3000:]
                assert time.monotonic() < deadline, "the server did not answer in 120 s"
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
