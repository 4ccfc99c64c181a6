"""Backup and restore of the default SQLite database, with SQLite's online backup API.

The backup API copies a consistent snapshot page by page while the server keeps answering (a
plain file copy of a database in WAL mode can miss the pages still in the ``-wal`` file).
Restoring over a database that a running server has open would pull the data from under it, so
:func:`restore` refuses when it can see the file in use, unless forced; before overwriting, it
keeps a copy of what was there. PostgreSQL has its own tools (``pg_dump`` / ``pg_restore``).
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """A backup or restore that cannot be done, with the reason for the user."""


def sqlite_path(database_url: str) -> Path:
    """The file of a SQLite URL; BackupError for other databases or in-memory ones."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(f"backup/restore handle the SQLite default; for {url.get_backend_name()}"
                          " use its own tools (pg_dump / pg_restore for PostgreSQL)")
    if url.database in (None, "", ":memory:"):
        raise BackupError("an in-memory database has nothing to back up")
    return Path(url.database)


def _copy(source: Path, target: Path, *, journal: str = "DELETE") -> None:
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute(f"PRAGMA journal_mode={journal}")  # a backup is one self-contained file
    finally:
        dst.close()
        src.close()


def backup(database: Path, target: Path, *, force: bool = False) -> None:
    """Write a consistent copy of ``database`` to ``target`` (safe while the server runs)."""
    if not database.exists():
        raise BackupError(f"no database at {database}")
    if target.exists() and not force:
        raise BackupError(f"{target} exists; choose another name or pass --force")
    target.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(database, target)


def check_backup(path: Path) -> None:
    """BackupError unless ``path`` is an intact wenjiao SQLite database."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()
            query = "SELECT name FROM sqlite_master WHERE type = 'table'"
            tables = {row[0] for row in conn.execute(query)}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database ({exc})") from exc
    if not ok or ok[0] != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check")
    if not {"entries", "exchanges", "meta"} <= tables:
        raise BackupError(f"{path} is a SQLite database but not a wenjiao one")


def processes_using(path: Path) -> list[int]:
    """Ids of other processes that have ``path`` (or its WAL) open (Linux /proc; else empty)."""
    names = {str(path.resolve()), f"{path.resolve()}-wal", f"{path.resolve()}-shm"}
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        if int(proc.name) == os.getpid():
            continue
        try:
            fds = list((proc / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in names:
                    found.append(int(proc.name))
                    break
            except OSError:
                continue
    return found


def restore(source: Path, database: Path, *, force: bool = False) -> Path | None:
    """Replace ``database`` with the backup ``source``; returns where the old one was kept."""
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    check_backup(source)
    users = processes_using(database) if database.exists() else []
    if users and not force:
        raise BackupError(f"{database} is in use by process {', '.join(map(str, users))}; stop "
                          "the server first (or pass --force and restart it afterwards)")
    kept = None
    if database.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        kept = database.with_name(f"{database.name}.before-restore-{stamp}")
        _copy(database, kept)
    database.parent.mkdir(parents=True, exist_ok=True)
    _copy(source, database, journal="WAL")  # what the server's engine sets anyway
    return kept
