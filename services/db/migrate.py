"""Schema migrations (Alembic) and the start-up rule that decides who may change the schema.

The rule, per kind of database:

- in-memory SQLite (tests, one-off runs): ``create_all``; there is nothing to upgrade later;
- a SQLite file (the default, one process): upgraded to the newest migration at every start, so a
  fresh checkout needs no set-up and an upgraded checkout keeps its data;
- any other database (PostgreSQL, shared by several workers): changed only when asked, by
  ``wenjiao db upgrade`` or ``wenjiao serve --migrate``; a process that finds the schema behind
  refuses to start with :class:`SchemaNotReady`, because half the workers writing to a schema the
  other half does not expect loses data quietly.

A database created by ``create_all`` before migrations existed is adopted: missing tables are
created and it is stamped with the newest revision (the first migration is exactly that schema).
"""

from __future__ import annotations

import functools
import logging
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from services.db.base import Base

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

# Package data (in a checkout a link to the top-level migrations/, where developers add them).
MIGRATIONS_DIR = Path(str(files("services.db") / "migrations"))
# Any fixed number: concurrent ``--migrate`` starts on PostgreSQL take turns on this lock.
_MIGRATION_LOCK = 7_041_962
# The newest migration's revision, which :func:`head_revision` reads from the scripts (a test
# holds the two equal). Written here so that a start on a database already at it, every start
# but the first after an upgrade, reads one row and never imports Alembic (37 MiB and a tenth
# of a second of a cold ``wenjiao ask``).
SCHEMA_REVISION = "0004"


class SchemaNotReady(RuntimeError):
    """The database's schema is not the one this version of wenjiao expects."""


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for the project's ``migrations/`` (no ini file needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@functools.cache
def head_revision() -> str:
    """The newest migration's revision id, read from the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise SchemaNotReady(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def is_memory_sqlite(url: URL) -> bool:
    """True for ``sqlite://`` URLs without a file."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def describe(url: URL) -> str:
    """The URL without its password, for messages."""
    return url.render_as_string(hide_password=True)


def _current(connection: Connection) -> str | None:
    """The stamped revision: Alembic's one-row version table, read without Alembic."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    stamped = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(stamped) > 1:
        raise SchemaNotReady(f"the database is stamped with several revisions: {stamped}")
    return stamped[0] if stamped else None


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is stamped with (None: never migrated)."""
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


def _upgrade(connection: Connection, revision: str) -> str:
    from alembic import command

    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    config = alembic_config()
    config.attributes["connection"] = connection
    before = _current(connection)
    if before is None and inspect(connection).has_table("entries"):
        Base.metadata.create_all(connection)
        command.stamp(config, revision)
        return f"adopted a schema made without migrations; stamped {revision}"
    command.upgrade(config, revision)
    after = _current(connection)
    return f"already at {after}" if before == after else f"upgraded {before or 'empty'} -> {after}"


async def upgrade(engine: AsyncEngine, revision: str = "head") -> str:
    """Bring the schema to ``revision`` in one transaction; returns what it did."""
    if is_memory_sqlite(engine.url):
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        return "created the in-memory schema"
    async with engine.begin() as conn:
        done = await conn.run_sync(_upgrade, revision)
    log.info("database schema: %s", done)
    return done


async def ensure_schema(engine: AsyncEngine, *, migrate: bool = False) -> None:
    """Apply the start-up rule of this module's docstring."""
    url = engine.url
    if migrate or url.get_backend_name() == "sqlite":
        if is_memory_sqlite(url) or await current_revision(engine) != SCHEMA_REVISION:
            await upgrade(engine)
        return
    current = await current_revision(engine)
    if current != SCHEMA_REVISION:
        raise SchemaNotReady(
            f"The database {describe(url)} is at revision {current or 'none (never migrated)'}; "
            f"this version of wenjiao needs {SCHEMA_REVISION}. Run `wenjiao db upgrade` once, or start "
            f"with `wenjiao serve --migrate`.")
