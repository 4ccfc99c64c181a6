"""Conversation state between two messages: pending options, the question they answer, language.

A conversation is one JSON value in the platform's TTL store: in memory (bounded, expiring) for one
process, in Redis for several workers, or Redis with the in-memory fall-back; the same store, the
same expiry and the same hashed keys whichever holds it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from services.dialogue.messages import Lang
from services.platform import FallbackTtlStore, MemoryTtlStore, RedisGuard, RedisTtlStore, TtlStore

if TYPE_CHECKING:
    from redis.asyncio import Redis

TTL_SECONDS = 30 * 60
MAX_CONVERSATIONS = 50_000


@dataclass
class Conversation:
    """What the dialogue remembers of one user."""

    options: list[dict[str, str]] = field(default_factory=list)  # [{id, title}]
    question: str = ""  # the redacted question the options answer
    lang: Lang | None = None  # chosen language, if the user set one
    # While now < crisis_until (epoch seconds) the conversation is in crisis mode: every reply
    # is supportive (see ``steps.CrisisMode``). Kept here so it holds in every worker.
    crisis_until: float = 0.0
    # The topic of the last answer: its entry and the (redacted) question that the follow-up
    # step reads a short follow-up ("那高中呢", "2024年呢") against.
    topic_entry: str = ""
    topic_question: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form (for Redis)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        """Back from :meth:`to_dict`."""
        until = data.get("crisis_until", 0.0)
        return cls(options=list(data.get("options", [])), question=str(data.get("question", "")),
                   lang=_lang(data.get("lang")),
                   crisis_until=float(until) if isinstance(until, int | float) else 0.0,
                   topic_entry=str(data.get("topic_entry", "")),
                   topic_question=str(data.get("topic_question", "")))


def _lang(value: object) -> Lang | None:
    """A stored language back as a :data:`Lang` (anything else: not chosen)."""
    return "en" if value == "en" else "zh" if value == "zh" else None


class ConversationStore:
    """Conversations for keys such as ``web:<session>``, kept for ``ttl`` seconds.

    Keys are hashed: a Redis dump shows no WeChat openid or Telegram chat id.
    """

    def __init__(self, values: TtlStore, ttl: float = TTL_SECONDS,
                 prefix: str = "conv:") -> None:
        self._values = values
        self._ttl = ttl
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return self._prefix + hashlib.sha256(key.encode()).hexdigest()[:32]

    async def load(self, key: str) -> Conversation:
        """The conversation for ``key`` (a fresh one when none is kept or the value is damaged)."""
        raw = await self._values.get(self._key(key))
        if raw is None:
            return Conversation()
        try:
            data = json.loads(raw)
        except ValueError:
            return Conversation()
        return Conversation.from_dict(data) if isinstance(data, dict) else Conversation()

    async def save(self, key: str, conversation: Conversation) -> None:
        """Keep ``conversation`` for the TTL."""
        await self._values.set(self._key(key), json.dumps(conversation.to_dict()), self._ttl)


def memory_store(ttl: float = TTL_SECONDS, max_items: int = MAX_CONVERSATIONS) -> ConversationStore:
    """Conversations in this process (least recently used dropped past ``max_items``)."""
    return ConversationStore(MemoryTtlStore(max_items), ttl)


def redis_store(redis: Redis, ttl: float = TTL_SECONDS,
                prefix: str = "wenjiao:") -> ConversationStore:
    """Conversations in Redis, so that the next message may reach any worker."""
    return ConversationStore(RedisTtlStore(redis, prefix), ttl)


def shared_store(redis: Redis, guard: RedisGuard, ttl: float = TTL_SECONDS,
                 prefix: str = "wenjiao:") -> ConversationStore:
    """Conversations in Redis, in this process's memory while Redis is down (see RedisGuard)."""
    values = FallbackTtlStore(RedisTtlStore(redis, prefix), MemoryTtlStore(MAX_CONVERSATIONS),
                              guard)
    return ConversationStore(values, ttl)
