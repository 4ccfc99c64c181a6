"""Alembic environment: the models' metadata, and a connection from whoever runs the migration.

``wenjiao db upgrade`` and the start-up rule (services/db/migrate.py) hand in an open connection
through ``config.attributes["connection"]``; the ``alembic`` command line (developers writing a new
revision) connects to ``sqlalchemy.url`` or, when that is unset, to ``WENJIAO_DATABASE_URL`` as the
settings read it.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import services.db.models  # noqa: F401  (registers every table on the metadata)
from services.db.base import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE via copy on SQLite
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from bot.settings import Settings  # the one place that reads the environment

    return Settings().database_url


async def _run_online() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool, hide_parameters=True)
    async with engine.begin() as connection:
        await connection.run_sync(_configure)
    await engine.dispose()


def _run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
elif (shared := config.attributes.get("connection")) is not None:
    _configure(shared)
else:
    asyncio.run(_run_online())
