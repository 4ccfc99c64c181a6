"""The rest of a long reply, kept until the user asks for it with the "more" number.

A channel with a size limit (WeChat's 2,048 bytes) splits a reply into pages itself, because only
it knows its limit; what the dialogue decides is the rest: the number that asks for the next page
(one past the reply's options, so it never collides with an option), whether a message is that
number, and that any other message drops the kept pages. Turning a page is not a dialogue turn:
nothing is matched or stored.
"""

from __future__ import annotations

import json
import unicodedata

from services.dialogue.conversation import TTL_SECONDS  # pages last as long as a conversation
from services.dialogue.messages import Reply
from services.platform import TtlStore

MAX_DIGITS = 3  # a "more" number is small; anything longer is a question


def more_number(reply: Reply) -> int:
    """The number that asks for the page after this reply's first: one past its options."""
    return len(reply.options) + 1


class Pages:
    """Kept pages per channel user, in the platform's TTL store (memory, or shared through Redis)."""

    def __init__(self, store: TtlStore, ttl: float = TTL_SECONDS) -> None:
        self._store = store
        self._ttl = ttl

    async def keep(self, user: str, pages: list[str], number: int) -> None:
        """Keep ``pages`` (those after the one sent) for ``user``; none: forget what was kept."""
        if pages:
            await self._store.set(_key(user), json.dumps({"n": number, "pages": pages}),
                                  self._ttl)
        else:
            await self._store.delete(_key(user))

    async def turn(self, user: str, text: str) -> str | None:
        """The next kept page when ``text`` is the "more" number; any other text drops them."""
        raw = await self._store.get(_key(user))
        if raw is None:
            return None
        kept = json.loads(raw)
        if _as_number(text) != kept["n"]:
            await self._store.delete(_key(user))
            return None
        first, *rest = kept["pages"]
        await self.keep(user, rest, int(kept["n"]))
        return str(first)


def _key(user: str) -> str:
    return f"more:{user}"


def _as_number(text: str) -> int | None:
    """A bare number as typed or dictated ("4", "４", "4。")."""
    cleaned = unicodedata.normalize("NFKC", text).strip().rstrip("。.").strip()
    digits = cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= MAX_DIGITS
    return int(cleaned) if digits else None
