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

from intents import MatchResult
from intents.dialogue_rules import detect_language, out_of_scope, small_talk
from services import telemetry
from services.catalog import Catalog
from services.exchange_log import ExchangeLog
from services.messages import IncomingMessage, Option, Reply
from services.privacy import redact
from services.replies import NONE_OPTION, TOPIC_PREFIX, ReplyBuilder
from services.safety import is_crisis
from services.state import Conversation, ConversationStore, MemoryConversationStore

log = logging.getLogger(__name__)

MAX_TEXT = 2000
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
    """Answers messages from the catalog's content and keeps each user's conversation.

    The channels talk only to this class: it decides, :class:`ReplyBuilder` words the reply,
    :class:`ExchangeLog` stores it.
    """

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
        self.replies = ReplyBuilder(catalog, today)
        self.exchanges = ExchangeLog(sessionmaker, lambda text: catalog.normalizer(text),
                               enabled=record)
        self._store = store or MemoryConversationStore()

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
                update={"text": f"{turn.reply.text}\n\n{self.replies.ui('truncated', lang)}"})
        conversation.options = [o.model_dump() for o in turn.reply.options]
        conversation.question = redact(text)[:500] if turn.reply.kind == "clarify" else ""
        await self._store.save(key, conversation)
        exchange_id = await self.exchanges.record(
            message, text, turn.reply, flagged=turn.flagged, unanswered=turn.unanswered,
            best_intent=turn.best_intent, elapsed=time.perf_counter() - started)
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
        offered = [Option.model_validate(o) for o in conversation.options]
        option = next((o for o in offered if o.id == option_id), None) or self.replies.option(
            option_id, message.lang or conversation.lang or "zh")
        if option is None:
            return await self.handle(message.model_copy(update={"text": ""}))
        conversation.options = [option.model_dump()]
        await self._store.save(key, conversation)
        return await self.handle(message.model_copy(update={"text": option.title}))

    async def welcome(self, message: IncomingMessage) -> Reply:
        """The greeting with the core topics, for a user who has just arrived (a new follower).

        The topics are remembered as the pending options, so the user's next "1" opens one.
        Nothing is stored as an exchange: the user has not written anything yet.
        """
        key = _conversation_key(message)
        conversation = await self._store.load(key)
        lang = message.lang or conversation.lang or "zh"
        talk = next((t for t in self.catalog.content.small_talk if t.id == "greeting"), None)
        text = (talk.reply_en if lang == "en" else talk.reply) if talk else self.replies.ui(
            "empty", lang)
        reply = Reply(kind="greeting", text=text, confidence=1.0,
                      options=self.replies.topic_options(lang), lang=lang)
        conversation.options = [o.model_dump() for o in reply.options]
        conversation.question = ""
        await self._store.save(key, conversation)
        return reply

    async def language(self, channel: str, chat: str) -> str | None:
        """The language a user chose with :meth:`set_language`, or None."""
        return (await self._store.load(_key(channel, chat))).lang

    async def set_language(self, channel: str, chat: str, lang: str | None) -> None:
        """Remember a user's chosen language (None: detect from each message)."""
        key = _key(channel, chat)
        conversation = await self._store.load(key)
        conversation.lang = lang
        await self._store.save(key, conversation)

    async def feedback(self, exchange_id: int, channel: str, user_id: str, value: int) -> bool:
        """Store a user's 👍 (+1) or 👎 (-1) on an exchange; False if there is no such exchange."""
        return await self.exchanges.feedback(exchange_id, channel, user_id, value)

    async def count_event(self, channel: str, name: str) -> None:
        """Count a message the dialogue cannot read (a photo, a sticker): a number, no content."""
        await self.exchanges.count_event(channel, name)

    def topic_menu(self, topic: str, lang: str = "zh") -> Reply:
        """The entries of one topic as options."""
        return self.replies.topic_menu(topic, lang)

    def topic_options(self, lang: str = "zh") -> list[Option]:
        """The core topics as options."""
        return self.replies.topic_options(lang)

    # -- decisions ---------------------------------------------------------------------------

    def _decide(self, text: str, lang: str, conversation: Conversation) -> _Turn:
        replies = self.replies
        if not text.strip():
            return _Turn(replies.fixed("fallback", "empty", lang,
                                       options=replies.topic_options(lang)))
        if is_crisis(text):
            return _Turn(replies.fixed("crisis", "crisis", lang), flagged=True)
        chosen = self._choice(text, conversation)
        if chosen is not None:
            return chosen
        talk = small_talk(text, self.catalog.content.small_talk)
        if talk is not None:
            reply = talk.reply_en if lang == "en" else talk.reply
            options = replies.topic_options(lang) if talk.id in ("greeting",
                                                                  "capabilities") else []
            return _Turn(Reply(kind="greeting", text=reply, confidence=1.0, options=options,
                               lang=lang))
        rule = out_of_scope(text, self.catalog.content.out_of_scope, self.catalog.normalizer)
        if rule is not None and rule.yield_above is None:
            return _out_of_scope(rule.reply_en if lang == "en" else rule.reply, lang)
        with telemetry.MATCH_SECONDS.time():
            result = self.catalog.engine.match(text)
        best = result.best
        if rule is not None and not (best and best.score >= (rule.yield_above or 1.0)):
            return _out_of_scope(rule.reply_en if lang == "en" else rule.reply, lang)
        return self._match(result, lang)

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
            reply = self.replies.fixed("fallback", "none_chosen", lang,
                                       options=self.replies.topic_options(lang))
            return _Turn(reply, unanswered=True)
        if picked.id.startswith(TOPIC_PREFIX):
            return _Turn(self.replies.topic_menu(picked.id.removeprefix(TOPIC_PREFIX), lang))
        if not self.catalog.engine.has(picked.id):
            return None
        return _Turn(self.replies.answer(self.catalog.engine.entry(picked.id), 1.0, lang))

    def _match(self, result: MatchResult, lang: str) -> _Turn:
        best = result.best
        top = [(c.entry_id, c.score) for c in result.candidates[:3]]
        log.debug("match", extra={"outcome": result.outcome, "scores": top})
        if result.outcome == "answer" and best is not None:
            entry = self.catalog.engine.entry(best.entry_id)
            reply = self.replies.answer(entry, best.score, lang, also=_runner_up(result))
            return _Turn(reply, best_intent=best.entry_id)
        if result.outcome == "clarify" and best is not None:
            return _Turn(self.replies.clarify(result, lang), best_intent=best.entry_id)
        return _Turn(self.replies.fallback(result, lang), unanswered=True,
                     best_intent=best.entry_id if best else None)


def _out_of_scope(text: str, lang: str) -> _Turn:
    return _Turn(Reply(kind="fallback", text=text, confidence=0.0, lang=lang), unanswered=True)


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
