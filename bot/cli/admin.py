"""``wenjiao admin``: staff accounts (create-user, set-role, disable-user, enable-user,
set-password, list-users). Passwords come from standard input, never from the command line,
so they stay out of shell history and process lists."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import typer

from bot.cli.base import quiet_logging, with_services
from services import Services
from services.errors import AdminError
from services.platform import CLI, ROLES
from services.staff import Staff

app = typer.Typer(help="Staff accounts for the web admin and its API.", no_args_is_help=True)

RoleOption = Annotated[str, typer.Option("--role", help="editor | publisher | admin")]


def _run(work: Callable[[Staff], Awaitable[Any]]) -> Any:
    """Run ``work`` on the admin services; an admin error is one line on stderr and exit 1."""
    quiet_logging()

    async def wrapped(services: Services) -> Any:
        return await work(Staff.of(services))

    try:
        return with_services(wrapped)
    except AdminError as exc:
        typer.echo(f"wenjiao: {exc.message}", err=True)
        raise typer.Exit(1) from exc


def _password() -> str:
    """The password: typed twice on a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass("密码：")
        if first != getpass.getpass("再输一次："):
            typer.echo("wenjiao: 两次输入的密码不一致。", err=True)
            raise typer.Exit(1)
        return first
    return sys.stdin.readline().rstrip("\r\n")


@app.command("create-user")
def create_user(name: str, role: RoleOption) -> None:
    """Add an account; the password is read from standard input."""
    password = _password()
    _run(lambda staff: staff.auth.create_user(CLI, name, password, role))
    print(f"created {name} ({role})")


@app.command("set-role")
def set_role(name: str, role: Annotated[str, typer.Argument(help=" | ".join(ROLES))]) -> None:
    """Change an account's role (takes effect on its next request)."""
    _run(lambda staff: staff.auth.set_role(CLI, name, role))
    print(f"{name} is now {role}")


@app.command("disable-user")
def disable_user(name: str) -> None:
    """Disable an account and end all its logins."""
    _run(lambda staff: staff.auth.set_disabled(CLI, name, True))
    print(f"disabled {name}")


@app.command("enable-user")
def enable_user(name: str) -> None:
    """Re-enable a disabled account."""
    _run(lambda staff: staff.auth.set_disabled(CLI, name, False))
    print(f"enabled {name}")


@app.command("set-password")
def set_password(name: str) -> None:
    """Set a new password (from standard input); every login of the account ends."""
    password = _password()
    _run(lambda staff: staff.auth.set_password(CLI, name, password))
    print(f"password changed for {name}")


@app.command("list-users")
def list_users() -> None:
    """Every account: name, role, state."""
    for user in _run(lambda staff: staff.auth.list_users()):
        state = "disabled" if user.disabled else "active"
        print(f"{user.username}\t{user.role}\t{state}")
