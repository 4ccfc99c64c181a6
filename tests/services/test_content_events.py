"""Content-change notification: announced once per committed bump, never for a rollback."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from redis.asyncio import Redis

from services import Services
from services.content.events import ContentEvents, on_content_commit
from services.db import repositories as repo
from services.db.models import Entry
from services.platform.redis_guard import RedisGuard


async def test_a_committed_bump_is_announced_once_with_its_version(services: Services):
    heard: list[int] = []
    on_content_commit(services.sessionmaker, heard.append)
    async with services.sessionmaker.begin() as session:
        version = await repo.bump_content_version(session)
        assert heard == []  # not before the commit: others would reload the old content
    assert heard == [version]
    async with services.sessionmaker.begin() as session:
        await repo.set_meta(session, "unrelated", "x")
    assert heard == [version]


async def test_a_rolled_back_bump_is_not_announced(services: Services):
    heard: list[int] = []
    on_content_commit(services.sessionmaker, heard.append)
    async with services.sessionmaker() as session:
        await repo.bump_content_version(session)
        await session.flush()
        await session.rollback()
    async with services.sessionmaker.begin() as session:
        await repo.set_meta(session, "unrelated", "y")
    assert heard == []


@pytest.mark.redis
async def test_a_notification_refreshes_the_catalog_of_the_listening_process(
        services: Services, redis_url: str):
    channel = f"wenjiao-test:content:{uuid.uuid4().hex}"
    redis = Redis.from_url(redis_url)
    events = ContentEvents(redis, services.catalog, RedisGuard(), channel=channel)
    listener = asyncio.create_task(events.listen())
    entry_id = services.catalog.engine.entries[0].id
    while events.handled == 0:  # until the listener has subscribed and is idle
        await redis.publish(channel, "1")
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # let the last of those notifications be handled
    async with services.sessionmaker.begin() as session:  # a change made by another process
        row = await session.get(Entry, entry_id)
        assert row is not None and row.published is not None
        row.published = {**row.published, "answer": "新的答案（测试）"}
        await repo.bump_content_version(session)
    handled = events.handled
    await redis.publish(channel, "2")
    for _ in range(300):  # the refresh rebuilds the engine in a thread
        if events.handled > handled:
            break
        await asyncio.sleep(0.05)
    assert services.catalog.engine.entry(entry_id).answer == "新的答案（测试）"
    listener.cancel()
    await asyncio.gather(listener, return_exceptions=True)
    await redis.aclose()


def test_importing_the_module_hooks_nothing_onto_sqlalchemys_session():
    """The hooks live on a session class of one sessionmaker, not on every Session there is."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from services.content import events

    for name, hook in (("after_flush", events._seen_bump), ("after_commit", events._announce),
                       ("after_soft_rollback", events._forget)):
        assert not event.contains(Session, name, hook)
