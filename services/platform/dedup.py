"""Process each pushed message once: platforms re-send what they think went unanswered.

WeChat re-sends a message up to three times when it gets no reply within five seconds. The first
arrival *claims* the message's key; the work's result (the rendered reply, or an empty string for
"acknowledged, nothing to add") is *finished* under that key, and a retry reads it instead of
running a second dialogue turn. The keys live in a small expiring store: in memory for one
process, in Redis when several workers share the traffic (a retry may reach another worker).

The store is the platform's one TTL store (``ttl_store.py``).
"""

from __future__ import annotations

import asyncio
import time

from services.platform.ttl_store import TtlStore

DEDUP_TTL = 10 * 60  # WeChat's retries come within ~15 s; ten minutes is ample and cheap
_PENDING = "?"  # claimed, work in progress
_DONE = "="  # prefix of a finished result


class Dedup:
    """Claim, finish and read back the result of work that must happen once per key."""

    def __init__(self, store: TtlStore, ttl: float = DEDUP_TTL, poll: float = 0.05) -> None:
        self._store = store
        self._ttl = ttl
        self._poll = poll

    async def claim(self, key: str) -> bool:
        """True for the first arrival of ``key``; False for a repeat."""
        return await self._store.add(_key(key), _PENDING, self._ttl)

    async def finish(self, key: str, result: str) -> None:
        """Keep the result of the work for the repeats."""
        await self._store.set(_key(key), _DONE + result, self._ttl)

    async def release(self, key: str) -> None:
        """Give the key up (the work failed): a repeat may try again."""
        await self._store.delete(_key(key))

    async def result(self, key: str) -> str | None:
        """The finished result, or None while the work is pending (or the key is unknown)."""
        value = await self._store.get(_key(key))
        if value is None or not value.startswith(_DONE):
            return None
        return value[len(_DONE):]

    async def wait(self, key: str, within: float) -> str | None:
        """The result once finished, or None when it is not finished ``within`` seconds."""
        deadline = time.monotonic() + within
        while True:
            result = await self.result(key)
            if result is not None or time.monotonic() >= deadline:
                return result
            await asyncio.sleep(min(self._poll, max(0.0, deadline - time.monotonic())))


def _key(key: str) -> str:
    return f"dedup:{key}"
