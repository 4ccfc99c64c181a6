"""What the dialogue writes to the store: each exchange (redacted, under a salted pseudonym),
unanswered questions for the editors' inbox, feedback, and counts of messages it cannot read.

Redaction happens here, at the one door to the store, so no caller can forget it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intents.inbox_filter import not_a_question
from services.db import repositories as repo
from services.db.models import InboxKind
from services.dialogue.messages import IncomingMessage, Reply
from services.dialogue.privacy import pseudonym, redact


class ExchangeLog:
    """Stores exchanges and feedback; ``enabled=False`` (eval runs) stores no exchange."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession],
                 group_key: Callable[[str], str], *, enabled: bool = True) -> None:
        self._sessionmaker = sessionmaker
        self._group_key = group_key
        self._enabled = enabled
        self._salt: bytes | None = None

    async def record(self, message: IncomingMessage, text: str, reply: Reply, *,
                     flagged: bool, unanswered: bool, best_intent: str | None,
                     elapsed: float, question: str = "",
                     inbox_kind: InboxKind = "question") -> int | None:
        """Store one exchange (and the question in the inbox when it went unanswered: the
        message, or ``question`` when the step named the one that really went unanswered)."""
        if not self._enabled:
            return None
        safe = redact(text)
        async with self._sessionmaker.begin() as session:
            salt = await self._user_salt(session)
            exchange_id = await repo.log_exchange(
                session, channel=message.channel,
                user_hash=pseudonym(salt, message.channel, message.user_id), text=safe,
                kind=reply.kind, intent=reply.intent, confidence=reply.confidence,
                flagged=flagged, latency_ms=elapsed * 1000)
            asked = redact(question) if question else safe
            if unanswered and not_a_question(asked) is None:  # "2", "asdf": not for the inbox
                # The key is the normalised question (NFKC, numerals as digits): redacted again,
                # so nothing that only reads as a number once normalised is stored in it.
                key = redact(self._group_key(asked)) or asked
                await repo.record_unanswered(session, key, asked, best_intent, reply.confidence,
                                             kind=inbox_kind)
        return exchange_id

    async def feedback(self, exchange_id: int, channel: str, user_id: str, value: int, *,
                       own: bool = False) -> bool:
        """Store a user's 👍 (+1) or 👎 (-1) on an exchange; False if there is no such exchange
        (with ``own``, none that this user was answered in)."""
        async with self._sessionmaker.begin() as session:
            salt = await self._user_salt(session)
            who = pseudonym(salt, channel, user_id)
            return await repo.set_feedback(session, exchange_id, who, 1 if value > 0 else -1,
                                           own=own)

    async def count_event(self, channel: str, name: str) -> None:
        """Count a message the dialogue cannot read (a photo, a sticker): a number, no content."""
        key = f"events:{channel}:{name}"[:200]
        async with self._sessionmaker.begin() as session:
            await repo.increment_meta(session, key)

    async def _user_salt(self, session: AsyncSession) -> bytes:
        if self._salt is None:
            self._salt = await repo.user_salt(session)
        return self._salt
