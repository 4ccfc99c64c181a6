"""Seed the store from ``faq_data/``: idempotent, and never over an admin's edit.

An entry from the files is inserted when new and updated when its file version changed, unless an
admin has edited it in the database: then the database wins and the file change is reported, so
that content is never lost in either direction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from intents import FaqEntry
from services.db.models import Entry, EntryRevision
from services.db.repositories import bump_content_version

_CHUNK = 500  # ids per IN (...) when reading what the store holds


def entry_data(entry: FaqEntry) -> dict[str, Any]:
    """An entry as the JSON document the store keeps."""
    return entry.model_dump(mode="json")


def data_hash(data: dict[str, Any]) -> str:
    """A stable hash of an entry document."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class SeedReport:
    """What a seeding run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept_admin_edits: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """Whether the published content changed."""
        return bool(self.added or self.updated)


async def seed_entries(session: AsyncSession, entries: list[FaqEntry]) -> SeedReport:
    """Insert or update the file entries; keep every entry an admin has edited.

    The store's hashes are read in one query per 500 entries, not one per entry: every start
    seeds, and nearly always finds nothing changed (one round trip instead of 154 on the shipped
    content). Only a changed entry's row is loaded whole."""
    report = SeedReport()
    known: dict[str, tuple[str | None, bool]] = {}
    ids = [entry.id for entry in entries]
    for start in range(0, len(ids), _CHUNK):
        rows = await session.execute(select(Entry.id, Entry.seed_hash, Entry.edited)
                                     .where(Entry.id.in_(ids[start:start + _CHUNK])))
        known.update((row.id, (row.seed_hash, row.edited)) for row in rows)
    for entry in entries:  # ids are unique: the loader refuses an id used twice
        data = entry_data(entry)
        digest = data_hash(data)
        seed_hash, edited = known.get(entry.id, (None, False))
        if entry.id not in known:
            session.add(Entry(id=entry.id, topic=entry.topic, published=data, version=1,
                              seed_hash=digest, updated_by="seed"))
            session.add(EntryRevision(entry_id=entry.id, version=1, action="seed", data=data,
                                      author="seed"))
            report.added.append(entry.id)
        elif seed_hash == digest:
            report.unchanged += 1
        elif edited:
            report.kept_admin_edits.append(entry.id)
        else:
            row = await session.get(Entry, entry.id)
            assert row is not None  # just read in this transaction
            row.published, row.topic, row.seed_hash = data, entry.topic, digest
            row.version += 1
            row.updated_by = "seed"
            session.add(EntryRevision(entry_id=entry.id, version=row.version, action="seed",
                                      data=data, author="seed"))
            report.updated.append(entry.id)
    await session.flush()
    if report.changed:
        await bump_content_version(session)
    return report
