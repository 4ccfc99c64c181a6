"""The editor's "try a question" box: the engine's top candidates and score parts for any text.

It explains a match (which phrasing, how much of it the message covers, how fuzzy it is) so an
editor can see why a message lands where it does. With a saved draft it can also rank against an
engine that has the draft swapped in, before anyone publishes it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from intents import FaqEntry, IntentEngine, Outcome, decide
from services.content import documents as docs
from services.content.lifecycle import AdminService
from services.errors import Invalid

MAX_TEXT = 500


@dataclass(frozen=True, slots=True)
class TryCandidate:
    """One ranked entry."""

    entry_id: str
    title: str
    score: float
    question: str
    parts: dict[str, float]


@dataclass(frozen=True, slots=True)
class TryResult:
    """What the engine would do with a text."""

    text: str
    normalized: str
    outcome: Outcome
    threshold: float
    candidates: tuple[TryCandidate, ...]
    with_draft: str | None  # the entry whose draft was swapped in, if any

    def to_json(self) -> dict[str, object]:
        """The JSON form for the API and the editor page's script."""
        return {"text": self.text, "normalized": self.normalized, "outcome": self.outcome,
                "threshold": self.threshold, "with_draft": self.with_draft,
                "candidates": [{"id": c.entry_id, "title": c.title, "score": c.score,
                                "question": c.question,
                                "parts": {k: round(v, 3) for k, v in c.parts.items()}}
                               for c in self.candidates]}


class Preview:
    """Ranks texts against the live engine or a draft preview of one entry."""

    def __init__(self, content: AdminService) -> None:
        self._content = content
        self._cached: tuple[tuple[str, int, int], IntentEngine] | None = None

    async def try_question(self, text: str, entry_id: str | None = None,
                           use_draft: bool = False) -> TryResult:
        """Rank ``text``; with ``use_draft`` the entry's saved draft replaces its live version."""
        text = text.strip()[:MAX_TEXT]
        if not text:
            raise Invalid("请输入要试的问题。", [("text", "必填")])
        engine = self._content.catalog.engine
        swapped = None
        if entry_id and use_draft:
            engine, swapped = await self._draft_engine(entry_id)
        result = engine.match(text)
        config = self._content.catalog.decision
        decision = decide(result, config, engine.linked)
        candidates = tuple(TryCandidate(c.entry_id, engine.entry(c.entry_id).title, c.score,
                                        c.question, dict(c.parts)) for c in result.candidates)
        return TryResult(text, result.normalized, decision.outcome, config.threshold,
                         candidates, swapped)

    async def _draft_engine(self, entry_id: str) -> tuple[IntentEngine, str | None]:
        catalog = self._content.catalog
        view = await self._content.get(entry_id)
        if view.draft is None or view.status == "deleted":
            return catalog.engine, None
        key = (entry_id, view.version, catalog.snapshot.version)
        if self._cached is not None and self._cached[0] == key:
            return self._cached[1], entry_id
        entry: FaqEntry = docs.check(docs.clean(view.draft), strict=True)
        entries = [e for e in catalog.engine.entries if e.id != entry_id] + [entry]
        engine = await asyncio.to_thread(catalog.build, entries)
        self._cached = (key, engine)
        return engine, entry_id
