"""The deployment files, checked without Docker (the development machines have no engine):
docker-compose.yml's services, ports, environment and health checks, the Dockerfile, nginx."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
LONG_RUNNING = ("postgres", "redis", "bot", "proxy")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def bot_port(service: dict[str, Any]) -> int:
    command = service["command"]
    return int(command[command.index("--port") + 1])


def test_the_deployment_has_its_parts(services):
    assert set(services) == {"postgres", "redis", "migrate", "bot", "proxy"}


def test_every_long_running_service_has_a_health_check_and_restarts(services):
    for name in LONG_RUNNING:
        check = services[name]["healthcheck"]["test"]
        assert check[0] in ("CMD", "CMD-SHELL") and len(check) > 1, name
        assert services[name]["restart"] == "unless-stopped", name
    assert "/readyz" in " ".join(services["bot"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"][-1] == "ping"


def test_bots_start_after_healthy_stores_and_a_finished_migration(services):
    bot = services["bot"]["depends_on"]
    assert bot["postgres"]["condition"] == "service_healthy"
    assert bot["redis"]["condition"] == "service_healthy"
    assert bot["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["wenjiao", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    assert services["proxy"]["depends_on"]["bot"]["condition"] == "service_healthy"


def test_bots_use_postgres_and_redis_by_service_name_and_read_the_env_file(services):
    for name in ("bot", "migrate"):
        env = services[name]["environment"]
        assert services[name]["env_file"] == ".env"
        assert re.fullmatch(r"postgresql\+asyncpg://wenjiao:\$\{POSTGRES_PASSWORD[^}]*\}"
                            r"@postgres:5432/wenjiao", env["WENJIAO_DATABASE_URL"])
        assert env["WENJIAO_REDIS_URL"] == "redis://redis:6379/0"
    postgres = services["postgres"]["environment"]
    assert postgres["POSTGRES_USER"] == "wenjiao" and postgres["POSTGRES_DB"] == "wenjiao"
    assert postgres["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_every_wenjiao_variable_in_the_deployment_is_a_setting(services):
    fields = {f"WENJIAO_{name.upper()}" for name in Settings.model_fields}
    used = {key for s in services.values() for key in (s.get("environment") or {})
            if key.startswith("WENJIAO_")}
    assert used and used <= fields
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "POSTGRES_PASSWORD=" in example


def test_only_the_proxy_is_published_and_it_reaches_the_bots_port(services):
    assert services["proxy"]["ports"] == ["80:80"]
    assert all("ports" not in services[n] for n in ("postgres", "redis", "bot", "migrate"))
    port = bot_port(services["bot"])
    assert services["bot"]["command"][:2] == ["wenjiao", "serve"]
    assert "--workers" in services["bot"]["command"]
    assert services["bot"]["expose"] == [str(port)]
    mount = services["proxy"]["volumes"][0]
    source, target, mode = mount.split(":")
    assert (ROOT / source).is_file() and target == "/etc/nginx/nginx.conf" and mode == "ro"
    nginx = (ROOT / source).read_text(encoding="utf-8")
    assert f"server bot:{port};" in nginx
    assert "proxy_set_header X-Request-ID $request_id;" in nginx
    [log_format] = [line for line in nginx.splitlines() if "log_format" in line]
    assert "$remote_addr" not in log_format and "$request_uri" not in nginx  # no IPs, no openids
    assert re.search(r"location = /metrics \{[^}]*deny all;", nginx)


def test_the_bots_see_each_client_behind_the_proxy(compose, services):
    """nginx sends the client's address (one hop, a client's own header overwritten) and the
    scheme; the bots believe them from the private network only."""
    nginx = (ROOT / services["proxy"]["volumes"][0].split(":")[0]).read_text(encoding="utf-8")
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" not in nginx
    trusted = services["bot"]["environment"]["WENJIAO_TRUSTED_PROXIES"]
    assert "172.16.0.0/12" in trusted


def test_data_lives_in_named_volumes(compose, services):
    assert set(compose["volumes"]) == {"pgdata", "redisdata"}
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "redisdata:/data" in services["redis"]["volumes"]


def test_images_are_pinned(services):
    for name in LONG_RUNNING:
        image = services[name].get("image")
        if name == "bot":
            assert services["migrate"]["build"] == "." and image == services["migrate"]["image"]
            continue
        assert re.fullmatch(r"[a-z]+:\d+(\.\d+)+-[a-z]+", image), image


def test_the_dockerfile_is_slim_pinned_non_root_and_serves_the_same_port(services):
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    base = re.search(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert base is not None and re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", base.group(1))
    user = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert user and user[-1] not in ("root", "0")
    port = bot_port(services["bot"])
    assert f"EXPOSE {port}" in dockerfile and "HEALTHCHECK" in dockerfile
    assert '"wenjiao", "serve"' in dockerfile
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", ".env", "var"} <= set(ignored)
