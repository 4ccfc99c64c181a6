"""Concurrent sessions on the SQLite store keep each other's writes.

The web app polls the store in the background (content version, the admin scheduler) while
requests write to it. A reader that finishes in the middle of a writer's transaction must not undo
the write: a login that was lost this way sent the admin back to the login page.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from services.db import create_engine_and_sessionmaker, create_schema
from services.db import repositories as repo


@pytest.fixture(params=["memory", "file"])
def sqlite_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "memory":
        return "sqlite+aiosqlite://"
    return f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"


async def test_a_reader_finishing_mid_transaction_does_not_undo_a_write(sqlite_url: str):
    engine, sessions = create_engine_and_sessionmaker(sqlite_url)
    await create_schema(engine)
    written = asyncio.Event()

    async def writer() -> None:
        async with sessions.begin() as session:
            await repo.set_meta(session, "login", "kept")
            await session.flush()
            written.set()
            await asyncio.sleep(0.05)  # the reader gets its turn while this transaction is open

    async def reader() -> None:
        await written.wait()
        async with sessions() as session:
            await repo.get_meta(session, "anything")

    try:
        await asyncio.wait_for(asyncio.gather(writer(), reader()), timeout=10)
        async with sessions() as session:
            assert await repo.get_meta(session, "login") == "kept"
    finally:
        await engine.dispose()
