"""The dialogue service: one message in, one :class:`Reply` out, the same for every channel.

It loads the user's conversation, runs the turn through the pipeline of ``steps.py`` (whose order
is the policy: crisis first, whatever else the message says), saves the conversation and stores
the exchange, redacted. It decides nothing itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intents.dialogue_rules import detect_language
from services.content import Catalog
from services.dialogue import steps
from services.dialogue.conversation import Conversation, ConversationStore, memory_store
from services.dialogue.exchange_log import ExchangeLog
from services.dialogue.messages import IncomingMessage, Lang, Option, Reply
from services.dialogue.privacy import redact
from services.dialogue.replies import ReplyBuilder
from services.dialogue.safety import SafetyCheck
from services.platform import RateLimiter, telemetry

log = logging.getLogger(__name__)

MAX_TEXT = 2000
TOPIC_CHARS = 200  # of the last answered question kept for follow-ups


@dataclass(frozen=True, slots=True)
class Traced:
    """A reply and the step (and rule) that decided it, e.g. ``small_talk:thanks``."""

    reply: Reply
    decided_by: str


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
        limiter: RateLimiter | None = None,
        safety: SafetyCheck | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.catalog = catalog
        self.replies = ReplyBuilder(catalog, today)
        self.exchanges = ExchangeLog(sessionmaker, catalog.normalizer,
                               enabled=record)
        self._store = store or memory_store()
        self._limit = steps.RateLimit(limiter, self.replies)
        self._steps = steps.default_steps(catalog, self.replies, self._limit, safety=safety,
                                          clock=clock)
        self._concern = steps.ConcernLine(self.replies)
        self._flagged_listeners: list[Callable[[int], None]] = []

    # -- public ------------------------------------------------------------------------------

    async def handle(self, message: IncomingMessage) -> Reply:
        """Answer one message and store the exchange."""
        return (await self.handle_traced(message)).reply

    async def handle_traced(self, message: IncomingMessage) -> Traced:
        """:meth:`handle`, also saying which step and rule decided (for evaluation and
        debugging: the reply a channel shows carries no internals)."""
        started = time.perf_counter()
        key = _conversation_key(message)
        conversation = await self._store.load(key)
        text = message.text.replace("\x00", "")
        truncated = len(text) > MAX_TEXT
        text = text[:MAX_TEXT]
        lang = _lang(message.lang or conversation.lang or detect_language(text))
        state = steps.Turn(message, text, lang, conversation)
        turn = await steps.run(self._steps, state, self._concern)
        log.debug("turn", extra={"decided_by": turn.decided_by, "kind": turn.reply.kind})
        if turn.reply.kind == "limited":  # not a dialogue turn: nothing kept, nothing stored
            telemetry.replied(message.channel, "limited", time.perf_counter() - started)
            return Traced(turn.reply, turn.decided_by)
        if truncated:
            turn.reply = turn.reply.model_copy(
                update={"text": f"{turn.reply.text}\n\n{self.replies.ui('truncated', lang)}"})
        conversation.options = [o.model_dump() for o in turn.reply.options]
        conversation.question = redact(text)[:500] if turn.reply.kind == "clarify" else ""
        _remember_topic(conversation, turn.reply, state.match_text or text)
        await self._store.save(key, conversation)
        exchange_id = await self.exchanges.record(
            message, text, turn.reply, flagged=turn.flagged, unanswered=turn.unanswered,
            best_intent=turn.best_intent, elapsed=time.perf_counter() - started,
            question=turn.question, inbox_kind=turn.inbox_kind)
        if turn.flagged and exchange_id is not None:
            for listener in self._flagged_listeners:
                listener(exchange_id)
        telemetry.replied(message.channel, turn.reply.kind, time.perf_counter() - started)
        return Traced(turn.reply.model_copy(update={"exchange_id": exchange_id}), turn.decided_by)

    def on_flagged(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(exchange_id)`` after each crisis-flagged exchange is stored.

        The exchange is committed before the call, so a listener (the staff alerts) can read it
        by id. Listeners must not block: they are called on the request path.
        """
        self._flagged_listeners.append(listener)

    def use_limiter(self, limiter: RateLimiter | None) -> None:
        """Limit each user's messages with ``limiter`` (None: no limit, as in the CLI)."""
        self._limit.limiter = limiter

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
        lang = _lang(message.lang or conversation.lang or "zh")
        text = self.small_talk_text("greeting", lang)
        reply = Reply(kind="greeting", text=text, confidence=1.0,
                      options=self.replies.topic_options(lang), lang=lang)
        conversation.options = [o.model_dump() for o in reply.options]
        conversation.question = ""
        await self._store.save(key, conversation)
        return reply

    async def language(self, channel: str, chat: str) -> Lang | None:
        """The language a user chose with :meth:`set_language`, or None."""
        return (await self._store.load(_key(channel, chat))).lang

    async def reply_language(self, channel: str, chat: str, *,
                             client_language: str | None = None) -> Lang:
        """The language to answer in: the one the user chose, else the client's (an app's
        language setting such as Telegram's ``en-GB``), Chinese first."""
        chosen = await self.language(channel, chat)
        if chosen is not None:
            return chosen
        return "en" if (client_language or "").lower().startswith("en") else "zh"

    async def set_language(self, channel: str, chat: str, lang: Lang | None) -> None:
        """Remember a user's chosen language (None: detect from each message)."""
        key = _key(channel, chat)
        conversation = await self._store.load(key)
        conversation.lang = lang
        await self._store.save(key, conversation)

    async def feedback(self, exchange_id: int, channel: str, user_id: str, value: int, *,
                       own: bool = False) -> bool:
        """Store a user's 👍 (+1) or 👎 (-1) on an exchange; False if there is no such exchange
        (with ``own``, none of this user's: the web chat's session id is all that proves who
        votes, so a session votes only on the answers it was given)."""
        return await self.exchanges.feedback(exchange_id, channel, user_id, value, own=own)

    async def within_limit(self, channel: str, user_id: str) -> bool:
        """Count a request that is not a message (a web vote) against the user's per-user rate
        limit, the same one messages use; False when the user is over it."""
        decision = await self._limit.hit(channel, user_id)
        return decision is None or decision.allowed

    async def count_event(self, channel: str, name: str) -> None:
        """Count a message the dialogue cannot read (a photo, a sticker): a number, no content."""
        await self.exchanges.count_event(channel, name)

    def text(self, key: str, lang: Lang = "zh") -> str:
        """A fixed UI text of the content (notices a channel sends: "please type", "slow down")."""
        return self.replies.ui(key, lang)

    def small_talk_text(self, talk_id: str, lang: Lang = "zh") -> str:
        """The content's reply of one small-talk intent (``capabilities`` for a help command)."""
        for talk in self.catalog.content.small_talk:
            if talk.id == talk_id:
                return talk.reply_en if lang == "en" else talk.reply
        return self.replies.ui("empty", lang)

    def topic_menu(self, topic: str, lang: Lang = "zh") -> Reply:
        """The entries of one topic as options."""
        return self.replies.topic_menu(topic, lang)

    def topics(self, lang: Lang = "zh", *, intro: str | None = None) -> Reply:
        """The core topics as options under ``intro`` (a channel's own words for its menu)."""
        return Reply(kind="greeting", text=intro or self.text("topics_intro", lang),
                     confidence=1.0, lang=lang, options=self.topic_options(lang))

    def topic_options(self, lang: Lang = "zh") -> list[Option]:
        """The core topics as options."""
        return self.replies.topic_options(lang)

def _remember_topic(conversation: Conversation, reply: Reply, asked: str) -> None:
    """Keep the topic of an answer for follow-ups; a crisis forgets it (nothing of a crisis is
    carried into later questions)."""
    if reply.kind == "answer" and reply.intent:
        conversation.topic_entry = reply.intent
        conversation.topic_question = redact(asked)[:TOPIC_CHARS]
    elif reply.kind in ("crisis", "support"):
        conversation.topic_entry = conversation.topic_question = ""


def _key(channel: str, chat: str) -> str:
    """Where a conversation is kept: one per chat (a group chat is one conversation)."""
    return f"{channel}:{chat}"


def _conversation_key(message: IncomingMessage) -> str:
    return _key(message.channel, message.chat_id or message.user_id)




def _lang(value: str) -> Lang:
    return "en" if value == "en" else "zh"
