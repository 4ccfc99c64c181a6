"""What several workers share through Redis: conversations and content-change notifications.

Without ``WENJIAO_REDIS_URL`` none of this runs and each process keeps its state in memory. With
it, conversations live in Redis (falling back to memory while Redis is down, see
services/platform/redis_guard.py) and a content change made by any worker is pushed to all of them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from bot.keys import REDIS, REDIS_GUARD, SERVICES
from services.content import ContentEvents, on_content_commit
from services.dialogue import ConversationStore, shared_store


def conversation_store(app: web.Application) -> ConversationStore | None:
    """The shared conversation store when Redis is configured (None: the dialogue's default)."""
    if REDIS not in app:
        return None
    return shared_store(app[REDIS], app[REDIS_GUARD])


async def content_events_context(app: web.Application) -> AsyncIterator[None]:
    """Announce this process's content changes and follow everyone else's (Redis pub/sub)."""
    if REDIS not in app:
        yield
        return
    services = app[SERVICES]
    events = ContentEvents(app[REDIS], services.catalog, app[REDIS_GUARD])
    on_content_commit(services.sessionmaker, events.announce)
    task = asyncio.create_task(events.listen())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await events.close()
