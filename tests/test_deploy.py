"""The deployment files, checked without Docker (the development machines have no engine):
docker-compose.yml's services, ports, environment and health checks, its validity against the
Compose schema, every container's log rotation and resource limits, the Dockerfile, nginx, and
the `backup` service's script (deploy/pg-backup.sh), run for real against PostgreSQL with the
restore that docs/operations.md documents."""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema.validators import validator_for
from sqlalchemy.engine import make_url

from bot.settings import Settings
from tests import databases

ROOT = Path(__file__).resolve().parent.parent
LONG_RUNNING = ("postgres", "redis", "bot", "proxy", "backup")
# The Compose file schema, vendored from compose-spec/compose-go (source, licence: data/README.md).
COMPOSE_SCHEMA = Path(__file__).resolve().parent / "data" / "compose-spec.json"
BACKUP_SCRIPT = ROOT / "deploy" / "pg-backup.sh"
DUMP_NAME = re.compile(r"wenjiao-\d{8}T\d{6}Z\.dump")  # a scheduled dump: its UTC start time
WORKER_MB = 400  # measured RSS of one gunicorn worker


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
    assert set(services) == {"postgres", "redis", "migrate", "bot", "proxy", "backup"}


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
    assert all("ports" not in services[n]
               for n in ("postgres", "redis", "bot", "migrate", "backup"))
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
    assert set(compose["volumes"]) == {"pgdata", "redisdata", "pgbackups"}
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
    bases = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert bases
    for base in bases:  # a literal image, or ${ARG} with the image as the ARG's default
        arg = re.fullmatch(r"\$\{(\w+)\}", base)
        default = arg and re.search(rf"^ARG {arg.group(1)}=(\S+)", dockerfile, re.MULTILINE)
        image = default.group(1) if default else base
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", image)
    user = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert user and user[-1] not in ("root", "0")
    port = bot_port(services["bot"])
    assert f"EXPOSE {port}" in dockerfile and "HEALTHCHECK" in dockerfile
    assert '"wenjiao", "serve"' in dockerfile
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", ".env", "var"} <= set(ignored)


# -- the Compose schema, log rotation and resource limits ---------------------------------------

