"""Migration 0004: the inbox's ``kind`` column, up and down, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.db import Base, create_engine_and_sessionmaker
from services.db.migrate import alembic_config, current_revision, upgrade
from tests import databases

INSERT = text("INSERT INTO unanswered (key, text, count, best_score, resolved, last_seen) "
              "VALUES (:key, :text, 3, 0.1, false, CURRENT_TIMESTAMP)")


def _downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _columns(connection: Connection) -> list[str]:
    return [c["name"] for c in inspect(connection).get_columns("unanswered")]


async def _kinds(engine: AsyncEngine) -> list[tuple[str, str, int]]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT key, kind, count FROM unanswered ORDER BY key"))
        return [tuple(r) for r in rows]


async def _up_and_down(url: str) -> None:
    engine, _ = create_engine_and_sessionmaker(url)
    try:
        await upgrade(engine, "0003")
        async with engine.begin() as conn:
            await conn.execute(INSERT, {"key": "校服在哪里买", "text": "校服在哪里买？"})
        await upgrade(engine, "0004")
        assert await current_revision(engine) == "0004"
        assert await _kinds(engine) == [("校服在哪里买", "question", 3)]  # old rows: questions
        async with engine.begin() as conn:
            await conn.execute(INSERT, {"key": "食堂饭菜太差", "text": "食堂饭菜太差了"})
            await conn.execute(text("UPDATE unanswered SET kind = 'complaint' "
                                    "WHERE key = '食堂饭菜太差'"))
        with pytest.raises(IntegrityError):  # only the two kinds
            async with engine.begin() as conn:
                await conn.execute(text("UPDATE unanswered SET kind = 'praise'"))

        async with engine.begin() as conn:
            await conn.run_sync(_downgrade, "0003")
        assert await current_revision(engine) == "0003"
        async with engine.connect() as conn:
            assert "kind" not in await conn.run_sync(_columns)
            assert (await conn.execute(text("SELECT count(*) FROM unanswered"))).scalar() == 2

        await upgrade(engine)  # and up again: every row is a question once more
        assert [kind for _key, kind, _n in await _kinds(engine)] == ["question", "question"]
        async with engine.connect() as conn:  # exactly the models' schema again
            assert await conn.run_sync(_differences) == []
    finally:
        await engine.dispose()


@pytest.fixture
async def empty_postgres(postgres_url: str) -> AsyncIterator[str]:
    """A PostgreSQL database without a single table."""
    base = databases.postgres_base_url()
    assert base is not None
    url = await databases.empty_database(base, "kind")
    yield url
    await databases.drop_database(base, url)


async def test_kind_upgrades_and_downgrades_on_sqlite(tmp_path: Path):
    await _up_and_down(f"sqlite+aiosqlite:///{tmp_path / 'kind.db'}")


@pytest.mark.postgres
async def test_kind_upgrades_and_downgrades_on_postgres(empty_postgres: str):
    await _up_and_down(empty_postgres)
