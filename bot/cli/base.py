"""The root Typer app and helpers shared by the command modules.

Two ways to reach the store, and a command takes the smaller one it can: :func:`with_database`
(an engine and a session factory: accounts, schema, retention) or :func:`with_services` (the
whole dialogue: content files parsed, seeded, the intent engine built over every published
entry, the detectors loaded; seconds on the shipped content, half a minute on a few thousand
entries). Both first check that the database answers, so an unreachable one is one line naming
``WENJIAO_DATABASE_URL`` (bot/cli/errors.py) instead of a driver's traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from bot.cli.errors import EXIT_ENVIRONMENT, CliError, ErrorsToLines, variable

if TYPE_CHECKING:  # imported where used: `wenjiao --help` must not load the bot (tens of MB, s)
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

    from bot.settings import Settings
    from services import Services

T = TypeVar("T")
CONNECT_SECONDS = 10.0  # asyncpg alone waits 60 s for a host that drops packets

HELP = """温教问答 wenjiao: answers about Wenzhou education policy.

Settings come from WENJIAO_* environment variables or ./.env (see .env.example).

Shell completion of commands and options: `wenjiao --install-completion` adds it to the \
current shell's start-up file (bash, zsh, fish, PowerShell; open a new shell afterwards); \
`wenjiao --show-completion` prints the script to install by hand."""

app = typer.Typer(help=HELP, cls=ErrorsToLines, no_args_is_help=True, add_completion=True,
                  pretty_exceptions_enable=False)


def package_version() -> str:
    """The installed package's version (what `pip show wenjiao` says)."""
    try:
        return version("wenjiao")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"wenjiao {package_version()}")
        raise typer.Exit


@app.callback()
def root(
    _version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True,
        help="Print the version and exit.")] = False,
) -> None:
    """Options of every command (the help text is HELP above)."""


def settings() -> Settings:
    """The settings from the environment, checked (read once per command)."""
    from bot.settings import Settings

    return Settings()


def quiet_logging(level: str = "WARNING") -> None:
    """Keep library chatter off the terminal for one-shot commands."""
    logging.basicConfig(level=getattr(logging, level.upper(), logging.WARNING),
                        format="%(levelname)s %(name)s: %(message)s")


def print_json(data: object) -> None:
    """One JSON document on stdout, Chinese as is (the ``--json`` form of every command)."""
    print(json.dumps(data, ensure_ascii=False), flush=True)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {CONNECT_SECONDS:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the database server running, on this port?)"
    if isinstance(exc, socket.gaierror):
        return "unknown host name"
    orig = getattr(exc, "orig", None)  # a driver error wrapped by SQLAlchemy
    detail = str(orig if orig is not None else exc).strip() or type(exc).__name__
    return detail.splitlines()[0]


async def check_database(engine: AsyncEngine, url: str) -> None:
    """Connect once (``SELECT 1``); a failure is :class:`CliError` naming the variable."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from services.db import migrate as mig

    try:
        async with asyncio.timeout(CONNECT_SECONDS), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (OSError, SQLAlchemyError) as exc:  # TimeoutError is an OSError
        where = mig.describe(make_url(url))
        raise CliError(f"{variable('database_url')}: cannot connect to {where}: "
                       f"{_reason(exc)}", EXIT_ENVIRONMENT) from exc


@asynccontextmanager
async def open_database(url: str, *, create: bool = True
                        ) -> AsyncIterator[tuple[AsyncEngine, async_sessionmaker[AsyncSession]]]:
    """The engine and session factory of ``url``, checked to answer; ``create`` applies the
    start-up rule of services/db/migrate.py (SQLite: create or upgrade; PostgreSQL: refuse a
    schema that is behind, with the command to run)."""
    from services.db import create_engine_and_sessionmaker, ensure_schema

    try:
        engine, sessionmaker = create_engine_and_sessionmaker(url)
    except OSError as exc:  # a SQLite file's folder that cannot be made
        raise CliError(f"{variable('database_url')}: cannot create the folder {exc.filename}: "
                       f"{exc.strerror or exc}") from exc
    try:
        await check_database(engine, url)
        if create:
            await ensure_schema(engine)
        yield engine, sessionmaker
    finally:
        await engine.dispose()


async def database_answers(url: str) -> None:
    """Only the check of :func:`open_database` (for the commands whose services open their own
    engine)."""
    async with open_database(url, create=False):
        pass


def with_database(work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]], *,
                  create: bool = True) -> T:
    """Run ``work`` on the configured database alone: no content, no engine, no dialogue."""
    url = settings().database_url

    async def run() -> T:
        async with open_database(url, create=create) as (_, sessionmaker):
            return await work(sessionmaker)

    return asyncio.run(run())


def with_engine(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run ``work`` on the configured database's engine, the schema as it is (``db``)."""
    url = settings().database_url

    async def run() -> T:
        async with open_database(url, create=False) as (engine, _):
            return await work(engine)

    return asyncio.run(run())


def with_services(work: Callable[[Services], Awaitable[T]], **options: Any) -> T:
    """Open the configured store (creating and seeding it if needed), run ``work``, close."""
    import services

    config = settings()

    async def run() -> T:
        await database_answers(config.database_url)  # start_services opens its own engine
        running = await services.start_services(config.database_url, config.faq_dir, **options)
        try:
            return await work(running)
        finally:
            await running.close()

    return asyncio.run(run())
