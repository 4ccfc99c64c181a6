"""Migrations: they build exactly the models' schema, and start-up enforces the schema rule."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from services import start_services
from services.db import Base, create_engine_and_sessionmaker, create_schema
from services.db.migrate import (
    SCHEMA_REVISION,
    SchemaNotReady,
    current_revision,
    ensure_schema,
    head_revision,
    upgrade,
)
from tests import databases
from tests.conftest import FAQ_DIR


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def _diff(url: str) -> list[object]:
    engine, _ = create_engine_and_sessionmaker(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_differences)
    finally:
        await engine.dispose()


@pytest.fixture
async def empty_postgres(postgres_url: str) -> AsyncIterator[str]:
    """A PostgreSQL database without a single table."""
    base = databases.postgres_base_url()
    assert base is not None
    url = await databases.empty_database(base, "empty")
    yield url
    await databases.drop_database(base, url)


async def test_migrations_build_the_models_schema_on_sqlite(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    engine, _ = create_engine_and_sessionmaker(url)
    await upgrade(engine)
    assert await current_revision(engine) == head_revision()
    await engine.dispose()
    assert await _diff(url) == []


@pytest.mark.postgres
async def test_migrations_build_the_models_schema_on_postgres(postgres_url: str):
    assert await _diff(postgres_url) == []


@pytest.mark.postgres
async def test_an_unmigrated_postgres_is_refused_with_what_to_run(empty_postgres: str):
    with pytest.raises(SchemaNotReady) as refused:
        await start_services(empty_postgres, FAQ_DIR)
    message = str(refused.value)
    assert "never migrated" in message and "wenjiao db upgrade" in message
    assert "--migrate" in message


@pytest.mark.postgres
async def test_migrate_at_start_upgrades_then_plain_starts_work(empty_postgres: str):
    first = await start_services(empty_postgres, FAQ_DIR, migrate=True)
    assert first.seed_report is not None and first.seed_report.added
    await first.close()
    again = await start_services(empty_postgres, FAQ_DIR)  # migrated now: no refusal
    assert again.seed_report is not None and not again.seed_report.changed
    assert len(again.catalog.engine.entries) == len(first.catalog.engine.entries)
    await again.close()


@pytest.mark.postgres
async def test_a_newer_schema_than_the_code_knows_is_refused(empty_postgres: str):
    engine, _ = create_engine_and_sessionmaker(empty_postgres)
    await upgrade(engine)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    await engine.dispose()
    with pytest.raises(SchemaNotReady, match="from_the_future"):
        await start_services(empty_postgres, FAQ_DIR)


async def test_a_sqlite_file_is_migrated_at_start(tmp_path: Path):
    path = tmp_path / "fresh.db"
    running = await start_services(f"sqlite+aiosqlite:///{path}", FAQ_DIR)
    await running.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
            head_revision(),)


async def test_a_sqlite_file_made_before_migrations_is_adopted_with_its_data(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'legacy.db'}"
    engine, _ = create_engine_and_sessionmaker(url)
    await create_schema(engine)  # how the store was made before Alembic
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO meta (key, value) VALUES ('kept', 'yes')"))
    await engine.dispose()

    running = await start_services(url, FAQ_DIR)
    async with running.sessionmaker() as session:
        assert (await session.execute(text("SELECT value FROM meta WHERE key = 'kept'"))
                ).scalar() == "yes"
    assert await current_revision(running.db) == head_revision()
    await running.close()
    assert await _diff(url) == []


async def test_upgrade_twice_changes_nothing_the_second_time(tmp_path: Path):
    engine, _ = create_engine_and_sessionmaker(f"sqlite+aiosqlite:///{tmp_path / 'twice.db'}")
    assert "upgraded" in await upgrade(engine)
    assert "already at" in await upgrade(engine)
    await engine.dispose()


def test_the_revision_start_up_checks_is_the_newest_migration():
    # A start on a database already at SCHEMA_REVISION skips Alembic: a migration added without
    # bumping it would leave every SQLite file un-upgraded.
    assert SCHEMA_REVISION == head_revision()


async def test_a_database_one_migration_behind_is_upgraded_at_start(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'behind.db'}"
    engine, _ = create_engine_and_sessionmaker(url)
    await upgrade(engine, "0003")
    await ensure_schema(engine)
    assert await current_revision(engine) == SCHEMA_REVISION
    await engine.dispose()


REMOVING = {"drop_table", "drop_column", "rename_table"}


def test_migrations_only_add_so_old_workers_run_on_the_new_schema():
    """A rolling upgrade (``wenjiao restart-workers``, docs/operations.md) runs old workers on
    the migrated schema for a few seconds: an upgrade may add, never remove or rename, and a new
    column an old worker does not know must have a default or allow NULL."""
    import ast

    versions = Path(__file__).resolve().parents[2] / "migrations" / "versions"
    files = sorted(versions.glob("0*.py"))
    assert files
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        (upgrade,) = [f for f in tree.body if isinstance(f, ast.FunctionDef)
                      and f.name == "upgrade"]
        for call in (n for n in ast.walk(upgrade) if isinstance(n, ast.Call)):
            name = call.func.attr if isinstance(call.func, ast.Attribute) else ""
            keywords = {k.arg: k.value for k in call.keywords}
            assert name not in REMOVING, f"{path.name}: {name} in upgrade()"
            assert not (name == "alter_column" and "new_column_name" in keywords), path.name
            if name == "add_column":
                (column,) = [a for a in call.args if isinstance(a, ast.Call)]
                options = {k.arg: k.value for k in column.keywords}
                nullable = options.get("nullable")
                assert "server_default" in options or not (
                    isinstance(nullable, ast.Constant) and nullable.value is False), path.name
