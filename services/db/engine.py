"""Create the async engine and session factory; SQLite gets WAL and a busy timeout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from services.db.base import Base


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off: _begin_immediate starts each one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    """Start every SQLite transaction holding the write lock (SQLAlchemy's documented recipe).

    The driver's default, a deferred BEGIN, lets two processes (gunicorn workers on one file)
    both read, then fails the second writer at once with "database is locked" (its snapshot is
    stale; the busy timeout cannot help) or lets both insert the same row. Taking the lock at
    BEGIN makes them wait their turn in the busy handler, then read what the first one wrote.
    """
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine_and_sessionmaker(
    url: str, *, echo: bool = False
) -> tuple[AsyncEngine, async_sessionmaker[Any]]:
    """An engine for ``url`` (creating a SQLite file's folder) and its session factory."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        # SQLite has one writer at a time. With a pool of connections, concurrent requests wait
        # in SQLite's busy handler (sleep and retry): seconds-long tails and "database is
        # locked" errors under load. One connection per process makes them queue in the pool
        # instead, in order and cheaply. (Never open a session inside another one.)
        # In-memory too: SQLAlchemy's default there is StaticPool, which hands the one
        # connection to every session at once, so a reader closing (ROLLBACK) in the middle of
        # a writer's transaction silently undoes the write, e.g. a login's new session row.
        options = {"poolclass": AsyncAdaptedQueuePool, "pool_size": 1, "max_overflow": 0,
                   "pool_timeout": 60}
    # hide_parameters: an error ("[parameters: ...]") or an echoed statement would otherwise
    # carry the values bound to it, a user's message among them, into the logs.
    engine = create_async_engine(url, echo=echo, hide_parameters=True, **options)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine, async_sessionmaker(engine, expire_on_commit=False)


async def create_schema(engine: AsyncEngine) -> None:
    """Create missing tables (the default SQLite set-up; migrations take over on PostgreSQL)."""
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
