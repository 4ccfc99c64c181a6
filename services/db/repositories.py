"""Queries and writes, as async functions taking the session first. They never commit:
the caller owns the transaction (``async with sessionmaker.begin() as session``)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, Text, cast, func, select, update
from sqlalchemy.dialects.postgresql import Insert as PostgresqlInsert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.db.base import Base, utcnow
from services.db.models import (
    Entry,
    Exchange,
    Feedback,
    InboxKind,
    Meta,
    UnansweredQuestion,
)

Insert = PostgresqlInsert | SqliteInsert
CONTENT_VERSION = "content_version"
USER_SALT = "user_salt"


async def get_meta(session: AsyncSession, key: str) -> str | None:
    """A meta value, or None."""
    row = await session.get(Meta, key)
    return row.value if row else None


async def set_meta(session: AsyncSession, key: str, value: str) -> None:
    """Set a meta value."""
    row = await session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


async def content_version(session: AsyncSession) -> int:
    """The published-content version: every process polls it to know when to reload."""
    return int(await get_meta(session, CONTENT_VERSION) or 0)


async def bump_content_version(session: AsyncSession) -> int:
    """Mark the published content as changed; returns the new version."""
    version = await content_version(session) + 1
    await set_meta(session, CONTENT_VERSION, str(version))
    return version


async def user_salt(session: AsyncSession) -> bytes:
    """The salt for user-id hashes, created once per database."""
    value = await get_meta(session, USER_SALT)
    if value is None:
        value = secrets.token_hex(32)
        await set_meta(session, USER_SALT, value)
    return bytes.fromhex(value)


async def published_entries(session: AsyncSession) -> list[dict[str, Any]]:
    """The published data of every entry that is not deleted."""
    rows = await session.scalars(
        select(Entry.published).where(Entry.deleted.is_(False), Entry.published.is_not(None))
        .order_by(Entry.id)
    )
    return [row for row in rows if row]


async def log_exchange(session: AsyncSession, **fields: Any) -> int:
    """Store one (already redacted) exchange; returns its id."""
    exchange = Exchange(**fields)
    session.add(exchange)
    await session.flush()
    return exchange.id


async def record_unanswered(
    session: AsyncSession, key: str, text: str, best_intent: str | None, best_score: float,
    kind: InboxKind = "question",
) -> None:
    """Count a redacted unanswered question (or complaint: ``kind``) under its normalised key.

    One atomic upsert (``INSERT … ON CONFLICT (key) DO UPDATE SET count = count + 1``, on
    PostgreSQL and SQLite alike): the same question sent by many people at once is counted once
    each, never a unique-key error and a lost exchange. The row keeps the newest wording and
    kind.
    """
    now = utcnow()
    statement = upsert_insert(session, UnansweredQuestion).values(
        key=key[:300], text=text, best_intent=best_intent, best_score=best_score, kind=kind,
        count=1, resolved=False, first_seen=now, last_seen=now)
    await session.execute(statement.on_conflict_do_update(
        index_elements=[UnansweredQuestion.key],
        set_={"count": UnansweredQuestion.count + 1, "last_seen": statement.excluded.last_seen,
              "text": statement.excluded.text, "kind": statement.excluded.kind}))


def upsert_insert(session: AsyncSession, table: type[Base]) -> Insert:
    """An INSERT of ``table`` for the session's database that offers ``on_conflict_do_…``.

    PostgreSQL and SQLite spell upserts alike but SQLAlchemy builds them per dialect; this is
    the one place that picks.
    """
    dialect = session.bind.dialect.name if session.bind is not None else ""
    if dialect == "postgresql":
        return postgresql_insert(table)
    return sqlite_insert(table)


async def list_unanswered(session: AsyncSession, limit: int = 100) -> Sequence[UnansweredQuestion]:
    """Open unanswered questions, most asked first."""
    rows = await session.scalars(
        select(UnansweredQuestion).where(UnansweredQuestion.resolved.is_(False))
        .order_by(UnansweredQuestion.count.desc(), UnansweredQuestion.last_seen.desc())
        .limit(limit)
    )
    return rows.all()


async def set_feedback(session: AsyncSession, exchange_id: int, user_hash: str, value: int, *,
                       own: bool = False) -> bool:
    """Store or change a user's vote on an exchange; False when the exchange does not exist (or,
    with ``own``, was not one of this user's: its ``user_hash`` differs).

    One upsert on UNIQUE(exchange_id, user_hash): two taps arriving at once store one vote, the
    later value, and neither gets a unique-key error.
    """
    exchange = await session.get(Exchange, exchange_id)
    if exchange is None or (own and exchange.user_hash != user_hash):
        return False
    statement = upsert_insert(session, Feedback).values(
        exchange_id=exchange_id, user_hash=user_hash, value=value, created_at=utcnow())
    await session.execute(statement.on_conflict_do_update(
        index_elements=[Feedback.exchange_id, Feedback.user_hash],
        set_={"value": statement.excluded.value}))
    return True


async def increment_meta(session: AsyncSession, key: str) -> None:
    """Add one to the count kept as the meta value ``key`` (created at 1), in one statement.

    ``INSERT … ON CONFLICT DO UPDATE SET value = value + 1``: parallel increments all count,
    where a read-then-write would lose some.
    """
    statement = upsert_insert(session, Meta).values(key=key, value="1")
    await session.execute(statement.on_conflict_do_update(
        index_elements=[Meta.key],
        set_={"value": cast(cast(Meta.value, Integer) + 1, Text)}))


async def count_exchanges(session: AsyncSession, **where: Any) -> int:
    """How many exchanges match the given column values."""
    query = select(func.count()).select_from(Exchange)
    for column, value in where.items():
        query = query.where(getattr(Exchange, column) == value)
    return int(await session.scalar(query) or 0)


async def mark_unanswered_resolved(session: AsyncSession, ids: Sequence[int]) -> None:
    """Close unanswered questions that an admin has dealt with."""
    await session.execute(
        update(UnansweredQuestion).where(UnansweredQuestion.id.in_(ids)).values(resolved=True)
    )
