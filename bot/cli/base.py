"""The root Typer app and helpers shared by the command modules."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer

from bot.settings import Settings
from services import Services, start_services
from services.db import SchemaNotReady

T = TypeVar("T")

app = typer.Typer(help="温教问答 wenjiao: answers about Wenzhou education policy.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


def settings() -> Settings:
    """The settings from the environment (read once per command)."""
    return Settings()


def quiet_logging(level: str = "WARNING") -> None:
    """Keep library chatter off the terminal for one-shot commands."""
    logging.basicConfig(level=getattr(logging, level.upper(), logging.WARNING),
                        format="%(levelname)s %(name)s: %(message)s")


def with_services(work: Callable[[Services], Awaitable[T]], **options: Any) -> T:
    """Open the configured store (creating and seeding it if needed), run ``work``, close."""
    config = settings()

    async def run() -> T:
        services = await start_services(config.database_url, config.faq_dir, **options)
        try:
            return await work(services)
        finally:
            await services.close()

    try:
        return asyncio.run(run())
    except SchemaNotReady as exc:  # an unmigrated PostgreSQL: say what to run, no traceback
        raise typer.Exit(_schema_message(exc)) from exc


def _schema_message(exc: SchemaNotReady) -> int:
    typer.echo(f"wenjiao: {exc}", err=True)
    return 1
