"""Seeding: created on first start, idempotent, never over an admin's edit."""

from sqlalchemy import func, select

from intents import load_content
from services.db import create_engine_and_sessionmaker, create_schema
from services.db import repositories as repo
from services.db.models import Entry, EntryRevision
from services.content.seed import seed_entries
from tests.conftest import FAQ_DIR


async def test_seed_is_idempotent_and_keeps_admin_edits(tmp_path):
    entries = list(load_content(FAQ_DIR).entries)
    engine, sessionmaker = create_engine_and_sessionmaker(f"sqlite+aiosqlite:///{tmp_path/'s.db'}")
    await create_schema(engine)
    async with sessionmaker.begin() as session:
        first = await seed_entries(session, entries)
    assert len(first.added) == len(entries)
    async with sessionmaker.begin() as session:
        version = await repo.content_version(session)
        second = await seed_entries(session, entries)
        assert second.unchanged == len(entries) and not second.changed
        assert await repo.content_version(session) == version  # nothing to reload
        revisions = await session.scalar(select(func.count()).select_from(EntryRevision))
        assert revisions == len(entries)

    # an admin edits one entry; the files change that entry and another one
    target, other = entries[0], entries[1]
    async with sessionmaker.begin() as session:
        row = await session.get(Entry, target.id)
        row.published = {**row.published, "answer": "管理员改过的回答"}
        row.edited = True
    changed = [e.model_copy(update={"answer": e.answer + "（更新）"}) if e.id in (target.id, other.id)
               else e for e in entries]
    async with sessionmaker.begin() as session:
        third = await seed_entries(session, changed)
    assert third.kept_admin_edits == [target.id]
    assert third.updated == [other.id]
    async with sessionmaker() as session:
        assert (await session.get(Entry, target.id)).published["answer"] == "管理员改过的回答"
        assert (await session.get(Entry, other.id)).published["answer"].endswith("（更新）")
    await engine.dispose()


async def test_sqlite_runs_in_wal_mode(tmp_path):
    engine, _ = create_engine_and_sessionmaker(f"sqlite+aiosqlite:///{tmp_path/'w.db'}")
    async with engine.connect() as conn:
        mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
    assert mode == "wal"
    await engine.dispose()
