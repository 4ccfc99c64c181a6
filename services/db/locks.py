"""Cross-process mutual exclusion through the database, for work that must not run twice at once.

Several workers starting together on one PostgreSQL database would all seed it from the content
files at the same moment; a transaction-scoped advisory lock makes them take turns (the second one
then finds everything already seeded). On SQLite every transaction already begins holding the
write lock (services/db/engine.py), so there it is a no-op.
"""

from __future__ import annotations

import zlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def hold_until_commit(session: AsyncSession, name: str) -> None:
    """Wait for the lock ``name``; it is released when the session's transaction ends."""
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return
    key = zlib.crc32(f"wenjiao:{name}".encode())
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
