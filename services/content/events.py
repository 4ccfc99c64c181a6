"""Tell every worker at once that the published content changed (Redis pub/sub).

Every change to published content bumps the store's content version (seed, publish, revert,
delete all go through ``repositories.bump_content_version``), and every process already polls that
version (``Catalog.watch``). This module adds the push: a hook on this sessionmaker's sessions notices the bump and, once
the transaction has committed, publishes the new version on a Redis channel; every worker
subscribed to it refreshes its catalog at once. Hooking the bump itself, rather than each admin
action, means no code path that changes content can forget to announce it.

Pub/sub is fire-and-forget: a worker that is reconnecting misses the message. The poll stays as
the guarantee, the push only makes it immediate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from services.db.models import Meta
from services.db.repositories import CONTENT_VERSION
from services.platform.redis_guard import RedisGuard, redis_down

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from services.content.catalog import Catalog

log = logging.getLogger(__name__)

CHANNEL = "wenjiao:content"
_NOTIFY = "wenjiao.on_content_commit"  # session.info: the callback, set per sessionmaker
_BUMPED = "wenjiao.content_bumped"  # session.info: the version bumped in this transaction
RECONNECT_SECONDS = 1.0


def on_content_commit(sessionmaker: async_sessionmaker[AsyncSession],
                      callback: Callable[[int], None]) -> None:
    """Call ``callback(version)`` after each commit (through ``sessionmaker``) that bumped it.

    The hooks go on a session class made for this sessionmaker alone, not on SQLAlchemy's
    ``Session`` for the whole process: importing this module changes nothing, and another
    sessionmaker (a test's, a CLI command's) is untouched.
    """

    class AnnouncingSession(Session):
        """A session whose commits announce a content-version bump."""

    event.listen(AnnouncingSession, "after_flush", _seen_bump)
    event.listen(AnnouncingSession, "after_commit", _announce)
    event.listen(AnnouncingSession, "after_soft_rollback", _forget)
    sessionmaker.configure(sync_session_class=AnnouncingSession, info={_NOTIFY: callback})


def _seen_bump(session: Session, _context: Any) -> None:
    if _NOTIFY not in session.info:
        return
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Meta) and obj.key == CONTENT_VERSION:
            session.info[_BUMPED] = int(obj.value)


def _announce(session: Session) -> None:
    version = session.info.pop(_BUMPED, None)
    callback = session.info.get(_NOTIFY)
    if version is not None and callback is not None:
        callback(version)


def _forget(session: Session, _previous: Any) -> None:
    session.info.pop(_BUMPED, None)


class ContentEvents:
    """Publishes this process's content changes and refreshes the catalog on everyone's."""

    def __init__(self, redis: Redis, catalog: Catalog, guard: RedisGuard,
                 channel: str = CHANNEL) -> None:
        self._redis = redis
        self._catalog = catalog
        self._guard = guard
        self._channel = channel
        self._tasks: set[asyncio.Task[None]] = set()
        self.handled = 0  # notifications whose refresh has finished (for tests and logs)

    def announce(self, version: int) -> None:
        """Publish ``version`` in the background (called from the commit hook, not awaited)."""
        task = asyncio.get_running_loop().create_task(self._publish(version))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _publish(self, version: int) -> None:
        async def nothing() -> None:
            return None

        await self._guard.run(lambda: self._redis.publish(self._channel, str(version)), nothing)

    async def listen(self) -> None:
        """Refresh the catalog on every notification, forever; reconnects after Redis failures."""
        while True:
            try:
                await self._listen_once()
            except redis_down() as exc:
                self._guard.failed(exc)
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen_once(self) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self._channel)
            self._guard.succeeded()
            # A publish missed while reconnecting is caught up by one refresh now.
            await self._refresh()
            while True:
                message = await pubsub.get_message(timeout=30.0)
                if message is not None:
                    await self._refresh()
                    self.handled += 1
        finally:
            with contextlib.suppress(*redis_down()):
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _refresh(self) -> None:
        try:
            await self._catalog.refresh()
        except Exception:  # the store may be briefly unavailable: the poll retries
            log.exception("content refresh after a notification failed")

    async def close(self) -> None:
        """Wait for publishes still in flight."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
