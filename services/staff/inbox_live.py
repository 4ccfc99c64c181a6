"""The running engine's reading of the stored questions: would the dialogue answer one now, and
which entries come closest.

A stored question carries the closest entry and score of the day it was asked; after a publish
that is stale, and a question the bot has since learned to answer stayed in the inbox. So the
inbox asks the current engine, with the dialogue's own decision (the out-of-scope rules,
:func:`intents.decide` with the catalog's ``DecisionConfig``, and "the document lacks this
detail"), and remembers the answers only as long as that engine runs: the catalog swaps its
engine on every publish (in every process), and the next read starts afresh.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from intents import Analyses, Candidate, IntentEngine, decide
from intents.decision import missing_detail
from intents.dialogue_rules import out_of_scope
from services.content import Catalog
from services.dialogue.message_kind import MessageReader
from services.staff.inbox_groups import Features, Weights

MEMO_LIMIT = 20_000  # texts remembered per engine (the inbox lists a few hundred)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the current dialogue would do with one question."""

    answered_by: str | None  # the entry it would answer with; None: still unanswered
    candidates: tuple[Candidate, ...]  # the engine's best entries, best first
    guesses: tuple[str, ...] = ()  # what the decision would offer ("did you mean", the choices)


@dataclass(frozen=True, slots=True)
class EngineView:
    """Verdicts and grouping features of some questions under one engine."""

    engine: IntentEngine
    weights: Weights
    verdicts: dict[str, Verdict]
    features: dict[str, Features]


class LiveInbox:
    """Judges stored questions with the running engine, once per question per engine."""

    def __init__(self, catalog: Catalog, reader: MessageReader | None = None) -> None:
        self._catalog = catalog
        self._reader = reader
        self._analyse = Analyses(catalog.normalizer)
        self._engine: IntentEngine | None = None
        self._weights: Weights | None = None
        self._verdicts: dict[str, Verdict] = {}
        self._features: dict[str, Features] = {}
        self._lock = asyncio.Lock()

    async def view(self, texts: Sequence[str]) -> EngineView:
        """The current engine's view of ``texts`` (computed off the event loop when new)."""
        async with self._lock:
            engine = self._catalog.engine
            if engine is not self._engine or len(self._verdicts) > MEMO_LIMIT:
                self._engine, self._weights = engine, None
                self._verdicts, self._features = {}, {}
            new = [t for t in dict.fromkeys(texts) if t not in self._verdicts]
            if new or self._weights is None:
                await asyncio.to_thread(self._compute, engine, new)
            assert self._weights is not None  # set by _compute
            return EngineView(engine, self._weights, dict(self._verdicts), dict(self._features))

    def _compute(self, engine: IntentEngine, texts: list[str]) -> None:
        if self._weights is None:
            self._weights = Weights.of(engine.entries, self._analyse)
        reader = self._reader or MessageReader.load()
        self._reader = reader
        for text in texts:
            self._verdicts[text] = self.judge(engine, reader, text)
            self._features[text] = Features.of(self._analyse(text), self._weights)

    def judge(self, engine: IntentEngine, reader: MessageReader, text: str) -> Verdict:
        """The dialogue's match decision for ``text``: answered only when it would answer and
        the entry has what the question asks for."""
        catalog = self._catalog
        config = catalog.decision
        result = engine.match(text, limit=config.rank_limit)
        unscoped = decide(result, config, engine.linked)
        guesses = (unscoped.best.entry_id,) if unscoped.outcome == "answer" and unscoped.best \
            else unscoped.options
        rule = out_of_scope(text, catalog.content.out_of_scope, catalog.normalizer)
        if rule is not None and rule.yield_above is None:
            return Verdict(None, result.candidates, guesses)
        decision = decide(result, config, engine.linked,
                          scope_yield=rule.yield_above if rule is not None else None)
        best = decision.best
        if decision.outcome != "answer" or best is None:
            return Verdict(None, result.candidates, guesses)
        lacks = missing_detail(text, reader.read(text), engine.entry(best.entry_id),
                               reader.thresholds)
        return Verdict(None if lacks else best.entry_id, result.candidates, guesses)
