"""Conversation state between two messages: pending options, the question they answer, language.

In one process it lives in memory (bounded, expiring); with Redis configured the same interface is
shared by every worker.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

TTL_SECONDS = 30 * 60
MAX_CONVERSATIONS = 50_000


@dataclass
class Conversation:
    """What the dialogue remembers of one user."""

    options: list[dict[str, str]] = field(default_factory=list)  # [{id, title}]
    question: str = ""  # the redacted question the options answer
    lang: str | None = None  # chosen language, if the user set one

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form (for Redis)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        """Back from :meth:`to_dict`."""
        return cls(options=list(data.get("options", [])), question=str(data.get("question", "")),
                   lang=data.get("lang"))


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
