"""What an operator sees when a command cannot do its work: one line on stderr, an exit code.

The one place where exceptions become messages: the root command group (:class:`ErrorsToLines`)
looks every uncaught exception up in :func:`table`. A bureau's IT team runs these commands from
shell scripts and systemd units, so the exit code says whose problem it is:

- 2 (:data:`EXIT_CONFIG`, also click's usage errors): a setting or an argument is wrong; the line
  names the ``WENJIAO_`` variable and what it must be.
- 1 (:data:`EXIT_ENVIRONMENT`): the configuration is fine but the world is not: the database does
  not answer, the port is taken, the schema is behind, an account or a file is missing.

Anything not in the table is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, get_args

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails

EXIT_ENVIRONMENT = 1
EXIT_CONFIG = 2
_SHOWN = 60  # characters of a bad value quoted back
_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@/\s]*@")


class CliError(Exception):
    """A failure a command explains itself (the message is shown as is, after ``wenjiao:``)."""

    def __init__(self, message: str, code: int = EXIT_ENVIRONMENT) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class Problem:
    """What to show and how to exit."""

    code: int
    lines: list[str]


def variable(field: str) -> str:
    """The environment variable of a settings field (``port`` -> ``WENJIAO_PORT``)."""
    from bot.settings import Settings

    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, str):
        return alias
    return f"{Settings.model_config.get('env_prefix', '')}{field}".upper()


def _is_secret(field: str) -> bool:
    from pydantic import SecretStr

    from bot.settings import Settings

    annotation = Settings.model_fields[field].annotation
    return annotation is SecretStr or SecretStr in get_args(annotation)


def _shown(value: object) -> str:
    """A bad value as quoted back: passwords in URLs hidden, long values cut."""
    text = _PASSWORD.sub(r"\1***@", str(value))
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")


def _setting_line(error: ErrorDetails) -> str:
    """``WENJIAO_PORT: must be an integer from 0 to 65535 (got 'abc')``; a rule over several
    settings names them in its own message."""
    cause = error.get("ctx", {}).get("error")
    rule = str(cause) if isinstance(cause, Exception) else error["msg"]
    if not error["loc"]:
        return rule
    from bot.settings import Settings

    field = str(error["loc"][0])
    if field not in Settings.model_fields:
        return f"{field}: {rule}"
    value = error["input"]
    if not _is_secret(field):
        got = f" (got {_shown(value)})"
    else:  # never echo a secret; its length is often the mistake
        got = f" (got {len(value)} characters)" if isinstance(value, str) else ""
    return f"{variable(field)}: {rule}{got}"


def _settings(exc: ValidationError) -> Problem | None:
    if exc.title != "Settings":  # another model's validation error is a bug: traceback
        return None
    return Problem(EXIT_CONFIG, [_setting_line(e) for e in exc.errors()])


def _cannot_listen(exc: OSError) -> Problem | None:
    """The server's bind failing after the start-up check passed (another server won the race)."""
    if exc.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
        return None
    return Problem(EXIT_ENVIRONMENT, [f"cannot listen: {exc.strerror or exc}"])


Table = tuple[tuple[type[Exception], Callable[[Any], "Problem | None"]], ...]


@cache
def table() -> Table:
    """The exceptions an operator can act on, and what to show for each (first match wins).
    Built at the first failure: the classes live in modules `wenjiao --help` never loads."""
    from pydantic import ValidationError

    from intents import FaqDataError
    from services.db import SchemaNotReady
    from services.errors import AdminError
    from services.platform import BackupError

    return (
        (CliError, lambda exc: Problem(exc.code, [exc.message])),
        (ValidationError, _settings),
        (SchemaNotReady, lambda exc: Problem(EXIT_ENVIRONMENT, [str(exc)])),
        (AdminError, lambda exc: Problem(EXIT_ENVIRONMENT, [exc.message])),
        (BackupError, lambda exc: Problem(EXIT_ENVIRONMENT, [str(exc)])),
        (FaqDataError, lambda exc: Problem(EXIT_ENVIRONMENT, [str(exc)])),
        (OSError, _cannot_listen),
    )


def translate(exc: BaseException) -> Problem | None:
    """The problem ``exc`` stands for, or None when it is not one the operator can fix."""
    for kind, explain in table():
        if isinstance(exc, kind):
            return explain(exc)
    return None


class ErrorsToLines(TyperGroup):
    """The root group: an exception of :func:`table` out of any command becomes its lines on
    stderr and its exit code (under ``CliRunner`` too, so tests see what operators see)."""

    def invoke(self, ctx: Any) -> Any:  # typer's own (vendored) click Context
        """Run the command; translate what it raises."""
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, TyperException):  # help, usage errors: click's own
            raise
        except Exception as exc:
            problem = translate(exc)
            if problem is None:
                raise
            for line in problem.lines:
                typer.echo(f"wenjiao: {line}", err=True)
            raise typer.Exit(problem.code) from exc
