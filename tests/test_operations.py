"""docs/operations.md and the systemd files under deploy/, checked without root or systemd:
the units parse and say what the notes say, their command lines are real `wenjiao` commands,
the stop timeout outlasts the graceful shutdown, every setting and every `wenjiao ...` command
the notes name exists, and the documented backup and restore round trip works on SQLite."""

from __future__ import annotations

import configparser
import getpass
import grp
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from bot import gunicorn_conf, server
from bot.cli import app
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NOTES = ROOT / "docs" / "operations.md"
UNITS = ("wenjiao.service", "wenjiao-backup.service", "wenjiao-backup.timer",
         "wenjiao-purge.service", "wenjiao-purge.timer")
SCRIPTS = ("wenjiao-cli.sh", "wenjiao-backup.sh", "wenjiao-pg.sh")
INSTALLED = "/opt/wenjiao/"  # where the units expect the checkout
WENJIAO = Path(sys.executable).parent / "wenjiao"  # this environment's console script
STOP_MARGIN = 5.0  # measured: 10.4 s (gunicorn) and 11.4 s (one process) with a stuck request
SEPARATORS = {"|", "||", "&&", ";", "&"}
USER_FLAGS = {"-u", "--user", "-g", "--group", "-o", "--owner"}  # `runuser -u wenjiao --`