def megabytes(size: str | int) -> float:
    """A Compose byte size such as ``512m``, ``1g``, ``1280m``, ``10m`` or ``256mb``, in MB."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([bkmg]?)b?", str(size).strip().lower())
    assert match, f"not a byte size: {size!r}"
    factor = {"b": 1 / 2**20, "": 1 / 2**20, "k": 1 / 2**10, "m": 1, "g": 2**10}[match.group(2)]
    return float(match.group(1)) * factor


def test_the_compose_file_is_valid_for_docker_compose(compose):
    """What `docker compose config` would check first: the file against Compose's own schema,
    with the JSON Schema draft the schema names (a misspelt key is an error, not ignored)."""
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    validator_class = validator_for(schema, default=None)
    assert validator_class is not None, f"unknown draft {schema.get('$schema')!r}"
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(compose)]
    assert errors == []
    # The schema is strict where this file relies on it: a misspelt limit is rejected.
    misspelt = json.loads(json.dumps(compose))
    misspelt["services"]["bot"]["deploy"]["resources"]["limits"]["memroy"] = "1g"
    assert not validator.is_valid(misspelt)


def test_every_service_rotates_its_logs(compose, services):
    """Docker's default json-file log never shrinks: each container's is capped."""
    shared = compose["x-logging"]
    assert shared["driver"] == "json-file"
    size, files = megabytes(shared["options"]["max-size"]), int(shared["options"]["max-file"])
    assert 0 < size <= 100 and 2 <= files <= 10 and size * files <= 500
    for name, service in services.items():
        assert service.get("logging") == shared, f"{name} has no rotated logs"


def test_every_service_has_memory_and_cpu_limits(services):
    for name, service in services.items():
        limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
        assert megabytes(limits.get("memory", 0)) > 0, f"{name} has no memory limit"
        assert float(limits.get("cpus", 0)) > 0, f"{name} has no CPU limit"


def test_the_limits_leave_room_for_what_runs_inside(services):
    """A ceiling below the normal working set would have the kernel kill a healthy container."""
    def limit(name: str) -> dict[str, Any]:
        return services[name]["deploy"]["resources"]["limits"]

    bot = services["bot"]
    assert bot["deploy"]["replicas"] == 2
    command = bot["command"]
    workers = int(command[command.index("--workers") + 1])
    assert megabytes(limit("bot")["memory"]) >= workers * WORKER_MB * 1.2  # + master, headroom
    assert float(limit("bot")["cpus"]) >= workers
    redis = services["redis"]["command"]
    maxmemory = megabytes(redis[redis.index("--maxmemory") + 1])
    assert megabytes(limit("redis")["memory"]) >= 1.5 * maxmemory  # + the AOF rewrite's fork
    assert megabytes(limit("postgres")["memory"]) >= 512
    assert megabytes(limit("proxy")["memory"]) >= 64


# -- the backup service ------------------------------------------------------------------------

def test_the_backup_service_runs_the_script_with_the_servers_pg_dump(services):
    backup, postgres = services["backup"], services["postgres"]
    assert backup["image"] == postgres["image"]  # pg_dump of the server's major version
    assert backup["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert backup["restart"] == "unless-stopped"
    mounts = dict(m.rsplit(":", 1)[0].split(":", 1)[::-1] for m in backup["volumes"]
                  if m.count(":") == 2)  # target -> source of the read-only mounts
    script = backup["entrypoint"][-1]
    assert backup["entrypoint"][0] == "sh" and ROOT / mounts[script] == BACKUP_SCRIPT
    assert f"./deploy/pg-backup.sh:{script}:ro" in backup["volumes"]
    assert backup["healthcheck"]["test"] == ["CMD", "sh", script, "check"]
    env = backup["environment"]
    assert f"pgbackups:{env['BACKUP_DIR']}" in backup["volumes"]
    assert re.fullmatch(r"\$\{BACKUP_INTERVAL:-86400\}", env["BACKUP_INTERVAL"])
    assert env["PGHOST"] == "postgres"
    assert env["PGUSER"] == postgres["environment"]["POSTGRES_USER"]
    assert env["PGDATABASE"] == postgres["environment"]["POSTGRES_DB"]
    # The password comes from .env through libpq's variable, never on a command line.
    assert env["PGPASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    command_lines = json.dumps([backup.get("command"), backup["entrypoint"],
                                backup["healthcheck"]])
    assert "PASSWORD" not in command_lines


def backup_env(backup_dir: Path, **settings: str) -> dict[str, str]:
    """The environment the script runs in: this one without any PG*/BACKUP_* of the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "BACKUP_"))}
    env.update({"BACKUP_DIR": str(backup_dir), "PGCONNECT_TIMEOUT": "10", **settings})
    return env


