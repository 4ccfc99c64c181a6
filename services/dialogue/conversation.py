"""Conversation state between two messages: pending options, the question they answer, language.

In one process it lives in memory (bounded, expiring); with Redis configured the same interface is
shared by every worker.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from services.dialogue.messages import Lang

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from services.platform.redis_guard import RedisGuard

TTL_SECONDS = 30 * 60
MAX_CONVERSATIONS = 50_000


@dataclass
class Conversation:
    """What the dialogue remembers of one user."""

    options: list[dict[str, str]] = field(default_factory=list)  # [{id, title}]
    question: str = ""  # the redacted question the options answer
    lang: Lang | None = None  # chosen language, if the user set one

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form (for Redis)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        """Back from :meth:`to_dict`."""
        return cls(options=list(data.get("options", [])), question=str(data.get("question", "")),
                   lang=_lang(data.get("lang")))


def _lang(value: object) -> Lang | None:
    """A stored language back as a :data:`Lang` (anything else: not chosen)."""
    return "en" if value == "en" else "zh" if value == "zh" else None


class ConversationStore(Protocol):
    """Where conversations are kept."""

    async def load(self, key: str) -> Conversation:
        """The conversation for ``key`` (a fresh one when none is kept)."""
        ...

    async def save(self, key: str, conversation: Conversation) -> None:
        """Keep ``conversation`` for ``key``."""
        ...


class MemoryConversationStore:
    """In-process store: least recently used conversations are dropped past the bound."""

    def __init__(self, ttl: float = TTL_SECONDS, max_items: int = MAX_CONVERSATIONS) -> None:
        self._ttl = ttl
        self._max = max_items
        self._items: OrderedDict[str, tuple[float, Conversation]] = OrderedDict()

    async def load(self, key: str) -> Conversation:
        """The conversation for ``key`` unless it expired."""
        item = self._items.get(key)
        if item is None or item[0] < time.monotonic():
            self._items.pop(key, None)
            return Conversation()
        return Conversation.from_dict(item[1].to_dict())

    async def save(self, key: str, conversation: Conversation) -> None:
        """Keep ``conversation`` for the TTL."""
        self._items[key] = (time.monotonic() + self._ttl, conversation)
        self._items.move_to_end(key)
        while len(self._items) > self._max:
            self._items.popitem(last=False)


class RedisConversationStore:
    """Conversations in Redis, so that the next message may reach any worker.

    One JSON value per conversation with the TTL as Redis expiry. The key is a hash of the
    channel's user or chat id: a Redis dump shows no WeChat openid or Telegram chat id.
    """

    def __init__(self, redis: Redis, ttl: float = TTL_SECONDS,
                 prefix: str = "wenjiao:conv:") -> None:
        self._redis = redis
        self._ttl = int(ttl)
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return self._prefix + hashlib.sha256(key.encode()).hexdigest()[:32]

    async def load(self, key: str) -> Conversation:
        """The conversation for ``key`` (Redis forgets it after the TTL)."""
        raw = await self._redis.get(self._key(key))
        if raw is None:
            return Conversation()
        try:
            data = json.loads(raw)
        except ValueError:
            return Conversation()
        return Conversation.from_dict(data) if isinstance(data, dict) else Conversation()

    async def save(self, key: str, conversation: Conversation) -> None:
        """Keep ``conversation`` for the TTL."""
        await self._redis.set(self._key(key), json.dumps(conversation.to_dict()), ex=self._ttl)


class FallbackConversationStore:
    """A shared store that falls back to process memory while Redis is down.

    Every save also goes to memory, so a user whose Redis write failed still gets their
    clarification answered by this worker; when Redis is back, it is the source again.
    """

    def __init__(self, shared: ConversationStore, local: ConversationStore,
                 guard: RedisGuard) -> None:
        self._shared = shared
        self._local = local
        self._guard = guard

    async def load(self, key: str) -> Conversation:
        """From Redis, or from memory while Redis is unavailable."""
        return await self._guard.run(lambda: self._shared.load(key),
                                     lambda: self._local.load(key))

    async def save(self, key: str, conversation: Conversation) -> None:
        """To memory, and to Redis when it answers."""
        await self._local.save(key, conversation)

        async def nothing() -> None:
            return None

        await self._guard.run(lambda: self._shared.save(key, conversation), nothing)
