"""``wenjiao admin``: staff accounts (create-user, set-role, disable-user, enable-user,
set-password, list-users). Passwords come from standard input, never from the command line,
so they stay out of shell history and process lists.

Accounts live in the database alone, so these commands open only the database: no content
files, no intent engine, no detectors (building those over a few thousand entries took half a
minute just to list the users)."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from bot.cli.base import print_json, quiet_logging, with_database
from bot.cli.errors import CliError

if TYPE_CHECKING:
    from services.platform import Principal
    from services.staff import AuthService

T = TypeVar("T")

app = typer.Typer(help="Staff accounts for the web admin and its API.", no_args_is_help=True)

ROLE_HELP = "editor | publisher | admin"  # services.platform.ROLES (a test keeps them equal)
RoleOption = Annotated[str, typer.Option("--role", help=ROLE_HELP)]


def _run(work: Callable[[AuthService, Principal], Awaitable[T]]) -> T:
    """Run ``work`` on the accounts as the command line's principal (an admin error becomes one
    line: bot/cli/errors.py)."""
    from services.platform import CLI
    from services.staff import AuthService

    quiet_logging()
    return with_database(lambda sessionmaker: work(AuthService(sessionmaker), CLI))


def _password() -> str:
    """The password: typed twice on a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass("密码：")
        if first != getpass.getpass("再输一次："):
            raise CliError("两次输入的密码不一致。")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@app.command("create-user")
def create_user(name: str, role: RoleOption) -> None:
    """Add an account; the password is read from standard input."""
    password = _password()
    _run(lambda auth, cli: auth.create_user(cli, name, password, role))
    print(f"created {name} ({role})")


@app.command("set-role")
def set_role(name: str, role: Annotated[str, typer.Argument(help=ROLE_HELP)]) -> None:
    """Change an account's role (takes effect on its next request)."""
    _run(lambda auth, cli: auth.set_role(cli, name, role))
    print(f"{name} is now {role}")


@app.command("disable-user")
def disable_user(name: str) -> None:
    """Disable an account and end all its logins."""
    _run(lambda auth, cli: auth.set_disabled(cli, name, True))
    print(f"disabled {name}")


@app.command("enable-user")
def enable_user(name: str) -> None:
    """Re-enable a disabled account."""
    _run(lambda auth, cli: auth.set_disabled(cli, name, False))
    print(f"enabled {name}")


@app.command("set-password")
def set_password(name: str) -> None:
    """Set a new password (from standard input); every login of the account ends."""
    password = _password()
    _run(lambda auth, cli: auth.set_password(cli, name, password))
    print(f"password changed for {name}")


@app.command("list-users")
def list_users(
    as_json: Annotated[bool, typer.Option(
        "--json", help='Print {"users": [{"username", "role", "disabled", "created_at"}]}.')]
    = False,
) -> None:
    """Every account by name: name, role, state (tab-separated)."""
    from services.platform import as_utc

    users = _run(lambda auth, _cli: auth.list_users())
    if as_json:
        print_json({"users": [{"username": u.username, "role": u.role, "disabled": u.disabled,
                               "created_at": as_utc(u.created_at).isoformat()}
                              for u in users]})
        return
    for user in users:
        state = "disabled" if user.disabled else "active"
        print(f"{user.username}\t{user.role}\t{state}")