def run_backup(backup_dir: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """deploy/pg-backup.sh ARGS, to the end, with BACKUP_DIR and the given settings."""
    return subprocess.run(["sh", str(BACKUP_SCRIPT), *args],
                          env=backup_env(backup_dir, **settings),
                          capture_output=True, text=True, timeout=120, check=False)


def no_server(tmp_path: Path) -> dict[str, str]:
    """Connection settings that fail at once: a socket folder with no server in it."""
    folder = tmp_path / "no-server"
    folder.mkdir(exist_ok=True)
    return {"PGHOST": str(folder), "PGUSER": "wenjiao", "PGDATABASE": "wenjiao"}


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_the_backup_script_is_executable_and_parses():
    assert os.access(BACKUP_SCRIPT, os.X_OK)
    subprocess.run(["sh", "-n", str(BACKUP_SCRIPT)], check=True, timeout=30)


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
def test_shellcheck_finds_no_warning_in_the_backup_script():
    out = subprocess.run(["shellcheck", "--shell=sh", "--severity=warning", str(BACKUP_SCRIPT)],
                         capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stdout


def test_the_health_check_fails_once_a_scheduled_dump_is_missed(tmp_path):
    dumps = tmp_path / "backups"
    dumps.mkdir()
    assert run_backup(dumps, "check", BACKUP_INTERVAL="60").returncode == 1  # none yet
    # Neither a half-written dump nor a manual one counts as the schedule's.
    (dumps / ".wenjiao-20261203T023000Z.dump.part").write_bytes(b"PGDMP")
    (dumps / "wenjiao-before-upgrade.dump").write_bytes(b"PGDMP")
    assert run_backup(dumps, "check", BACKUP_INTERVAL="60").returncode == 1
    older = dumps / "wenjiao-20261202T023000Z.dump"
    newest = dumps / "wenjiao-20261203T023000Z.dump"
    older.write_bytes(b"PGDMP")
    newest.write_bytes(b"PGDMP")
    age(older, 1000)
    healthy = run_backup(dumps, "check", BACKUP_INTERVAL="60")
    assert healthy.returncode == 0 and newest.name in healthy.stdout
    age(newest, 100)  # one interval missed: still fine
    assert run_backup(dumps, "check", BACKUP_INTERVAL="60").returncode == 0
    age(newest, 125)  # two: unhealthy, with the reason
    late = run_backup(dumps, "check", BACKUP_INTERVAL="60")
    assert late.returncode == 1 and "s old" in late.stderr


@pytest.mark.parametrize("setting", [{"BACKUP_KEEP": "0"}, {"BACKUP_INTERVAL": "1d"},
                                     {"BACKUP_RUNS": "-1"}])
def test_a_bad_setting_stops_the_script_with_the_reason(tmp_path, setting):
    settings = {**no_server(tmp_path), "BACKUP_RUNS": "1", **setting}
    out = run_backup(tmp_path / "backups", **settings)
    (name,) = setting
    assert out.returncode == 2 and name in out.stderr
    assert not (tmp_path / "backups").exists()  # stopped before doing anything


def test_a_failed_dump_keeps_the_earlier_ones_and_leaves_no_partial_file(tmp_path):
    dumps = tmp_path / "backups"
    dumps.mkdir()
    earlier = [dumps / f"wenjiao-2026120{day}T023000Z.dump" for day in (1, 2, 3)]
    for path in earlier:
        path.write_bytes(b"PGDMP")
    out = run_backup(dumps, **no_server(tmp_path), BACKUP_RUNS="1", BACKUP_KEEP="1")
    assert out.returncode == 1 and "pg_dump failed" in out.stderr
    assert sorted(dumps.iterdir()) == earlier  # nothing pruned, nothing half-written


def test_a_stop_ends_the_wait_at_once(tmp_path):
    """`docker compose stop` sends SIGTERM to the script, the container's PID 1, which ignores
    it unless it says otherwise; then Docker would kill it 10 s later."""
    dumps = tmp_path / "backups"
    log = tmp_path / "backup.log"
    with log.open("w") as err:
        process = subprocess.Popen(["sh", str(BACKUP_SCRIPT)], stdout=err, stderr=err,
                                   env=backup_env(dumps, **no_server(tmp_path),
                                                  BACKUP_INTERVAL="3600", BACKUP_RETRY="3600"))
    try:
        deadline = time.monotonic() + 30
        while "pg_dump failed" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)  # the first attempt fails; then it waits an hour to retry
        assert process.poll() is None, log.read_text()
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
        assert time.monotonic() - started < 2
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "pg-backup: stopped" in log.read_text()
    assert list(dumps.iterdir()) == []


# -- the backup and the documented restore, on a real PostgreSQL ----------------------------------

def compose_restore_notes() -> str:
    """The "Docker Compose" part of docs/operations.md's "Backup and restore"."""
    notes = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = notes.split("\n## Backup and restore\n", 1)[1].split("\n## ", 1)[0]
    return section.split("\n### Docker Compose\n", 1)[1].split("\n### ", 1)[0]


def documented_commands() -> list[str]:
    return [line.strip() for block in re.findall(r"^```sh\n(.*?)^```", compose_restore_notes(),
                                                 flags=re.M | re.S)
            for line in block.splitlines() if line.strip()]


def documented_restore() -> list[str]:
    """The documented pg_restore command line, from `pg_restore` on."""
    (line,) = [c for c in documented_commands() if " pg_restore " in c]
    tokens = shlex.split(line)
    return tokens[tokens.index("pg_restore"):]


def test_the_documented_restore_uses_this_deployment(services):
    commands = documented_commands()

    def where(prefix: str) -> int:
        found = [i for i, c in enumerate(commands) if c.startswith(prefix)]
        assert found, f"the notes do not say {prefix!r}"
        return found[0]

    assert where("docker compose exec backup ls") < where("docker compose stop bot") < where(
        "docker compose exec backup pg_restore") < where("docker compose run --rm migrate "
                                                          "wenjiao db current") < where(
        "docker compose start bot")
    assert where("docker compose cp backup:")
    restore = documented_restore()
    postgres, backup = services["postgres"]["environment"], services["backup"]["environment"]
    assert restore[restore.index("-d") + 1] == postgres["POSTGRES_DB"]
    assert f"--role={postgres['POSTGRES_USER']}" in restore
    dump = Path(restore[-1])
    assert str(dump.parent) == backup["BACKUP_DIR"] and DUMP_NAME.fullmatch(dump.name)
    assert {"--clean", "--if-exists", "--no-owner", "--single-transaction"} <= set(restore)


@pytest.fixture
def scratch() -> Iterator[dict[str, str]]:
    """Two new databases, `wenjiao_backup_*` to dump and `wenjiao_restore_*` to restore into,
    owned by a new role as production's is by `wenjiao`; all dropped afterwards."""
    base = databases.postgres_base_url()
    if base is None:
        pytest.skip(databases.NO_POSTGRES)
    url = make_url(base)
    suffix = secrets.token_hex(4)
    names = {"source": f"wenjiao_backup_{suffix}", "target": f"wenjiao_restore_{suffix}",
             "role": f"wenjiao_owner_{suffix}"}
    env = {"PGHOST": url.host or "127.0.0.1", "PGPORT": str(url.port or 5432),
           "PGUSER": url.username or "postgres"}
    if url.password:
        env["PGPASSWORD"] = url.password
    admin = {**env, "PGDATABASE": url.database or "postgres"}
    psql(admin, f"CREATE ROLE {names['role']} NOLOGIN")
    try:
        psql(admin, f"CREATE DATABASE {names['source']}")
        psql(admin, f"CREATE DATABASE {names['target']} OWNER {names['role']}")
        yield {**env, **names}
    finally:
        for database in (names["source"], names["target"]):
            psql(admin, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        psql(admin, f"DROP ROLE IF EXISTS {names['role']}")


def psql(env: dict[str, str], sql: str, database: str | None = None) -> str:
    connection = {**env, "PGDATABASE": database} if database else env
    out = subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
                         env={**os.environ, **connection}, capture_output=True, text=True,
                         timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout


def connection(scratch: dict[str, str], database: str) -> dict[str, str]:
    keys = ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD")
    return {**{k: scratch[k] for k in keys if k in scratch}, "PGDATABASE": database}


@pytest.mark.postgres
def test_the_backup_loop_dumps_and_the_documented_restore_brings_the_rows_back(tmp_path,
                                                                               scratch):
    source, target = scratch["source"], scratch["target"]
    rows = "1|你好\n2|second\n3|"
    psql(scratch, "CREATE TABLE notes (id integer PRIMARY KEY, body text);"
                  "INSERT INTO notes VALUES (1, '你好'), (2, 'second'), (3, NULL)", source)
    dumps = tmp_path / "backups"
    dumps.mkdir()
    old = [dumps / f"wenjiao-2026010{day}T023000Z.dump" for day in (1, 2)]
    for path in old:
        path.write_bytes(b"PGDMP old")
    manual = dumps / "wenjiao-before-upgrade.dump"
    manual.write_bytes(b"PGDMP manual")
    killed = dumps / ".wenjiao-20260103T023000Z.dump.part"  # a container killed mid-dump
    killed.write_bytes(b"PGDMP half")

    out = run_backup(dumps, **connection(scratch, source), BACKUP_RUNS="2",
                     BACKUP_INTERVAL="1", BACKUP_KEEP="2")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("pg-backup: wrote ") == 2
    kept = sorted(p for p in dumps.iterdir() if DUMP_NAME.fullmatch(p.name))
    assert len(kept) == 2 and not set(kept) & set(old)  # the two new ones, the old ones pruned
    assert manual.exists()  # files the schedule did not make are the operator's
    assert sorted(dumps.iterdir()) == sorted([*kept, manual])  # no partial file, new or old
    for dump in kept:
        assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
        assert dump.stat().st_mode & 0o777 == 0o600
    psql(scratch, "INSERT INTO notes VALUES (4, 'after the dump')", source)

    restore = documented_restore()
    restore[restore.index("-d") + 1] = target
    restore = [f"--role={scratch['role']}" if t.startswith("--role=") else t
               for t in restore[:-1]] + [str(kept[-1])]
    env = {**os.environ, **connection(scratch, target)}
    for attempt in ("into an empty database", "over the restored one"):
        done = subprocess.run(restore, env=env, capture_output=True, text=True, timeout=120,
                              check=False)
        assert done.returncode == 0, (attempt, done.stderr)
        assert psql(scratch, "SELECT id, body FROM notes ORDER BY id", target).strip() == rows
        owner = psql(scratch, "SELECT tableowner FROM pg_tables WHERE tablename = 'notes'", target)
        assert owner.strip() == scratch["role"]  # --no-owner --role: the server's user owns it
        psql(scratch, "INSERT INTO notes VALUES (5, 'written after the restore')", target)
