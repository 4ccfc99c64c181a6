"""What the attach picker offers: the engine's best entries for a group, entries found by words,
and a ready id for a new entry, so no one types an entry id by hand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from intents.pinyin import reading
from services.content.lifecycle import AdminService
from services.staff.inbox_live import EngineView

MAX_WORDS = 100  # characters of a picker search
MAX_CANDIDATES = 5
SLUG_SYLLABLES = 6


@dataclass(frozen=True, slots=True)
class Pick:
    """An entry offered to attach to: ``score`` is the engine's (None: found by its text)."""

    entry_id: str
    title: str
    score: float | None
    status: str = "published"


def candidates_of(view: EngineView, texts: Sequence[str]) -> list[Pick]:
    """The entries the current engine ranks best for any of ``texts`` (each at its best score)."""
    best: dict[str, float] = {}
    for text in texts:
        for cand in view.verdicts[text].candidates:
            best[cand.entry_id] = max(best.get(cand.entry_id, 0.0), cand.score)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CANDIDATES]
    return [Pick(entry_id, view.engine.entry(entry_id).title, score)
            for entry_id, score in ranked if view.engine.has(entry_id)]


async def search_entries(content: AdminService, words: str, limit: int = 5) -> list[Pick]:
    """Entries for ``words``: the live engine's ranking first, then any entry (drafts and
    unpublished ones too) whose id, title, phrasings or answer contain them."""
    words = " ".join(words.split())[:MAX_WORDS]
    if not words:
        return []
    engine = content.catalog.engine
    picks = [Pick(c.entry_id, engine.entry(c.entry_id).title, c.score)
             for c in engine.match(words, limit=limit).candidates if c.score > 0]
    seen = {p.entry_id for p in picks}
    for view in await content.list_entries(q=words):
        if len(picks) >= 2 * limit:
            break
        if view.id not in seen:
            picks.append(Pick(view.id, str(view.current.get("title") or view.id), None,
                              view.status))
            seen.add(view.id)
    return picks


def suggest_id(topic: str, key: str, known: set[str]) -> str:
    """A free entry id for a new entry: ``topic.`` plus the question's first syllables."""
    syllables = [s for s in reading(key) if s][:SLUG_SYLLABLES]
    slug = re.sub(r"[^a-z0-9]", "", "".join(syllables).lower())[:30] or "question"
    base = f"{topic}.{slug}"
    candidate, n = base, 2
    while candidate in known:
        candidate, n = f"{base}_{n}", n + 1
    return candidate
