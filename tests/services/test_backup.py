"""Backup and restore of the SQLite default: consistent while in use, careful when restoring."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from services import IncomingMessage, start_services
from services.platform.backup import BackupError, backup, restore, sqlite_path
from tests.conftest import FAQ_DIR


@pytest.fixture
async def live_db(tmp_path: Path):
    """A seeded SQLite file held open by running services, as under a server."""
    path = tmp_path / "live.db"
    running = await start_services(f"sqlite+aiosqlite:///{path}", FAQ_DIR)
    yield path, running
    await running.close()


def entries(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])


def test_only_a_sqlite_file_can_be_backed_up():
    assert sqlite_path("sqlite+aiosqlite:///var/x.db") == Path("var/x.db")
    with pytest.raises(BackupError, match="pg_dump"):
        sqlite_path("postgresql+asyncpg://u@h/db")
    with pytest.raises(BackupError, match="in-memory"):
        sqlite_path("sqlite+aiosqlite://")


async def test_a_backup_of_a_database_in_use_is_complete_and_self_contained(live_db, tmp_path):
    path, running = live_db
    await running.dialog.handle(IncomingMessage(channel="test", user_id="u",
                                                text="三坛教师评了多少名"))  # still in the WAL
    target = tmp_path / "copy.db"
    backup(path, target)
    assert entries(target) == entries(path) > 0
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM exchanges").fetchone()[0] == 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    with pytest.raises(BackupError, match="exists"):
        backup(path, target)


async def test_restore_brings_the_data_back_and_keeps_what_it_replaced(live_db, tmp_path):
    path, running = live_db
    copy = tmp_path / "copy.db"
    backup(path, copy)
    await running.close()
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM entry_revisions")
        conn.execute("DELETE FROM entries")
    kept = restore(copy, path)
    assert entries(path) == entries(copy) > 0
    assert kept is not None and kept.exists() and entries(kept) == 0


def test_restore_refuses_a_database_another_process_has_open_unless_forced(tmp_path):
    path, copy = tmp_path / "in_use.db", tmp_path / "copy.db"
    with sqlite3.connect(path) as conn:
        conn.executescript("CREATE TABLE entries (id); CREATE TABLE exchanges (id);"
                           "CREATE TABLE meta (key, value);")
    backup(path, copy)
    holder = subprocess.Popen(  # a "server" holding the database open
        [sys.executable, "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); "
         "c.execute('select 1 from meta').fetchall(); print('open', flush=True); input()",
         str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(BackupError, match=f"in use by process {holder.pid}"):
            restore(copy, path)
        assert restore(copy, path, force=True) is not None
    finally:
        holder.communicate("\n", timeout=10)


def test_restore_refuses_a_file_that_is_not_a_wenjiao_backup(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="not a SQLite database"):
        restore(junk, tmp_path / "target.db")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(BackupError, match="not a wenjiao one"):
        restore(other, tmp_path / "target.db")
