"""The content lifecycle staff drive: drafts, publishing (now or scheduled), soft delete, revert.

Rules: editors save drafts; publishers and admins publish, schedule, delete and restore. Every
write is a conditional UPDATE on the version it read (optimistic locking: a stale save is a
:class:`Conflict`, never an overwrite), adds a revision row and an audit row in one transaction,
and a change to the published content bumps the content version so that every process reloads.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.content import documents as docs
from services.content.catalog import Catalog
from services.content.entries import EntryView, get_row, live_ids, live_row, publish_row, write
from services.content.history import Revision, history
from services.db import repositories as repo
from services.db.base import utcnow
from services.db.models import Entry, EntryRevision
from services.errors import Conflict, Invalid, NotFound
from services.platform import audit
from services.platform.roles import Principal, require
from services.platform.timeutil import as_utc

log = logging.getLogger(__name__)


class AdminService:
    """Entries: list, read, create, save, publish, schedule, delete, restore, revert."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], catalog: Catalog) -> None:
        self._sessionmaker = sessionmaker
        self.catalog = catalog

    # -- reading -----------------------------------------------------------------------------

    async def list_entries(self, q: str = "", topic: str = "",
                           status: str = "") -> list[EntryView]:
        """Entries whose text contains every word of ``q`` (in any order: "校车 时间" finds
        "校车几点到……的时间"), of ``topic`` and ``status`` (blank: any)."""
        async with self._sessionmaker() as session:
            rows = (await session.scalars(select(Entry).order_by(Entry.id))).all()
        words = self.catalog.normalizer(q).split() if q.strip() else []
        out = []
        for row in rows:
            view = EntryView.of(row)
            if (topic and view.topic != topic) or (status and view.status != status):
                continue
            if not status and view.status == "deleted":
                continue
            if words and not self._has_words(view, words):
                continue
            out.append(view)
        return out

    def _has_words(self, view: EntryView, words: list[str]) -> bool:
        haystack = self._haystack(view)
        return all(word in haystack for word in words)

    def _haystack(self, view: EntryView) -> str:
        doc = view.current
        parts = [view.id, str(doc.get("title", "")), str(doc.get("answer", "")),
                 *doc.get("questions", []), *doc.get("keywords", [])]
        return self.catalog.normalizer(" \n ".join(parts)) + " " + view.id

    async def get(self, entry_id: str) -> EntryView:
        """One entry (deleted ones too)."""
        async with self._sessionmaker() as session:
            return EntryView.of(await get_row(session, entry_id))

    async def history(self, entry_id: str) -> list[Revision]:
        """Every revision of the entry, newest first, each with its diff."""
        return await history(self._sessionmaker, entry_id)

    async def entry_ids(self) -> set[str]:
        """Ids of every entry that is not deleted (for checking ``related``)."""
        async with self._sessionmaker() as session:
            return await live_ids(session)

    # -- writing -----------------------------------------------------------------------------

    async def create(self, actor: Principal, data: dict[str, Any], ip: str = "") -> EntryView:
        """A new entry as a draft (nothing is answered until it is published)."""
        require(actor, "editor", "新建条目")
        doc = docs.clean(data)
        docs.check(doc, strict=False, known_ids=await self.entry_ids())
        async with self._sessionmaker.begin() as session:
            if await session.get(Entry, doc["id"]) is not None:
                raise Conflict(f"编号 {doc['id']} 已被使用（也可能在已删除的条目里）。")
            row = Entry(id=doc["id"], topic=doc["topic"], published=None, draft=doc, version=1,
                        edited=True, updated_by=actor.username)
            session.add(row)
            session.add(EntryRevision(entry_id=row.id, version=1, action="create", data=doc,
                                      author=actor.username))
            await audit.record(session, actor.username, "entry_create", row.id, "", ip)
            await session.flush()
            return EntryView.of(row)

    async def save(self, actor: Principal, entry_id: str, data: dict[str, Any],
                   version: int | None, ip: str = "", action: str = "edit") -> EntryView:
        """Save a draft over the version the editor started from (stale: Conflict)."""
        require(actor, "editor", "编辑条目")
        if version is None:
            raise Invalid("保存时必须带上所编辑的版本号。", [("version", "必填")])
        doc = docs.clean({**data, "id": data.get("id", entry_id)})
        if doc["id"] != entry_id:
            raise Invalid("条目编号不能修改。", [("id", "不能修改")])
        docs.check(doc, strict=False, known_ids=await self.entry_ids())
        async with self._sessionmaker.begin() as session:
            row = await live_row(session, entry_id)
            detail = "（已取消定时发布）" if row.publish_at else ""
            view = await write(session, row, version, actor.username, action, doc,
                               draft=doc, publish_at=None, edited=True)
            await audit.record(session, actor.username, f"entry_{action}", entry_id, detail, ip)
            return view

    async def publish(self, actor: Principal, entry_id: str, version: int | None = None,
                      at: datetime | None = None, ip: str = "") -> EntryView:
        """Publish the draft now, or at ``at`` when that is in the future."""
        require(actor, "publisher", "发布")
        async with self._sessionmaker.begin() as session:
            row = await live_row(session, entry_id)
            if row.draft is None:
                raise Conflict("没有待发布的修改。", row.version)
            entry = docs.check(docs.clean(row.draft), strict=True,
                               known_ids=await live_ids(session))
            doc = entry.model_dump(mode="json")
            if at is not None and as_utc(at) > utcnow():
                view = await write(session, row, version, actor.username, "schedule", doc,
                                   publish_at=as_utc(at))
                await audit.record(session, actor.username, "entry_schedule", entry_id,
                                   as_utc(at).isoformat(), ip)
                return view
            view = await publish_row(session, row, version, actor.username, doc)
            await audit.record(session, actor.username, "entry_publish", entry_id, "", ip)
        await self._reload()
        return view

    async def unschedule(self, actor: Principal, entry_id: str, ip: str = "") -> EntryView:
        """Cancel a scheduled publish; the draft stays."""
        require(actor, "publisher", "取消定时发布")
        async with self._sessionmaker.begin() as session:
            row = await live_row(session, entry_id)
            if row.publish_at is None:
                raise Conflict("这个条目没有定时发布。", row.version)
            view = await write(session, row, None, actor.username, "unschedule", docs.current(row),
                               publish_at=None)
            await audit.record(session, actor.username, "entry_unschedule", entry_id, "", ip)
            return view

    async def discard_draft(self, actor: Principal, entry_id: str, version: int | None,
                            ip: str = "") -> EntryView:
        """Drop the unpublished draft of a published entry (kept in the history)."""
        require(actor, "editor", "放弃草稿")
        async with self._sessionmaker.begin() as session:
            row = await live_row(session, entry_id)
            if row.draft is None or row.published is None:
                raise Conflict("没有可放弃的草稿（从未发布的条目请用删除）。", row.version)
            view = await write(session, row, version, actor.username, "discard", row.published,
                               draft=None, publish_at=None)
            await audit.record(session, actor.username, "entry_discard", entry_id, "", ip)
            return view

    async def delete(self, actor: Principal, entry_id: str, version: int | None = None,
                     ip: str = "") -> EntryView:
        """Soft delete: the entry stops being answered and can be restored."""
        require(actor, "publisher", "删除条目")
        async with self._sessionmaker.begin() as session:
            row = await live_row(session, entry_id)
            was_live = row.published is not None
            view = await write(session, row, version, actor.username, "delete", docs.current(row),
                               deleted=True, publish_at=None)
            await audit.record(session, actor.username, "entry_delete", entry_id, "", ip)
            if was_live:
                await repo.bump_content_version(session)
        await self._reload()
        return view

    async def restore(self, actor: Principal, entry_id: str, ip: str = "") -> EntryView:
        """Undo a soft delete: the entry comes back as it was (answered again if published)."""
        require(actor, "publisher", "恢复条目")
        async with self._sessionmaker.begin() as session:
            row = await get_row(session, entry_id)
            if not row.deleted:
                raise Conflict("这个条目没有被删除。", row.version)
            view = await write(session, row, None, actor.username, "restore", docs.current(row),
                               deleted=False)
            await audit.record(session, actor.username, "entry_restore", entry_id, "", ip)
            if row.published is not None:
                await repo.bump_content_version(session)
        await self._reload()
        return view

    async def revert(self, actor: Principal, entry_id: str, revision_id: int,
                     version: int | None = None, publish: bool = False,
                     ip: str = "") -> EntryView:
        """Make an old revision the draft again (a new revision); publish it too if asked."""
        require(actor, "publisher" if publish else "editor", "恢复并发布" if publish else "恢复")
        async with self._sessionmaker() as session:
            old = await session.get(EntryRevision, revision_id)
            row = await live_row(session, entry_id)
        if old is None or old.entry_id != entry_id:
            raise NotFound(f"条目 {entry_id} 没有第 {revision_id} 号修订。")
        view = await self.save(actor, entry_id, dict(old.data),
                               row.version if version is None else version, ip, action="revert")
        if publish:
            view = await self.publish(actor, entry_id, view.version, ip=ip)
        return view

    async def publish_due(self, now: datetime | None = None) -> list[str]:
        """Publish every scheduled entry whose time has come; returns their ids."""
        now = now or utcnow()
        done: list[str] = []
        async with self._sessionmaker.begin() as session:
            rows = (await session.scalars(select(Entry).where(
                Entry.publish_at.is_not(None), Entry.publish_at <= now,
                Entry.deleted.is_(False)))).all()
            for row in rows:
                if row.draft is None:
                    continue
                by = await session.scalar(
                    select(EntryRevision.author).where(EntryRevision.entry_id == row.id,
                                                       EntryRevision.action == "schedule")
                    .order_by(EntryRevision.id.desc()).limit(1)) or "scheduler"
                try:
                    entry = docs.check(docs.clean(row.draft), strict=True)
                except Invalid as exc:  # cannot happen through the services; never loop on it
                    log.warning("scheduled entry invalid", extra={"entry": row.id})
                    await write(session, row, None, "scheduler",
                                "unschedule", row.draft, publish_at=None)
                    await audit.record(session, "scheduler", "entry_unschedule", row.id,
                                       exc.message)
                    continue
                try:
                    await publish_row(session, row, row.version, by,
                                      entry.model_dump(mode="json"))
                except Conflict:  # another process published it a moment ago
                    continue
                await audit.record(session, "scheduler", "entry_publish", row.id, f"由 {by} 预定")
                done.append(row.id)
        if done:
            await self._reload()
        return done

    # -- helpers -----------------------------------------------------------------------------

    async def _reload(self) -> None:
        """Swap in the new content here at once; other processes follow within a poll."""
        try:
            await self.catalog.refresh()
        except Exception:  # the change is committed; the watcher will retry
            log.exception("content reload after an admin change failed")
