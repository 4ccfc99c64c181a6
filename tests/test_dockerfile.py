"""The Dockerfile read as Docker would run it (there is no Docker engine on the development
machines; tests/test_packaging.py replays its install steps in a virtualenv): a base pinned by
digest, the dependencies in their own layer before the code, the code root-owned and only var/
writable by the runtime user."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def lines() -> list[str]:
    """The Dockerfile's instructions, one per item, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n", " ", text)
    return [line.strip() for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def stages(lines: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    for line in lines:
        if line.startswith("FROM "):
            out.append([])
        if out:
            out[-1].append(line)
    return out


def test_the_base_image_is_pinned_by_digest(lines):
    (arg,) = [line for line in lines if line.startswith("ARG PYTHON_IMAGE=")]
    assert re.fullmatch(r"ARG PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}",
                        arg)
    assert all(line.split()[1] == "${PYTHON_IMAGE}" for line in lines if line.startswith("FROM"))


def test_dependencies_are_installed_from_the_lock_before_the_code_arrives(lines):
    runtime = stages(lines)[-1]
    copies = [i for i, line in enumerate(runtime) if line.startswith("COPY")]
    lock = next(i for i in copies if "requirements.lock" in runtime[i])
    code = next(i for i in copies if "--from=wheel" in runtime[i])
    installs = [i for i, line in enumerate(runtime) if "pip install" in line]
    assert lock < installs[0] < code < installs[-1]
    assert "-r /tmp/requirements.lock" in runtime[installs[0]]
    assert "--no-deps" in runtime[installs[-1]] and "pip check" in runtime[installs[-1]]
    assert not any(line.startswith("COPY . ") for line in runtime), "source copied into runtime"
    assert not any("--editable" in line or " -e " in line for line in lines)


def test_code_is_root_owned_and_only_var_is_writable(lines):
    runtime = stages(lines)[-1]
    assert not any("--chown" in line for line in runtime if line.startswith("COPY"))
    assert not any("chown" in line for line in runtime if line.startswith("RUN"))
    assert any("install -d -o wenjiao -g wenjiao" in line and line.rstrip().endswith(
        "/srv/wenjiao/var") for line in runtime)
    user = [line for line in runtime if line.startswith("USER ")]
    assert user == ["USER wenjiao"]
    assert runtime.index(user[0]) > max(i for i, line in enumerate(runtime)
                                        if line.startswith("RUN"))
    assert "WORKDIR /srv/wenjiao" in runtime  # var/ there holds the default database


def test_the_build_context_keeps_what_the_wheel_is_made_of():
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    for needed in ("faq_data", "migrations", "docs", "intents", "bot", "services",
                   "pyproject.toml", "requirements.lock", "README.md"):
        assert needed not in ignored, needed


def test_the_lock_pins_every_declared_dependency_at_its_declared_version():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    def canonical(name: str) -> str:  # PEP 503: prometheus_client == prometheus-client
        return re.sub(r"[-_.]+", "-", re.sub(r"\[.*\]", "", name)).lower()

    locked = {canonical(name): version for name, _, version in (
        line.partition("==") for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line and not line.startswith("#"))}
    for requirement in declared:
        name, _, version = requirement.partition("==")
        assert locked.get(canonical(name)) == version, requirement
