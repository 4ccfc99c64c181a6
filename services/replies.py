"""Turning content into replies: answers with citation and related questions, clarify options,
the fixed UI texts, topic menus.

Kept apart from the dialogue so that *what* a reply says is in one place and *when* it is given
(the order of decisions) in another; both read the catalog's current content.
"""

from __future__ import annotations

from datetime import date

from intents import FaqEntry, MatchResult
from services.catalog import Catalog
from services.messages import Option, Reply

NONE_OPTION = "none"
TOPIC_PREFIX = "topic:"
TOPIC_MENU_SIZE = 8


class ReplyBuilder:
    """Builds :class:`Reply` objects from the catalog's content in the user's language."""

    def __init__(self, catalog: Catalog, today: date | None = None) -> None:
        self.catalog = catalog
        self._today = today

    def ui(self, key: str, lang: str) -> str:
        """A UI text (fallback, clarify, crisis…) in ``lang``."""
        return self.catalog.content.text(key, lang)

    def fixed(self, kind: str, key: str, lang: str, options: list[Option] | None = None) -> Reply:
        """A reply that is one UI text (crisis, fallback, empty message…)."""
        return Reply.model_validate({"kind": kind, "text": self.ui(key, lang),
                                     "confidence": 1.0 if kind == "crisis" else 0.0,
                                     "options": options or [], "lang": lang})

    def answer(self, entry: FaqEntry, score: float, lang: str, also: str | None = None) -> Reply:
        """An entry's answer with its citation; ``also`` (a near runner-up) is offered first."""
        if lang == "en":
            head = entry.answer_en or ""
            text = f"{head}\n\n{self.ui('original_chinese', lang)}：{entry.answer}".strip()
        else:
            text = entry.answer
        today = self._today or date.today()
        if entry.is_expired_on(today):
            text = f"{text}\n\n{self.ui('expired_note', lang)}"
        engine = self.catalog.engine
        ids = dict.fromkeys([*([also] if also else []), *entry.related])
        related = [engine.entry(r) for r in ids if r != entry.id and engine.has(r)]
        return Reply(kind="answer", text=text, intent=entry.id, confidence=min(1.0, score),
                     options=[Option(id=r.id, title=r.title) for r in related],
                     source=entry.source.citation(), lang=lang)

    def fallback(self, result: MatchResult, lang: str) -> Reply:
        """The honest fallback; near misses come first among its options, as "did you mean"."""
        config = self.catalog.engine.config
        guesses = [c for c in result.candidates if c.score >= config.suggest_floor]
        guesses = guesses[: config.max_suggestions]
        best = result.best
        reply = self.fixed("fallback", "fallback", lang, options=[
            *(Option(id=c.entry_id, title=self.catalog.engine.entry(c.entry_id).title)
              for c in guesses),
            *self.topic_options(lang)])
        update: dict[str, object] = {"confidence": best.score if best else 0.0}
        if guesses:
            update["text"] = f"{reply.text}\n\n{self.ui('maybe_meant', lang)}"
        return reply.model_copy(update=update)

    def clarify(self, result: MatchResult, lang: str) -> Reply:
        """The close candidates as options, plus "none of these"."""
        engine = self.catalog.engine
        floor = result.candidates[0].score - 2 * engine.config.ambiguity_gap
        if len([c for c in result.candidates if c.score >= floor]) < 2:  # a one-word subject
            floor = min(floor, engine.config.suggest_floor)
        picks = [c for c in result.candidates if c.score >= floor][: engine.config.max_options]
        options = [Option(id=c.entry_id, title=engine.entry(c.entry_id).title) for c in picks]
        options.append(Option(id=NONE_OPTION, title=self.ui("none_of_these", lang)))
        return Reply(kind="clarify", text=self.ui("clarify", lang), confidence=picks[0].score,
                     options=options, lang=lang)

    def topic_menu(self, topic: str, lang: str = "zh") -> Reply:
        """The entries of one topic as options (the /topics menu and fallback suggestions)."""
        entries = self.catalog.entries_of_topic(topic)[:TOPIC_MENU_SIZE]
        return Reply(kind="clarify", text=self.ui("topics_intro", lang), confidence=1.0,
                     options=[Option(id=e.id, title=e.title) for e in entries], lang=lang)

    def topic_options(self, lang: str = "zh") -> list[Option]:
        """The core topics as options."""
        return [Option(id=TOPIC_PREFIX + t.id, title=t.title_en if lang == "en" else t.title)
                for t in self.catalog.content.topics if t.core]

    def option(self, option_id: str, lang: str) -> Option | None:
        """The option an id stands for in the current content (None when it no longer exists)."""
        if option_id == NONE_OPTION:
            return Option(id=NONE_OPTION, title=self.ui("none_of_these", lang))
        if option_id.startswith(TOPIC_PREFIX):
            topic_id = option_id.removeprefix(TOPIC_PREFIX)
            for topic in self.catalog.content.topics:
                if topic.id == topic_id:
                    title = topic.title_en if lang == "en" else topic.title
                    return Option(id=option_id, title=title)
            return None
        if self.catalog.engine.has(option_id):
            return Option(id=option_id, title=self.catalog.engine.entry(option_id).title)
        return None
