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


async def test_two_processes_counting_on_one_sqlite_file_lose_no_update(tmp_path: Path):
    """Two workers on one SQLite file (two engines here) read-then-write the same row at once:
    both must succeed and both increments must count (a deferred transaction would fail one of
    them with "database is locked" when its read snapshot went stale)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    first, first_sessions = create_engine_and_sessionmaker(url)
    second, second_sessions = create_engine_and_sessionmaker(url)
    await create_schema(first)
    both_read = asyncio.Barrier(2)

    async def increment(sessions) -> None:
        async with sessions.begin() as session:
            count = int(await repo.get_meta(session, "count") or 0)
            try:  # both have read before either writes, unless the store makes them take turns
                await asyncio.wait_for(both_read.wait(), timeout=0.5)
            except TimeoutError:
                pass
            await repo.set_meta(session, "count", str(count + 1))

    try:
        await asyncio.wait_for(asyncio.gather(increment(first_sessions),
                                              increment(second_sessions)), timeout=30)
        async with first_sessions() as session:
            assert await repo.get_meta(session, "count") == "2"
    finally:
        await first.dispose()
        await second.dispose()


async def test_the_same_unanswered_question_sent_by_fifty_people_at_once_is_counted_fifty_times(
        services):
    """One upsert per question: no unique-key error, no exchange lost (SQLite and PostgreSQL)."""
    from services import IncomingMessage

    text = "学校门口的早餐摊几点出摊"
    replies = await asyncio.gather(*(
        services.dialog.handle(IncomingMessage(channel="test", user_id=f"p{n}", text=text))
        for n in range(50)))
    assert {r.kind for r in replies} == {"fallback"}
    async with services.sessionmaker() as session:
        [row] = await repo.list_unanswered(session)
        assert row.count == 50
        assert await repo.count_exchanges(session, channel="test") == 50


async def test_parallel_votes_and_event_counts_all_count_without_an_error(services):
    """Feedback and event counts are upserts too: a double tap stores one vote, and forty
    stickers at once count forty (a read-then-write lost some and raised unique-key errors)."""
    from services import IncomingMessage
    from services.db.models import Feedback
    from sqlalchemy import select

    log = services.dialog.exchanges
    exchange_id = await log.record(
        IncomingMessage(channel="test", user_id="p1", text="温心有约是什么"),
        "温心有约是什么", await services.dialog.handle(
            IncomingMessage(channel="test", user_id="p0", text="温心有约是什么")),
        flagged=False, unanswered=False, best_intent=None, elapsed=0.0)
    assert exchange_id is not None
    stored = await asyncio.gather(*(log.feedback(exchange_id, "test", "p1", v)
                                    for v in (1, -1) * 10))
    assert all(stored)
    await asyncio.gather(*(log.count_event("test", "sticker") for _ in range(40)))
    async with services.sessionmaker() as session:
        votes = (await session.scalars(select(Feedback).where(
            Feedback.exchange_id == exchange_id))).all()
        assert len(votes) == 1 and votes[0].value in (1, -1)
        assert await repo.get_meta(session, "events:test:sticker") == "40"
