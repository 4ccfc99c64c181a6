"""The content the dialogue answers from: file texts plus the published entries in the store.

The running engine lives in one holder and is replaced whole: a reload builds a new engine off the
event loop and swaps the reference, so no reader ever sees a half-built index. Every process polls
the store's content version (one tiny query) to pick up a publish made by any other process.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intents import Content, DecisionConfig, FaqEntry, IntentEngine, MatchConfig
from services.content.engines import EngineShelf
from services.db import repositories as repo

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One consistent state of the content: the engine and the version it was built from."""

    engine: IntentEngine
    version: int


class Catalog:
    """Holds the current :class:`Snapshot` and rebuilds it when the published content changes."""

    def __init__(
        self,
        content: Content,
        sessionmaker: async_sessionmaker[AsyncSession],
        config: MatchConfig | None = None,
        decision: DecisionConfig | None = None,
        shelf: EngineShelf | None = None,
    ) -> None:
        self.content = content
        self.decision = decision or DecisionConfig()  # read by the dialogue and the preview
        self._shelf = shelf or EngineShelf()
        self.normalizer = self._shelf.normalizer(content.synonyms, content.places)
        self._sessionmaker = sessionmaker
        self._config = config or MatchConfig()
        self._snapshot: Snapshot | None = None
        self._lock = asyncio.Lock()

    @property
    def snapshot(self) -> Snapshot:
        """The current snapshot (``load`` must have run)."""
        if self._snapshot is None:
            raise RuntimeError("Catalog.load() has not run")
        return self._snapshot

    @property
    def engine(self) -> IntentEngine:
        """The current engine."""
        return self.snapshot.engine

    def build(self, entries: list[FaqEntry]) -> IntentEngine:
        """An engine over ``entries`` with this catalog's normaliser and thresholds."""
        return self._shelf.build(entries, self.content.synonyms, self._config,
                                 self.content.places)

    async def load(self) -> None:
        """Read the published entries and swap in a new engine built from them."""
        async with self._lock:
            async with self._sessionmaker() as session:
                version = await repo.content_version(session)
                entries = _valid_entries(await repo.published_entries(session))
            engine = await asyncio.to_thread(self.build, entries)
            self._snapshot = Snapshot(engine, version)
            log.info("content loaded", extra={"version": version, "entries": len(entries)})

    async def refresh(self) -> bool:
        """Reload when another process published a change; True when it reloaded."""
        async with self._sessionmaker() as session:
            version = await repo.content_version(session)
        if self._snapshot is not None and version == self._snapshot.version:
            return False
        await self.load()
        return True

    async def watch(self, interval: float = 1.0) -> None:
        """Poll for published changes forever (run as a background task)."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.refresh()
            except Exception:  # the store may be briefly unavailable; keep the old engine
                log.exception("content refresh failed; answering from the loaded content")

    def entries_of_topic(self, topic: str) -> list[FaqEntry]:
        """The entries of a topic, in file order."""
        return [e for e in self.engine.entries if e.topic == topic]


async def published_entries(sessionmaker: async_sessionmaker[AsyncSession]) -> list[FaqEntry]:
    """The published entries valid today, as a catalog loads them (no engine built)."""
    async with sessionmaker() as session:
        return _valid_entries(await repo.published_entries(session))


def _valid_entries(rows: list[dict[str, Any]], today: date | None = None) -> list[FaqEntry]:
    """Entries from stored documents; a document that no longer validates is skipped and logged."""
    today = today or date.today()
    out = []
    for row in rows:
        try:
            entry = FaqEntry.model_validate(row)
        except ValidationError:
            log.exception("stored entry does not validate", extra={"entry": row.get("id")})
            continue
        if entry.is_valid_on(today):
            out.append(entry)
    return out
