"""What an operator sees when ``wenjiao`` cannot start: one line on stderr naming the variable,
exit 2 for a bad setting and 1 for the environment (database, port), never a traceback. Run as
real processes, as a bureau's IT team would run them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from bot.cli.errors import translate
from bot.settings import Settings
from tests.admin_support import copy_content
from tests.tcp_proxy import closed_port

AES_KEY = "A" * 43


@pytest.fixture(scope="module")
def faq(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_content(tmp_path_factory.mktemp("faq"))


def environment(tmp_path: Path, faq: Path, **env: str) -> dict[str, str]:
    """A clean environment: no WENJIAO_* from the caller, a fresh SQLite file."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("WENJIAO_")}
    return {**base, "WENJIAO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'e.db'}",
            "WENJIAO_FAQ_DIR": str(faq), **env}


def wenjiao(tmp_path: Path, faq: Path, *args: str, stdin: str | None = None,
            **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin,
                          env=environment(tmp_path, faq, **env), cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)


def one_line(out: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line (and nothing on stdout, no traceback)."""
    assert "Traceback" not in out.stderr, out.stderr
    assert out.stdout == "", out.stdout
    lines = out.stderr.splitlines()
    assert len(lines) == 1, out.stderr
    return lines[0]


@pytest.mark.parametrize(("env", "line"), [
    ({"WENJIAO_PORT": "abc"},
     "wenjiao: WENJIAO_PORT: must be an integer from 0 to 65535 (got 'abc')"),
    ({"WENJIAO_PORT": "70000"},
     "wenjiao: WENJIAO_PORT: must be an integer from 0 to 65535 (got '70000')"),
    ({"WENJIAO_LOG_LEVEL": "VERBOSE"},
     "wenjiao: WENJIAO_LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL "
     "(got 'VERBOSE')"),
    ({"WENJIAO_LOG_FORMAT": "xml"},
     "wenjiao: WENJIAO_LOG_FORMAT: must be one of json, text (got 'xml')"),
    ({"WENJIAO_WECHAT_TOKEN": "t0ken", "WENJIAO_WECHAT_APPID": "wx0123456789abcdef",
      "WENJIAO_WECHAT_AES_KEY": "tooShortKey"},
     "wenjiao: WENJIAO_WECHAT_AES_KEY: must be the 43-character EncodingAESKey (letters, "
     "digits, '+' and '/') from the official account's server settings (got 11 characters)"),
    ({"WENJIAO_ADMIN_SECRET_KEY": "changeme"},
     "wenjiao: WENJIAO_ADMIN_SECRET_KEY: must be at least 32 characters without spaces (e.g. "
     "the output of: openssl rand -hex 32) (got 8 characters)"),
    ({"WENJIAO_WECHAT_AES_KEY": AES_KEY},
     "wenjiao: WENJIAO_WECHAT_AES_KEY needs WENJIAO_WECHAT_APPID: safe mode decrypts with the "
     "app id"),
    ({"WENJIAO_DATABASE_URL": "postgresql://wenjiao:s3cretpw@db/wenjiao"},
     "wenjiao: WENJIAO_DATABASE_URL: must be sqlite+aiosqlite:///PATH or "
     "postgresql+asyncpg://USER:PASSWORD@HOST:PORT/DATABASE "
     "(got 'postgresql://wenjiao:***@db/wenjiao')"),
    ({"WENJIAO_PUBLIC_URL": "wenjiao.example.org"},
     "wenjiao: WENJIAO_PUBLIC_URL: must be a URL starting with http:// or https:// "
     "(got 'wenjiao.example.org')"),
    ({"WENJIAO_REDIS_URL": "localhost:6379"},
     "wenjiao: WENJIAO_REDIS_URL: must be a URL starting with redis:// or rediss:// or unix:// "
     "(got 'localhost:6379')"),
    ({"WENJIAO_TRUSTED_PROXIES": "127.0.0.1,nginx"},
     "wenjiao: WENJIAO_TRUSTED_PROXIES: must be addresses or networks separated by commas, "
     "e.g. 127.0.0.1,10.0.0.0/8 ('nginx' is neither) (got '127.0.0.1,nginx')"),
    ({"WENJIAO_ALERT_TELEGRAM_CHAT": "-1001234567890"},
     "wenjiao: WENJIAO_ALERT_TELEGRAM_CHAT needs WENJIAO_TELEGRAM_TOKEN: the alerts are sent "
     "by the bot itself"),
    ({"WENJIAO_ALERT_SMTP_URL": "mail.example:587", "WENJIAO_ALERT_EMAIL_TO": "duty@jyj.example"},
     "wenjiao: WENJIAO_ALERT_SMTP_URL: must look like smtp://user:pass@host:587 or "
     "smtps://user:pass@host:465 (got 16 characters)"),
    ({"WENJIAO_RATE_LIMIT_PER_MINUTE": "0"},
     "wenjiao: WENJIAO_RATE_LIMIT_PER_MINUTE: must be an integer of at least 1 (got '0')"),
    ({"WENJIAO_WECHAT_REPLY_TIMEOUT": "soon"},
     "wenjiao: WENJIAO_WECHAT_REPLY_TIMEOUT: must be a number of seconds above 0 (e.g. 1.5) "
     "(got 'soon')"),
])
def test_a_bad_setting_stops_serve_with_one_line_and_exit_2(tmp_path, faq, env, line):
    out = wenjiao(tmp_path, faq, "serve", "--port", str(closed_port()), **env)
    assert out.returncode == 2
    assert one_line(out) == line
    assert "s3cretpw" not in out.stderr and "tooShortKey" not in out.stderr


def test_every_command_that_reads_the_settings_checks_them(tmp_path, faq):
    for args in (["db", "current"], ["admin", "list-users"], ["faq", "list"], ["ask", "你好"]):
        out = wenjiao(tmp_path, faq, *args, WENJIAO_LOG_LEVEL="VERBOSE")
        assert out.returncode == 2, args
        assert one_line(out).startswith("wenjiao: WENJIAO_LOG_LEVEL: must be one of")


def test_settings_accept_what_operators_type():
    settings = Settings(_env_file=None, log_level="debug", log_format="TEXT", port=" 8081 ",
                        wechat_aes_key=AES_KEY, wechat_appid="wx0123456789abcdef",
                        admin_secret_key=" " + "0f" * 32 + "\n")
    assert (settings.log_level, settings.log_format, settings.port) == ("DEBUG", "text", 8081)
    assert settings.admin_secret_key.get_secret_value() == "0f" * 32  # pasted with a newline
    assert Settings(_env_file=None).port == 8080  # the defaults pass their own rules


def test_a_validation_error_of_anything_else_keeps_its_traceback():
    class Other(BaseModel):
        port: int

    with pytest.raises(ValidationError) as caught:
        Other(port="x")  # type: ignore[arg-type]
    assert translate(caught.value) is None


@pytest.mark.parametrize("args", [["serve", "--port"], ["db", "current"], ["admin", "list-users"],
                                  ["faq", "list"]])
def test_an_unreachable_database_is_one_line_and_exit_1(tmp_path, faq, args):
    url = f"postgresql+asyncpg://nobody:pw@127.0.0.1:{closed_port()}/wenjiao"
    if args[-1] == "--port":
        args = [*args, str(closed_port())]
    out = wenjiao(tmp_path, faq, *args, WENJIAO_DATABASE_URL=url)
    assert out.returncode == 1
    line = one_line(out)
    assert line.startswith("wenjiao: WENJIAO_DATABASE_URL: cannot connect to "
                           "postgresql+asyncpg://nobody:***@127.0.0.1:")
    assert "connection refused" in line


@contextmanager
def listening() -> Iterator[int]:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_is_one_line_and_exit_1_before_is_running(tmp_path, faq, workers):
    with listening() as port:
        out = wenjiao(tmp_path, faq, "serve", "--port", str(port), "--workers", workers)
    assert out.returncode == 1
    assert one_line(out) == (f"wenjiao: WENJIAO_PORT: 127.0.0.1:{port} is already in use "
                             "(another wenjiao serve?); stop it or choose another port "
                             "(--port or WENJIAO_PORT)")


def test_a_host_that_is_not_this_machine_is_a_setting_error(tmp_path, faq):
    out = wenjiao(tmp_path, faq, "serve", WENJIAO_HOST="192.0.2.1")  # TEST-NET-1, never ours
    assert out.returncode == 2
    assert one_line(out) == "wenjiao: WENJIAO_HOST: 192.0.2.1 is not an address of this machine"


def test_serve_says_it_is_running_only_once_the_port_answers(tmp_path, faq):
    port = closed_port()
    with subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)],
                          env=environment(tmp_path, faq, WENJIAO_LOG_FORMAT="text"),
                          cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()  # blocks until the server prints (or exits)
            assert line.startswith(f"温教问答 is running: open http://127.0.0.1:{port}/"), line
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass  # already listening when the line appeared: no retry needed
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0


def test_faq_show_of_a_missing_entry_is_an_error_on_stderr(tmp_path, faq):
    out = wenjiao(tmp_path, faq, "faq", "show", "hotline.no_such_entry")
    assert out.returncode == 1
    assert one_line(out) == ("wenjiao: no published entry hotline.no_such_entry "
                             "(wenjiao faq list shows the ids)")


def test_a_usage_error_is_exit_2(tmp_path, faq):
    out = wenjiao(tmp_path, faq, "serve", "--port", "70000")
    assert out.returncode == 2 and "65535" in out.stderr and out.stdout == ""


def test_version_is_the_installed_package_version(tmp_path, faq):
    out = wenjiao(tmp_path, faq, "--version", WENJIAO_PORT="abc")  # needs no settings
    assert out.returncode == 0
    assert out.stdout == f"wenjiao {version('wenjiao')}\n"


def test_help_names_the_command_and_documents_completion(tmp_path, faq):
    out = wenjiao(tmp_path, faq, "--help")
    assert out.returncode == 0
    assert "Usage: wenjiao " in out.stdout  # also under python -m bot
    assert "--install-completion" in out.stdout and "--show-completion" in out.stdout
    assert "bash, zsh, fish" in out.stdout


def test_shell_completion_completes_commands(tmp_path, faq):
    """What the installed completion script asks the program (typer's protocol for bash)."""
    out = wenjiao(tmp_path, faq, _WENJIAO_COMPLETE="complete_bash",
                  COMP_WORDS="wenjiao admin list-u", COMP_CWORD="2")
    assert out.returncode == 0
    assert out.stdout.split() == ["list-users"]


def test_ask_dash_reads_the_question_from_stdin(tmp_path, faq):
    out = wenjiao(tmp_path, faq, "ask", "-", stdin="温心有约是什么\n")
    assert out.returncode == 0, out.stderr
    assert "温心有约" in out.stdout and "出处" in out.stdout
