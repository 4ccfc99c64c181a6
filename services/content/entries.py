"""Stored entries as the admin services read and write them.

The one write path: :func:`write` applies a change only if the row still has the version the
caller read (a conditional UPDATE, so two processes racing cannot both win) and adds the revision
row in the same transaction. Every admin change to an entry goes through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.content import documents as docs
from services.db import repositories as repo
from services.db.base import utcnow
from services.db.models import Entry, EntryRevision
from services.errors import Conflict, NotFound
from services.platform.timeutil import as_utc


@dataclass(frozen=True, slots=True)
class EntryView:
    """One entry as the editor and the API see it."""

    id: str
    topic: str
    title: str
    status: str
    version: int
    published: dict[str, Any] | None
    draft: dict[str, Any] | None
    publish_at: datetime | None
    updated_at: datetime
    updated_by: str

    @property
    def current(self) -> dict[str, Any]:
        """The draft when there is one, else the published document."""
        return dict(self.draft if self.draft is not None else self.published or {})

    @classmethod
    def of(cls, row: Entry) -> EntryView:
        """The view of a stored row."""
        doc = docs.current(row)
        return cls(row.id, str(doc.get("topic") or row.topic), str(doc.get("title") or row.id),
                   docs.status(row), row.version, row.published, row.draft,
                   as_utc(row.publish_at) if row.publish_at else None, as_utc(row.updated_at),
                   row.updated_by)


async def write(session: AsyncSession, row: Entry, expected: int | None, author: str,
                action: str, data: dict[str, Any], **values: Any) -> EntryView:
    """Apply ``values`` only if the row still has ``expected`` version; add a revision."""
    expected = row.version if expected is None else expected
    new = expected + 1
    result = await session.execute(
        update(Entry).where(Entry.id == row.id, Entry.version == expected)
        .values(version=new, updated_by=author, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"条目已被他人修改（您编辑的是第 {expected} 版，现在是第 {row.version} "
                       "版）。请重新打开后再改，您的内容没有保存。", row.version)
    session.add(EntryRevision(entry_id=row.id, version=new, action=action, data=data,
                              author=author))
    await session.flush()
    await session.refresh(row)
    return EntryView.of(row)


async def publish_row(session: AsyncSession, row: Entry, version: int | None, author: str,
                      doc: dict[str, Any]) -> EntryView:
    """Make ``doc`` the published text and mark the content changed for every process."""
    view = await write(session, row, version, author, "publish", doc, published=doc,
                       draft=None, publish_at=None, topic=doc["topic"], edited=True)
    await repo.bump_content_version(session)
    return view


async def get_row(session: AsyncSession, entry_id: str) -> Entry:
    """The stored entry (deleted ones too), or :class:`NotFound`."""
    row = await session.get(Entry, entry_id)
    if row is None:
        raise NotFound(f"没有条目 {entry_id}。")
    return row


async def live_row(session: AsyncSession, entry_id: str) -> Entry:
    """The stored entry; :class:`Conflict` when it is deleted (restore it first)."""
    row = await get_row(session, entry_id)
    if row.deleted:
        raise Conflict(f"条目 {entry_id} 已删除；请先恢复。", row.version)
    return row


async def live_ids(session: AsyncSession) -> set[str]:
    """Ids of every entry that is not deleted (what ``related`` may point at)."""
    return set(await session.scalars(select(Entry.id).where(Entry.deleted.is_(False))))
