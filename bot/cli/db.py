"""``wenjiao db``: the database schema (Alembic migrations).

On PostgreSQL the schema changes only when an operator runs ``wenjiao db upgrade`` (or starts
with ``wenjiao serve --migrate``); a SQLite file is upgraded at every start anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli.base import quiet_logging, settings
from services.db import create_engine_and_sessionmaker
from services.db import migrate as mig

T = TypeVar("T")

app = typer.Typer(help="Database schema: upgrade to the newest migration, show the revision.",
                  no_args_is_help=True)


def _with_engine(url: str, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    async def run() -> T:
        engine, _ = create_engine_and_sessionmaker(url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


@app.command()
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Upgrade the configured database's schema (safe to repeat; concurrent runs take turns)."""
    quiet_logging()
    url = settings().database_url
    done = _with_engine(url, lambda engine: mig.upgrade(engine, revision))
    print(f"{mig.describe(make_url(url))}: {done}")


@app.command()
def current() -> None:
    """Show the database's revision and the newest one; exit 1 when they differ."""
    quiet_logging()
    now = _with_engine(settings().database_url, mig.current_revision)
    head = mig.head_revision()
    print(f"database: {now or 'none (never migrated)'}\nnewest:   {head}")
    if now != head:
        raise typer.Exit(1)
