"""Turning content into replies: answers with citation and related questions, clarify options,
the fixed UI texts, topic menus.

Kept apart from the dialogue so that *what* a reply says is in one place and *when* it is given
(the order of decisions) in another; both read the catalog's current content.
"""

from __future__ import annotations

from datetime import date

from intents import Decision, FaqEntry, OutOfScope
from intents.models import Slot
from services.content.catalog import Catalog
from services.dialogue.messages import Lang, Option, Reply, ReplyKind

NONE_OPTION = "none"
TOPIC_PREFIX = "topic:"
TOPIC_MENU_SIZE = 8

_RULE = "—- \n"  # the dash line a UI text opens with when it is added under an answer


class ReplyBuilder:
    """Builds :class:`Reply` objects from the catalog's content in the user's language."""

    def __init__(self, catalog: Catalog, today: date | None = None) -> None:
        self.catalog = catalog
        self._today = today

    def ui(self, key: str, lang: Lang) -> str:
        """A UI text (fallback, clarify, crisis…) in ``lang``."""
        return self.catalog.content.text(key, lang)

    def fixed(self, kind: ReplyKind, key: str, lang: Lang,
              options: list[Option] | None = None) -> Reply:
        """A reply that is one UI text (crisis, fallback, empty message…)."""
        return Reply.model_validate({"kind": kind, "text": self.ui(key, lang),
                                     "confidence": 1.0 if kind == "crisis" else 0.0,
                                     "options": options or [], "lang": lang})

    def support(self, ack: str, help_key: str, lang: Lang, *, flagged: bool) -> Reply:
        """An acknowledgement (``support_ack_<ack>``) and how to get help (a UI text): a crisis
        reply when ``flagged``, else a ``support`` reply."""
        help_text = self.ui(help_key, lang).lstrip(_RULE)
        text = f"{self.ui(f'support_ack_{ack}', lang)}\n{help_text}"
        return Reply(kind="crisis" if flagged else "support", text=text,
                     confidence=1.0 if flagged else 0.0, lang=lang)

    def with_concern(self, reply: Reply) -> Reply:
        """``reply`` with the warm line (温心有约, 12356, 110/120) added at its end."""
        line = self.ui("concern_line", reply.lang)
        return reply.model_copy(update={"text": f"{reply.text}\n\n{line}"})

    def answer(self, entry: FaqEntry, score: float, lang: Lang,
               also: tuple[str, ...] = ()) -> Reply:
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
        ids = dict.fromkeys([*also, *entry.related])
        related = [engine.entry(r) for r in ids if r != entry.id and engine.has(r)]
        return Reply(kind="answer", text=text, intent=entry.id, confidence=min(1.0, score),
                     options=[Option(id=r.id, title=r.title) for r in related],
                     source=entry.source.citation(), lang=lang)

    def not_covered(self, entry: FaqEntry, detail: Slot, score: float, lang: Lang) -> Reply:
        """A question asking for a detail the entry's source lacks: says so first, and where to
        ask, then the entry's answer as what the document does say (with its citation)."""
        lead = self.ui("not_covered_lead", lang).format(
            detail=self.ui(f"detail_{detail}", lang), where=self.ui("not_covered_where", lang))
        reply = self.answer(entry, score, lang)
        return reply.model_copy(update={"text": f"{lead}\n\n{reply.text}"})

    def complaint(self, background: tuple[FaqEntry, str] | None, lang: Lang) -> Reply:
        """A complaint or petition: acknowledged in one sentence, told the bot cannot take it and
        which channels can, then (only when given) what the 2024 plan says on the subject, marked
        as background with its citation, never as the answer."""
        text = self.ui("complaint", lang)
        if background is None:
            return Reply(kind="referral", text=text, confidence=0.0, lang=lang)
        entry, plan = background
        text = f"{text}\n\n{self.ui('complaint_background', lang)}{plan}"
        return Reply(kind="referral", text=text, confidence=0.0,
                     source=entry.source.citation(), lang=lang)

    def fallback(self, decision: Decision, lang: Lang) -> Reply:
        """The honest fallback; the decision's near misses come first among its options, as
        "did you mean"."""
        engine = self.catalog.engine
        guesses = [Option(id=i, title=engine.entry(i).title) for i in decision.options]
        reply = self.fixed("fallback", "fallback", lang,
                           options=[*guesses, *self.topic_options(lang)])
        update: dict[str, object] = {"confidence": decision.score}
        if guesses:
            update["text"] = f"{reply.text}\n\n{self.ui('maybe_meant', lang)}"
        return reply.model_copy(update=update)

    def clarify(self, decision: Decision, lang: Lang) -> Reply:
        """The decision's close candidates as options, plus "none of these"."""
        engine = self.catalog.engine
        options = [Option(id=i, title=engine.entry(i).title) for i in decision.options]
        options.append(Option(id=NONE_OPTION, title=self.ui("none_of_these", lang)))
        return Reply(kind="clarify", text=self.ui("clarify", lang), confidence=decision.score,
                     options=options, lang=lang)

    def out_of_scope(self, rule: OutOfScope, lang: Lang) -> Reply:
        """A question the document does not answer: the rule's honest reply and where to ask."""
        return Reply(kind="fallback", text=rule.reply_en if lang == "en" else rule.reply,
                     confidence=0.0, lang=lang)

    def topic_menu(self, topic: str, lang: Lang = "zh") -> Reply:
        """The entries of one topic as options (the /topics menu and fallback suggestions)."""
        entries = self.catalog.entries_of_topic(topic)[:TOPIC_MENU_SIZE]
        return Reply(kind="clarify", text=self.ui("topics_intro", lang), confidence=1.0,
                     options=[Option(id=e.id, title=e.title) for e in entries], lang=lang)

    def topic_options(self, lang: Lang = "zh") -> list[Option]:
        """The core topics as options."""
        return [Option(id=TOPIC_PREFIX + t.id, title=t.title_en if lang == "en" else t.title)
                for t in self.catalog.content.topics if t.core]

    def option(self, option_id: str, lang: Lang) -> Option | None:
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
