"""Two pieces of python-telegram-bot plumbing: honouring ``RetryAfter`` and ordering per chat.

* :class:`RetryAfterLimiter` is PTB's rate-limiter seam used the "react only if necessary" way
  its documentation describes: when Telegram answers 429 with ``retry_after``, every request of
  the bot waits that long and the failed one is sent again (a few times, never for longer than a
  bound), instead of the reply being lost.
* :class:`ChatOrderedProcessor` lets updates of different chats run concurrently (one slow
  database write or send does not hold up every other parent) while the updates of one chat run
  in arrival order, so "2" is never handled before the question it answers.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter, BaseUpdateProcessor
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

MAX_RETRIES = 3
MAX_WAIT_SECONDS = 60.0
MAX_CONCURRENT_UPDATES = 64


def retry_seconds(error: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds (PTB 22 warns when it is read as an int)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class RetryAfterLimiter(BaseRateLimiter[None]):
    """After a 429, pause every request for ``retry_after`` seconds, then retry the failed one."""

    def __init__(self, max_retries: int = MAX_RETRIES, max_wait: float = MAX_WAIT_SECONDS,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """Retry up to ``max_retries`` times, never waiting longer than ``max_wait`` seconds."""
        self._max_retries = max_retries
        self._max_wait = max_wait
        self._sleep = sleep
        self._resume_at = 0.0  # monotonic time before which no request is sent

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Send the request; on ``RetryAfter`` wait as asked and send it again."""
        attempt = 0
        while True:
            pause = self._resume_at - time.monotonic()
            if pause > 0:
                await self._sleep(pause)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = retry_seconds(exc)
                attempt += 1
                if attempt > self._max_retries or wait > self._max_wait:
                    raise
                log.warning("Telegram flood control on %s: waiting %.1f s (try %d of %d)",
                            endpoint, wait, attempt, self._max_retries)
                self._resume_at = max(self._resume_at, time.monotonic() + wait)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in order within one chat."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        """At most ``max_concurrent_updates`` updates at once, across all chats."""
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: Counter[int] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run ``coroutine`` once the earlier updates of the same chat are done."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._waiting[chat.id] += 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[chat.id] -= 1
            if not self._waiting[chat.id]:
                del self._waiting[chat.id]
                del self._locks[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
