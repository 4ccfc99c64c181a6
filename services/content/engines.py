"""Where engines are built and kept: one explicit holder per process, handed to each catalog.

Engines are immutable, so one built for the same entries, synonyms and settings is shared (two
apps in one process, a reload that changed nothing, the test suite) instead of built again; and
the analyses of content texts are kept per synonym table, so a publish that changed one entry
re-analyses that entry only. Building runs off the event loop (``asyncio.to_thread``), possibly
for two catalogs at once, hence the lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

from intents import Analyses, FaqEntry, IntentEngine, MatchConfig, Normalizer

KEEP_ENGINES = 2  # the running engine and the one being swapped in
KEEP_TABLES = 2

_EngineKey = tuple[tuple[FaqEntry, ...], tuple[tuple[str, str], ...], MatchConfig]


class EngineShelf:
    """Builds engines and keeps the last few, with one normaliser and memo per synonym table."""

    def __init__(self, keep: int = KEEP_ENGINES) -> None:
        self._keep = keep
        self._engines: OrderedDict[_EngineKey, IntentEngine] = OrderedDict()
        self._analyses: OrderedDict[tuple[tuple[str, str], ...], Analyses] = OrderedDict()
        self._lock = threading.Lock()

    def normalizer(self, synonyms: Mapping[str, str]) -> Normalizer:
        """The normaliser of a synonym table (the one its engines use)."""
        with self._lock:
            return self._analyses_of(_table(synonyms)).normalizer

    def build(self, entries: Sequence[FaqEntry], synonyms: Mapping[str, str],
              config: MatchConfig) -> IntentEngine:
        """An engine over ``entries``: a kept one when nothing changed, else a new one."""
        table = _table(synonyms)
        key = (tuple(entries), table, config)
        with self._lock:
            engine = self._engines.get(key)
            if engine is None:
                engine = IntentEngine(key[0], config=config, analyses=self._analyses_of(table))
                self._engines[key] = engine
                while len(self._engines) > self._keep:
                    self._engines.popitem(last=False)
            self._engines.move_to_end(key)
            return engine

    def _analyses_of(self, table: tuple[tuple[str, str], ...]) -> Analyses:
        found = self._analyses.get(table)
        if found is None:
            found = self._analyses[table] = Analyses(Normalizer(dict(table)))
            while len(self._analyses) > KEEP_TABLES:
                self._analyses.popitem(last=False)
        self._analyses.move_to_end(table)
        return found


def _table(synonyms: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(synonyms.items()))
