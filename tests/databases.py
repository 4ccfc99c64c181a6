"""Real PostgreSQL and Redis for the tests: where they are, and a clean database per session.

The servers' URLs come from ``WENJIAO_TEST_DATABASE_URL`` and ``WENJIAO_TEST_REDIS_URL``
(``.ci/run`` sets both for the machine's local servers). Each test session gets its own PostgreSQL database,
named after the process, created by the migrations (so every PostgreSQL test also exercises
them) and dropped at the end; several people running the suite against one server do not meet.
Between tests every table is truncated, which is as clean as a new schema and much faster.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from services.db import Base, create_engine_and_sessionmaker
from services.db.migrate import upgrade

T = TypeVar("T")

DATABASE_ENV = "WENJIAO_TEST_DATABASE_URL"
REDIS_ENV = "WENJIAO_TEST_REDIS_URL"
NO_POSTGRES = (f"{DATABASE_ENV} is not set: PostgreSQL tests need a server "
               "(.ci/run points it at postgresql+asyncpg://postgres@127.0.0.1:5432/test)")
NO_REDIS = (f"{REDIS_ENV} is not set: Redis tests need a server "
            "(.ci/run points it at redis://127.0.0.1:6379/0)")
_SUFFIX = "_wjtest_"


def postgres_base_url() -> str | None:
    """The server the PostgreSQL tests use, or None."""
    return os.environ.get(DATABASE_ENV) or None


def redis_url() -> str | None:
    """The server the Redis tests use, or None."""
    return os.environ.get(REDIS_ENV) or None


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on a private loop in a thread (safe inside a running loop)."""
    result: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:  # handed back to the caller below
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


async def _admin_connection(base_url: str) -> asyncpg.Connection:
    url = make_url(base_url)
    return await asyncpg.connect(user=url.username, password=url.password, host=url.host,
                                 port=url.port, database=url.database)


async def create_database(base_url: str) -> str:
    """A new, migrated database next to ``base_url``'s; returns its URL."""
    url = make_url(base_url)
    name = f"{url.database}{_SUFFIX}{os.getpid()}"
    conn = await _admin_connection(base_url)
    try:
        for (stale,) in await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1",
                                         f"{url.database}{_SUFFIX}%"):
            pid = stale.rsplit("_", 1)[-1]
            if stale == name or not Path(f"/proc/{pid}").exists():  # left by a killed session
                await conn.execute(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    new_url = url.set(database=name).render_as_string(hide_password=False)
    engine, _ = create_engine_and_sessionmaker(new_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    return new_url


async def drop_database(base_url: str, database_url: str) -> None:
    """Drop a database made by :func:`create_database`."""
    name = make_url(database_url).database
    conn = await _admin_connection(base_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def truncate_all(database_url: str) -> None:
    """Empty every table of the models (the schema and its revision stay)."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    engine, _ = create_engine_and_sessionmaker(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE TABLE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


async def empty_database(base_url: str, tag: str) -> str:
    """A new database with no tables at all (for the start-up refusal and ``--migrate``)."""
    url = make_url(base_url)
    name = f"{url.database}{_SUFFIX}{tag}_{os.getpid()}"
    conn = await _admin_connection(base_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url.set(database=name).render_as_string(hide_password=False)
