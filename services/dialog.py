"""The dialogue: one message in, one :class:`Reply` out, the same for every channel.

Order of decisions (each a small method): crisis first, whatever else the message says; then a
pending choice (a number or an option's words); then small talk; then questions the document does
not answer; then the engine's answer / clarify / fallback. Every exchange is stored redacted.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intents import FaqEntry, MatchResult
from intents.dialogue_rules import detect_language, out_of_scope, small_talk
from services import telemetry
from services.catalog import Catalog
from services.db import repositories as repo
from services.messages import IncomingMessage, Option, Reply
from services.privacy import pseudonym, redact
from services.safety import is_crisis
from services.state import Conversation, ConversationStore, MemoryConversationStore

log = logging.getLogger(__name__)

MAX_TEXT = 2000
NONE_OPTION = "none"
TOPIC_PREFIX = "topic:"
TOPIC_MENU_SIZE = 8
_CHOICE = re.compile(r"^\s*(?:第\s*)?([0-9]{1,2}|[一二三四五六七八九十])\s*(?:个|条|项)?\s*[.。、)]?\s*$")
_CN_DIGIT = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}


@dataclass
class _Turn:
    """What one message turned into, before it is stored."""

    reply: Reply
    flagged: bool = False
    unanswered: bool = False
    best_intent: str | None = None


class DialogService:
    """Answers messages from the catalog's content and keeps each user's conversation."""

    def __init__(
        self,
        catalog: Catalog,
        sessionmaker: async_sessionmaker[AsyncSession],
        store: ConversationStore | None = None,
        *,
        today: date | None = None,
        record: bool = True,
    ) -> None:
        self.catalog = catalog
        self._sessionmaker = sessionmaker
        self._store = store or MemoryConversationStore()
        self._today = today
        self._record_exchanges = record
        self._salt: bytes | None = None

    # -- public ------------------------------------------------------------------------------

    async def handle(self, message: IncomingMessage) -> Reply:
        """Answer one message and store the exchange."""
        started = time.perf_counter()
        key = _conversation_key(message)
        conversation = await self._store.load(key)
        text = message.text.replace("\x00", "")
        truncated = len(text) > MAX_TEXT
        text = text[:MAX_TEXT]
        lang = message.lang or conversation.lang or detect_language(text)
        turn = self._decide(text, lang, conversation)
        if truncated:
            turn.reply = turn.reply.model_copy(
                update={"text": f"{turn.reply.text}\n\n{self._ui('truncated', lang)}"})
        conversation.options = [o.model_dump() for o in turn.reply.options]
        conversation.question = redact(text)[:500] if turn.reply.kind == "clarify" else ""
        await self._store.save(key, conversation)
        exchange_id = await self._record(message, text, turn, time.perf_counter() - started)
        telemetry.replied(message.channel, turn.reply.kind, time.perf_counter() - started)
        return turn.reply.model_copy(update={"exchange_id": exchange_id})

    async def choose(self, message: IncomingMessage, option_id: str) -> Reply:
        """Answer a pressed option button exactly as if the user had typed that option's title.

        Buttons outlive the turn that offered them, so the option is put back into the
        conversation and the message goes through :meth:`handle`, the same path as typing.
        An option that no longer exists gets the "please type a question" reply.
        """
        key = _conversation_key(message)
        conversation = await self._store.load(key)
        option = self._known_option(option_id, conversation,
                                    message.lang or conversation.lang or "zh")
        if option is None:
            return await self.handle(message.model_copy(update={"text": ""}))
        conversation.options = [option.model_dump()]
        await self._store.save(key, conversation)
        return await self.handle(message.model_copy(update={"text": option.title}))

    async def language(self, channel: str, chat: str) -> str | None:
        """The language a user chose with :meth:`set_language`, or None."""
        return (await self._store.load(_key(channel, chat))).lang

    async def count_event(self, channel: str, name: str) -> None:
        """Count a message the dialogue cannot read (a photo, a sticker): a number, no content."""
        key = f"events:{channel}:{name}"[:200]
        async with self._sessionmaker.begin() as session:
            count = int(await repo.get_meta(session, key) or 0) + 1
            await repo.set_meta(session, key, str(count))

    async def set_language(self, channel: str, chat: str, lang: str | None) -> None:
        """Remember a user's chosen language (None: detect from each message)."""
        key = _key(channel, chat)
        conversation = await self._store.load(key)
        conversation.lang = lang
        await self._store.save(key, conversation)

    async def feedback(self, exchange_id: int, channel: str, user_id: str, value: int) -> bool:
        """Store a user's 👍 (+1) or 👎 (-1) on an exchange; False if there is no such exchange."""
        async with self._sessionmaker.begin() as session:
            salt = await self._user_salt(session)
            return await repo.set_feedback(session, exchange_id,
                                           pseudonym(salt, channel, user_id), 1 if value > 0 else -1)

    def topic_menu(self, topic: str, lang: str = "zh") -> Reply:
        """The entries of one topic as options (the /topics menu and fallback suggestions)."""
        entries = self.catalog.entries_of_topic(topic)[:TOPIC_MENU_SIZE]
        return Reply(kind="clarify", text=self._ui("topics_intro", lang), confidence=1.0,
                     options=[Option(id=e.id, title=e.title) for e in entries], lang=lang)

    def topic_options(self, lang: str = "zh") -> list[Option]:
        """The core topics as options."""
        return [Option(id=TOPIC_PREFIX + t.id, title=t.title_en if lang == "en" else t.title)
                for t in self.catalog.content.topics if t.core]

    async def welcome(self, message: IncomingMessage) -> Reply:
        """The greeting with the core topics, for a user who has just arrived (a new follower).

        The topics are remembered as the pending options, so the user's next "1" opens one.
        Nothing is stored as an exchange: the user has not written anything yet.
        """
        key = _conversation_key(message)
        conversation = await self._store.load(key)
        lang = message.lang or conversation.lang or "zh"
        talk = next((t for t in self.catalog.content.small_talk if t.id == "greeting"), None)
        text = (talk.reply_en if lang == "en" else talk.reply) if talk else self._ui("empty", lang)
        reply = Reply(kind="greeting", text=text, confidence=1.0,
                      options=self.topic_options(lang), lang=lang)
        conversation.options = [o.model_dump() for o in reply.options]
        conversation.question = ""
        await self._store.save(key, conversation)
        return reply

    # -- decisions ---------------------------------------------------------------------------

    def _decide(self, text: str, lang: str, conversation: Conversation) -> _Turn:
        if not text.strip():
            return _Turn(self._fixed("fallback", "empty", lang, options=self.topic_options(lang)))
        if is_crisis(text):
            return _Turn(self._fixed("crisis", "crisis", lang), flagged=True)
        chosen = self._choice(text, conversation)
        if chosen is not None:
            return chosen
        talk = small_talk(text, self.catalog.content.small_talk)
        if talk is not None:
            reply = talk.reply_en if lang == "en" else talk.reply
            options = self.topic_options(lang) if talk.id in ("greeting", "capabilities") else []
            return _Turn(Reply(kind="greeting", text=reply, confidence=1.0, options=options,
                               lang=lang))
        rule = out_of_scope(text, self.catalog.content.out_of_scope, self.catalog.normalizer)
        if rule is not None and rule.yield_above is None:
            return self._out_of_scope(rule.reply_en if lang == "en" else rule.reply, lang)
        with telemetry.MATCH_SECONDS.time():
            result = self.catalog.engine.match(text)
        best = result.best
        if rule is not None and not (best and best.score >= (rule.yield_above or 1.0)):
            return self._out_of_scope(rule.reply_en if lang == "en" else rule.reply, lang)
        return self._match(result, lang)

    def _out_of_scope(self, text: str, lang: str) -> _Turn:
        return _Turn(Reply(kind="fallback", text=text, confidence=0.0, lang=lang), unanswered=True)

    def _choice(self, text: str, conversation: Conversation) -> _Turn | None:
        """A reply that picks one of the options offered in the previous turn."""
        options = [Option.model_validate(o) for o in conversation.options]
        if not options:
            return None
        lang = conversation.lang or ("en" if detect_language(conversation.question) == "en"
                                     else detect_language(text))
        picked = _pick(text, options)
        if picked is None:
            return None
        if picked.id == NONE_OPTION:
            reply = self._fixed("fallback", "none_chosen", lang, options=self.topic_options(lang))
            return _Turn(reply, unanswered=True)
        if picked.id.startswith(TOPIC_PREFIX):
            return _Turn(self.topic_menu(picked.id.removeprefix(TOPIC_PREFIX), lang))
        if not self.catalog.engine.has(picked.id):
            return None
        return _Turn(self._answer(self.catalog.engine.entry(picked.id), 1.0, lang))

    def _match(self, result: MatchResult, lang: str) -> _Turn:
        best = result.best
        log.debug("match", extra={"outcome": result.outcome,
                                  "scores": [(c.entry_id, c.score) for c in result.candidates[:3]]})
        if result.outcome == "answer" and best is not None:
            entry = self.catalog.engine.entry(best.entry_id)
            reply = self._answer(entry, best.score, lang, also=_runner_up(result))
            return _Turn(reply, best_intent=best.entry_id)
        if result.outcome == "clarify" and best is not None:
            return _Turn(self._clarify(result, lang), best_intent=best.entry_id)
        reply = self._fixed("fallback", "fallback", lang, options=self.topic_options(lang))
        return _Turn(reply.model_copy(update={"confidence": best.score if best else 0.0}),
                     unanswered=True, best_intent=best.entry_id if best else None)

    def _known_option(self, option_id: str, conversation: Conversation,
                      lang: str) -> Option | None:
        for raw in conversation.options:
            if raw.get("id") == option_id:
                return Option.model_validate(raw)
        if option_id == NONE_OPTION:
            return Option(id=NONE_OPTION, title=self._ui("none_of_these", lang))
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

    # -- replies -----------------------------------------------------------------------------

    def _answer(self, entry: FaqEntry, score: float, lang: str, also: str | None = None) -> Reply:
        if lang == "en":
            head = entry.answer_en or ""
            text = f"{head}\n\n{self._ui('original_chinese', lang)}：{entry.answer}".strip()
        else:
            text = entry.answer
        today = self._today or date.today()
        if entry.is_expired_on(today):
            text = f"{text}\n\n{self._ui('expired_note', lang)}"
        ids = dict.fromkeys([*([also] if also else []), *entry.related])
        related = [self.catalog.engine.entry(r) for r in ids
                   if r != entry.id and self.catalog.engine.has(r)]
        return Reply(kind="answer", text=text, intent=entry.id, confidence=min(1.0, score),
                     options=[Option(id=r.id, title=r.title) for r in related],
                     source=entry.source.citation(), lang=lang)

    def _clarify(self, result: MatchResult, lang: str) -> Reply:
        floor = result.candidates[0].score - 2 * self.catalog.engine.config.ambiguity_gap
        picks = [c for c in result.candidates if c.score >= floor]
        picks = picks[: self.catalog.engine.config.max_options]
        options = [Option(id=c.entry_id, title=self.catalog.engine.entry(c.entry_id).title)
                   for c in picks]
        options.append(Option(id=NONE_OPTION, title=self._ui("none_of_these", lang)))
        return Reply(kind="clarify", text=self._ui("clarify", lang), confidence=picks[0].score,
                     options=options, lang=lang)

    def _fixed(self, kind: str, key: str, lang: str, options: list[Option] | None = None) -> Reply:
        return Reply.model_validate({"kind": kind, "text": self._ui(key, lang),
                                     "confidence": 1.0 if kind == "crisis" else 0.0,
                                     "options": options or [], "lang": lang})

    def _ui(self, key: str, lang: str) -> str:
        return self.catalog.content.text(key, lang)

    # -- storage -----------------------------------------------------------------------------

    async def _user_salt(self, session: AsyncSession) -> bytes:
        if self._salt is None:
            self._salt = await repo.user_salt(session)
        return self._salt

    async def _record(self, message: IncomingMessage, text: str, turn: _Turn,
                      elapsed: float) -> int | None:
        if not self._record_exchanges:
            return None
        safe = redact(text)
        reply = turn.reply
        async with self._sessionmaker.begin() as session:
            salt = await self._user_salt(session)
            exchange_id = await repo.log_exchange(
                session, channel=message.channel,
                user_hash=pseudonym(salt, message.channel, message.user_id), text=safe,
                kind=reply.kind, intent=reply.intent, confidence=reply.confidence,
                flagged=turn.flagged, latency_ms=elapsed * 1000)
            if turn.unanswered and text.strip():
                key = self.catalog.normalizer(safe) or safe
                await repo.record_unanswered(session, key, safe, turn.best_intent,
                                             reply.confidence)
        return exchange_id


def _key(channel: str, chat: str) -> str:
    """Where a conversation is kept: one per chat (a group chat is one conversation)."""
    return f"{channel}:{chat}"


def _conversation_key(message: IncomingMessage) -> str:
    return _key(message.channel, message.chat_id or message.user_id)


def _runner_up(result: MatchResult, within: float = 0.05) -> str | None:
    """The second entry when it scored almost as well: offered first among related questions."""
    if len(result.candidates) < 2:
        return None
    first, second = result.candidates[0], result.candidates[1]
    return second.entry_id if first.score - second.score <= within else None


def _pick(text: str, options: list[Option]) -> Option | None:
    """The option a reply names: by number (1-based; one past the end is 'none of these')."""
    match = _CHOICE.match(text)
    if match:
        raw = match.group(1)
        number = int(raw) if raw.isdigit() else _CN_DIGIT[raw]
        return options[number - 1] if 1 <= number <= len(options) else None
    wanted = text.strip().casefold()
    for option in options:
        if wanted and wanted == option.title.strip().casefold():
            return option
    return None