def unit(name: str) -> configparser.ConfigParser:
    """A unit file as sections of keys (systemd's syntax is close enough to INI for this)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None,
                                       comment_prefixes=("#", ";"), inline_comment_prefixes=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8"), source=name)
    return parser


def seconds(value: str) -> float:
    """A systemd time span such as ``20``, ``20s``, ``1min 30s``, in seconds."""
    factors = {"": 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]*)", value)
    assert parts, value
    return sum(float(n) * factors[u] for n, u in parts)


def command_tree() -> TyperGroup:
    group = typer.main.get_command(app)  # typer's own copy of click's classes
    assert isinstance(group, TyperGroup)
    return group


def resolve(tokens: list[str]) -> tuple[list[str], Any, list[str]]:
    """The subcommand path of a `wenjiao` command line, its command and the remaining tokens."""
    command: Any = command_tree()
    path: list[str] = []
    rest = list(tokens)
    while isinstance(command, TyperGroup) and rest and rest[0] in command.commands:
        path.append(rest.pop(0))
        command = command.commands[path[-1]]
    return path, command, rest


def option_names(command: Any) -> set[str]:
    return {"--help"} | {o for p in command.params for o in (*p.opts, *p.secondary_opts)}


# -- the units -------------------------------------------------------------------------------

def test_every_unit_file_parses_into_its_sections():
    for name in UNITS:
        sections = set(unit(name).sections())
        expected = {"Unit", "Timer", "Install"} if name.endswith(".timer") else {"Unit", "Service"}
        assert expected <= sections, (name, sections)


def test_the_service_runs_as_a_dedicated_user_with_the_environment_file_and_restarts():
    service = unit("wenjiao.service")["Service"]
    assert service["User"] == service["Group"] == "wenjiao"
    assert service["EnvironmentFile"] == "/etc/wenjiao/wenjiao.env"
    assert service["Restart"] == "on-failure" and seconds(service["RestartSec"]) >= 1
    assert service["Type"] == "exec"
    assert unit("wenjiao.service")["Install"]["WantedBy"] == "multi-user.target"


def test_execstart_is_wenjiao_serve_with_options_that_exist():
    argv = shlex.split(unit("wenjiao.service")["Service"]["ExecStart"])
    assert argv[0] == f"{INSTALLED}.venv/bin/wenjiao"
    path, command, rest = resolve(argv[1:])
    assert path == ["serve"]
    given = [t for t in rest if t.startswith("--")]
    assert set(given) <= option_names(command), given
    values = dict(zip(rest[::2], rest[1::2], strict=True))
    assert values["--host"] == "127.0.0.1"  # /metrics is open to whoever reaches the port
    # gunicorn (N >= 2) is what ExecReload's SIGHUP and KillMode=mixed are written for.
    assert int(values["--workers"]) >= 2
    help_text = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert help_text.exit_code == 0
    for option in given:
        assert option in help_text.output


def test_the_stop_timeout_outlasts_the_graceful_shutdown():
    service = unit("wenjiao.service")["Service"]
    graceful = max(gunicorn_conf.graceful_timeout, server.SHUTDOWN_SECONDS)
    assert seconds(service["TimeoutStopSec"]) >= graceful + STOP_MARGIN
    assert service["KillSignal"] == "SIGTERM"
    assert service["KillMode"] == "mixed"  # SIGTERM to gunicorn's master, which drains workers



def test_reload_replaces_the_workers_of_the_server_that_execstart_runs():
    service = unit("wenjiao.service")["Service"]
    start = dict(zip(*[iter(shlex.split(service["ExecStart"])[2:])] * 2, strict=True))
    argv = shlex.split(service["ExecReload"])
    assert argv[0] == f"{INSTALLED}.venv/bin/wenjiao"
    path, command, rest = resolve(argv[1:])
    assert path == ["restart-workers"]
    assert set(t for t in rest if t.startswith("--")) <= option_names(command)
    assert dict(zip(rest[::2], rest[1::2], strict=True))["--port"] == start["--port"]
    # systemd bounds a reload with the start timeout: room for every worker's start and stop
    assert seconds(service["TimeoutStartSec"]) >= int(start["--workers"]) * (
        30 + gunicorn_conf.graceful_timeout)


def test_the_service_is_sandboxed_with_only_its_data_folder_writable():
    service = unit("wenjiao.service")["Service"]
    for key, value in {"NoNewPrivileges": "yes", "PrivateTmp": "yes", "ProtectSystem": "strict",
                       "ProtectHome": "yes", "StateDirectory": "wenjiao"}.items():
        assert service[key] == value, key
    assert service["WorkingDirectory"] == "/var/lib/wenjiao"  # gunicorn writes there too
    assert service["CapabilityBoundingSet"] == ""
    # The notes put the SQLite database in the state folder, the one writable place.
    notes = NOTES.read_text(encoding="utf-8")
    (data_dir,) = re.findall(r"^WENJIAO_DATA_DIR=(\S+)$", notes, re.MULTILINE)
    assert data_dir == service["WorkingDirectory"]
    settings = Settings(_env_file=None, data_dir=data_dir)
    assert settings.database_url == "sqlite+aiosqlite:////var/lib/wenjiao/wenjiao.db"


def test_the_nightly_jobs_run_real_commands_as_the_service_user():
    purge = unit("wenjiao-purge.service")["Service"]
    argv = shlex.split(purge["ExecStart"])
    assert argv[0] == f"{INSTALLED}.venv/bin/wenjiao"
    assert resolve(argv[1:])[0] == ["purge"]
    backup = unit("wenjiao-backup.service")["Service"]
    script = shlex.split(backup["ExecStart"])[0]
    assert (ROOT / script.removeprefix(INSTALLED)).is_file()
    assert backup["ReadWritePaths"] == "/var/backups/wenjiao"
    for service in (purge, backup):
        assert service["User"] == "wenjiao" and service["Type"] == "oneshot"
    for timer in ("wenjiao-backup.timer", "wenjiao-purge.timer"):
        assert unit(timer)["Timer"]["Persistent"] == "true"
        assert unit(timer)["Install"]["WantedBy"] == "timers.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verify_finds_nothing_to_say(tmp_path: Path):
    """The units (and the log-file drop-in) with /opt/wenjiao pointed at this checkout."""
    if not WENJIAO.exists():
        pytest.skip(f"no wenjiao console script next to {sys.executable}")
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        text = text.replace(f"{INSTALLED}.venv/bin/", f"{WENJIAO.parent}/")
        (tmp_path / name).write_text(text.replace(INSTALLED, f"{ROOT}/"), encoding="utf-8")
    (tmp_path / "wenjiao.service.d").mkdir()
    shutil.copy(DEPLOY / "wenjiao-logfile.conf", tmp_path / "wenjiao.service.d" / "logfile.conf")
    out = subprocess.run(["systemd-analyze", "verify", *UNITS], cwd=tmp_path,
                         env={**os.environ, "SYSTEMD_UNIT_PATH": f"{tmp_path}:"},
                         capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0 and out.stderr == "", out.stderr  # warnings do not fail it


@pytest.mark.skipif(shutil.which("logrotate") is None, reason="logrotate not installed")
def test_the_logrotate_configuration_is_accepted(tmp_path: Path):
    text = (DEPLOY / "logrotate.conf").read_text(encoding="utf-8")
    group = grp.getgrgid(os.getgid()).gr_name
    text = text.replace("su wenjiao wenjiao", f"su {getpass.getuser()} {group}")
    (tmp_path / "logrotate.conf").write_text(text.replace("/var/log/wenjiao", str(tmp_path)))
    out = subprocess.run(["logrotate", "--debug", "--state", str(tmp_path / "state"),
                          str(tmp_path / "logrotate.conf")],
                         capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0 and "error" not in out.stderr.lower(), out.stderr
    assert "copytruncate" in text  # the server cannot reopen its output


def test_the_shell_scripts_parse():
    for name in SCRIPTS:
        assert os.access(DEPLOY / name, os.X_OK), f"{name} is not executable"
        subprocess.run(["sh", "-n", str(DEPLOY / name)], check=True, timeout=30)


# -- the notes -------------------------------------------------------------------------------

def settings_env_names() -> set[str]:
    return {f"WENJIAO_{name.upper()}" for name in Settings.model_fields}


def test_every_environment_variable_in_the_notes_and_scripts_is_a_setting():
    known = settings_env_names()
    texts = {NOTES.name: NOTES.read_text(encoding="utf-8")}
    texts.update({p.name: p.read_text(encoding="utf-8") for p in sorted(DEPLOY.iterdir())
                  if p.is_file()})
    for source, text in texts.items():
        for name in set(re.findall(r"\bWENJIAO_[A-Z0-9_]*", text)):
            if name.endswith("_"):  # a family such as WENJIAO_ALERT_*
                assert any(k.startswith(name) for k in known), (source, name)
            else:
                assert name in known, f"{source}: {name} is not a setting of bot.settings"


def test_the_notes_name_the_operational_settings():
    named = set(re.findall(r"\bWENJIAO_[A-Z0-9_]+", NOTES.read_text(encoding="utf-8")))
    required = {"WENJIAO_TRUSTED_PROXIES", "WENJIAO_ADMIN_SECRET_KEY", "WENJIAO_WECHAT_MODE",
                "WENJIAO_WECHAT_AES_KEY", "WENJIAO_PUBLIC_URL", "WENJIAO_DATABASE_URL",
                "WENJIAO_RETENTION_DAYS", "WENJIAO_LOG_FORMAT"}
    required |= {n for n in settings_env_names() if n.startswith("WENJIAO_ALERT_")}
    assert required <= named, sorted(required - named)


def quoted_command_lines(text: str) -> list[str]:
    """Every line of a fenced block, and every inline code span that starts as a command."""
    lines: list[str] = []
    fence = r"^[ \t]*```[^\n]*\n(.*?)^[ \t]*```"  # also indented, inside a list item
    blocks = re.findall(fence, text, flags=re.M | re.S)
    for block in blocks:
        lines.extend(line.strip() for line in block.splitlines())
    prose = re.sub(fence, "", text, flags=re.M | re.S)
    for raw in re.findall(r"`([^`]+)`", prose):
        span = " ".join(raw.split())  # a span may wrap onto the next line
        first = span.split(" ", 1)[0]
        if first.rsplit("/", 1)[-1] in ("wenjiao", "wenjiao-cli", "runuser", "sudo"):
            lines.append(span)
    return lines


def wenjiao_invocations(line: str) -> list[list[str]]:
    """The arguments after each `wenjiao` / `wenjiao-cli` program in a command line."""
    try:
        tokens = shlex.split(line, comments=True)
    except ValueError:
        tokens = line.split()
    found = []
    for i, token in enumerate(tokens):
        if token not in ("wenjiao", "wenjiao-cli") and not token.endswith(
                ("/bin/wenjiao", "/wenjiao-cli")):
            continue  # /opt/wenjiao in `git -C /opt/wenjiao fetch` is a folder
        if i and tokens[i - 1] in USER_FLAGS:
            continue  # the user's name, not the program
        rest: list[str] = []
        for arg in tokens[i + 1:]:
            if arg in SEPARATORS or arg.startswith((">", "2>")):
                break
            rest.append(arg)
        if rest and re.fullmatch(r"[a-z][a-z-]*", rest[0]):
            found.append(rest)
    return found


def test_every_wenjiao_command_in_the_notes_exists_with_its_options():
    runner = CliRunner()
    seen: set[tuple[str, ...]] = set()
    for line in quoted_command_lines(NOTES.read_text(encoding="utf-8")):
        for args in wenjiao_invocations(line):
            path, command, rest = resolve(args)
            assert path, f"not a wenjiao command: {line!r}"
            assert not isinstance(command, TyperGroup), f"no subcommand of {path}: {line!r}"
            given = {t.split("=", 1)[0] for t in rest if t.startswith("--")}
            assert given <= option_names(command), (line, given - option_names(command))
            seen.add(tuple(path))
    for path in seen:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
    must = {("serve",), ("db", "upgrade"), ("db", "current"), ("backup",), ("restore",),
            ("purge",), ("admin", "create-user"), ("ask",), ("faq", "import")}
    assert must <= seen, sorted(must - seen)  # the extraction found what the notes rely on


def test_the_notes_refer_only_to_deploy_files_that_exist():
    for name in set(re.findall(r"deploy/([\w.*-]+)", NOTES.read_text(encoding="utf-8"))):
        assert list(DEPLOY.glob(name.rstrip("."))), name  # `deploy/wenjiao-backup.*` too


# -- the documented backup and restore, for real -----------------------------------------------

def env_file(tmp_path: Path, database: str) -> Path:
    """An environment file as the notes describe it (absolute paths, single-quoted `&`)."""
    path = tmp_path / "wenjiao.env"
    path.write_text(
        f"# as /etc/wenjiao/wenjiao.env\nWENJIAO_DATABASE_URL={database}\n"
        f"WENJIAO_FAQ_DIR={ROOT / 'faq_data'}\n"
        "WENJIAO_PUBLIC_URL='https://wenjiao.example.org/?a=1&b=2'\nWENJIAO_LOG_LEVEL=WARNING\n",
        encoding="utf-8")
    return path


def script(name: str, *args: str, env_path: Path, cwd: Path, stdin: str | None = None,
           **extra: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WENJIAO_")}
    base.update({"ENV_FILE": str(env_path), "VENV": str(WENJIAO.parent.parent), **extra})
    return subprocess.run([str(DEPLOY / name), *args], env=base, cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture
def sqlite_env(tmp_path: Path) -> Path:
    if not WENJIAO.exists():
        pytest.skip(f"no wenjiao console script next to {sys.executable}")
    data = tmp_path / "var" / "lib" / "wenjiao"
    data.mkdir(parents=True)
    return env_file(tmp_path, f"sqlite+aiosqlite:///{data / 'wenjiao.db'}")


def test_sqlite_backup_and_restore_through_the_documented_commands(tmp_path, sqlite_env):
    def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return script("wenjiao-cli.sh", *args, env_path=sqlite_env, cwd=tmp_path, stdin=stdin)

    assert cli("db", "upgrade").returncode == 0
    made = cli("admin", "create-user", "before", "--role", "admin", stdin="a long password\n")
    assert made.returncode == 0, made.stderr
    backups = tmp_path / "var" / "backups" / "wenjiao"
    stale = backups / "wenjiao-20000101T000000.db"
    backups.mkdir(parents=True)
    stale.write_bytes(b"old")
    os.utime(stale, (time.time() - 30 * 86400,) * 2)
    nightly = script("wenjiao-backup.sh", str(backups), env_path=sqlite_env, cwd=tmp_path,
                     KEEP_DAYS="14")
    assert nightly.returncode == 0, nightly.stderr
    assert nightly.stdout.startswith("wenjiao-backup: wrote ")
    copies = sorted(backups.glob("wenjiao-*.db"))
    assert len(copies) == 1 and not stale.exists()  # the old copy is gone, the new one whole
    assert not list(backups.glob("*.part"))
    with sqlite3.connect(copies[0]) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert oct(copies[0].stat().st_mode & 0o777) == "0o640"

    manual = backups / "wenjiao-manual.db"
    assert cli("backup", str(manual)).returncode == 0
    assert cli("admin", "create-user", "after", "--role", "editor",
               stdin="another long password\n").returncode == 0
    restored = cli("restore", str(manual))
    assert restored.returncode == 0, restored.stderr
    assert "the previous one is kept as" in restored.stdout
    users = cli("admin", "list-users").stdout
    assert "before" in users and "after" not in users
    assert cli("db", "current").returncode == 0


def test_the_wrapper_says_when_it_cannot_read_the_environment_file(tmp_path: Path):
    out = script("wenjiao-cli.sh", "db", "current", env_path=tmp_path / "missing.env",
                 cwd=tmp_path)
    assert out.returncode == 1 and "cannot read" in out.stderr


@pytest.mark.postgres
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump not installed")
def test_postgres_backup_script_writes_a_custom_format_dump(tmp_path, postgres_url):
    if not WENJIAO.exists():
        pytest.skip(f"no wenjiao console script next to {sys.executable}")
    env_path = env_file(tmp_path, f"'{postgres_url}'")
    out = script("wenjiao-backup.sh", str(tmp_path / "backups"), env_path=env_path,
                 cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    (dump,) = (tmp_path / "backups").glob("wenjiao-*.dump")
    listing = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True,
                             text=True, timeout=60, check=True).stdout
    assert "TABLE public alembic_version" in listing and "TABLE public exchanges" in listing
