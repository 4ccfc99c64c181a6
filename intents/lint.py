"""Content lint: the checks every change to ``faq_data/`` must pass.

Unique ids, related ids that exist, no phrasing in two entries, every phrasing matching its own
entry first (so the engine cannot confuse two entries), answers short enough for a phone screen
and a WeChat text reply, citations present.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from intents.engine import IntentEngine
from intents.models import FaqEntry

# WeChat passive text replies are limited to 2048 bytes; the answer shares them with the citation
# and the options, so the answer itself stays well under.
MAX_ANSWER_CHARS = 400
MAX_ANSWER_EN_CHARS = 1400
CORE_TOPICS = ("enrollment", "hotline", "honors")
MIN_QUESTIONS = 8


@dataclass(frozen=True, slots=True)
class Problem:
    """One lint finding."""

    entry_id: str
    check: str
    detail: str

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.check}: {self.detail}"


def _structure(entries: list[FaqEntry]) -> list[Problem]:
    problems = []
    ids = {e.id for e in entries}
    for e in entries:
        if not e.id.startswith(f"{e.topic}."):
            problems.append(Problem(e.id, "id", f"id should start with its topic '{e.topic}.'"))
        problems += [Problem(e.id, "related", f"unknown id {r}") for r in e.related if r not in ids]
        if e.id in e.related:
            problems.append(Problem(e.id, "related", "relates to itself"))
        if len(e.questions) < MIN_QUESTIONS:
            problems.append(Problem(e.id, "questions", f"{len(e.questions)} < {MIN_QUESTIONS}"))
        if len(e.answer) > MAX_ANSWER_CHARS:
            problems.append(Problem(e.id, "length", f"answer {len(e.answer)} chars"))
        if e.answer_en and len(e.answer_en) > MAX_ANSWER_EN_CHARS:
            problems.append(Problem(e.id, "length", f"answer_en {len(e.answer_en)} chars"))
        if e.topic in CORE_TOPICS and not e.answer_en:
            problems.append(Problem(e.id, "answer_en", "core-topic entry without answer_en"))
        if "温教发〔2024〕1号" not in e.source.number:
            problems.append(Problem(e.id, "source", "citation lacks 温教发〔2024〕1号"))
        if e.valid_from is None:
            problems.append(Problem(e.id, "valid_from", "missing"))
    return problems


def _duplicates(entries: list[FaqEntry], engine: IntentEngine) -> list[Problem]:
    owners: dict[str, set[str]] = defaultdict(set)
    for e in entries:
        for q in e.questions:
            owners[engine.normalize(q)].add(e.id)
    return [Problem(sorted(ids)[0], "duplicate", f"phrasing '{q}' also in {sorted(ids)[1:]}")
            for q, ids in owners.items() if len(ids) > 1]


def _self_match(entries: list[FaqEntry], engine: IntentEngine) -> list[Problem]:
    problems = []
    for e in entries:
        for q in e.questions:
            ranked = engine.rank(q, limit=2)
            if not ranked or ranked[0].entry_id != e.id:
                top = ranked[0].entry_id if ranked else "nothing"
                problems.append(Problem(e.id, "confused", f"'{q}' matches {top} first"))
    return problems


def check_entries(entries: list[FaqEntry], engine: IntentEngine) -> list[Problem]:
    """Every problem of the content; an empty list means the content is clean."""
    return _structure(entries) + _duplicates(entries, engine) + _self_match(entries, engine)
