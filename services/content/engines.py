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

# A normaliser's settings: the synonym table and the place names (context, not topic).
_Table = tuple[tuple[tuple[str, str], ...], tuple[str, ...]]
_EngineKey = tuple[tuple[FaqEntry, ...], _Table, MatchConfig]


class EngineShelf:
    """Builds engines and keeps the last few, with one normaliser and memo per synonym table."""

    def __init__(self, keep: int = KEEP_ENGINES) -> None:
        self._keep = keep
        self._engines: OrderedDict[_EngineKey, IntentEngine] = OrderedDict()
        self._analyses: OrderedDict[_Table, Analyses] = OrderedDict()
        self._lock = threading.Lock()

    def normalizer(self, synonyms: Mapping[str, str], places: Sequence[str] = ()) -> Normalizer:
        """The normaliser of a synonym table and place list (the one its engines use)."""
        with self._lock:
            return self._analyses_of(_table(synonyms, places)).normalizer

    def build(self, entries: Sequence[FaqEntry], synonyms: Mapping[str, str],
              config: MatchConfig, places: Sequence[str] = ()) -> IntentEngine:
        """An engine over ``entries``: a kept one when nothing changed, else a new one."""
        table = _table(synonyms, places)
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

    def _analyses_of(self, table: _Table) -> Analyses:
        found = self._analyses.get(table)
        if found is None:
            found = self._analyses[table] = Analyses(Normalizer(dict(table[0]), table[1]))
            while len(self._analyses) > KEEP_TABLES:
                self._analyses.popitem(last=False)
        self._analyses.move_to_end(table)
        return found


def _table(synonyms: Mapping[str, str], places: Sequence[str]) -> _Table:
    return tuple(sorted(synonyms.items())), tuple(places)
