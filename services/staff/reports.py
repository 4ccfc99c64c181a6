"""What staff review besides content: 👍/👎 per entry (worst first) and crisis follow-ups.

Texts shown here were redacted before they were stored; user ids are only ever pseudonyms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.alerts import AlertStatus, statuses
from services.content.catalog import Catalog
from services.db.models import Exchange, Feedback
from services.dialogue.privacy import redact
from services.errors import NotFound
from services.platform import audit
from services.platform.roles import Principal, require
from services.platform.timeutil import as_utc

HANDLED = audit.CRISIS_HANDLED


@dataclass
class EntryFeedback:
    """Votes on the answers of one entry."""

    entry_id: str
    title: str
    up: int
    down: int
    recent_down: list[str] = field(default_factory=list)  # questions that got a 👎 (redacted)

    @property
    def approval(self) -> float:
        """Share of 👍, smoothed so that one vote does not decide (Laplace: (up+1)/(n+2))."""
        return (self.up + 1) / (self.up + self.down + 2)


@dataclass(frozen=True, slots=True)
class CrisisItem:
    """A crisis-flagged exchange, whether staff were alerted, and who followed it up."""

    id: int
    at: datetime
    channel: str
    user: str  # pseudonym prefix: tells repeat contacts apart, identifies nobody
    text: str
    handled_by: str | None
    handled_at: datetime | None = None
    alerts: tuple[AlertStatus, ...] = ()  # one per alert channel, in the order queued


class ReportService:
    """Feedback and crisis follow-up lists."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], catalog: Catalog) -> None:
        self._sessionmaker = sessionmaker
        self._catalog = catalog

    async def feedback(self, recent: int = 3) -> list[EntryFeedback]:
        """Entries with votes, worst approval first."""
        up = func.sum(case((Feedback.value > 0, 1), else_=0))
        down = func.sum(case((Feedback.value < 0, 1), else_=0))
        async with self._sessionmaker() as session:
            rows = (await session.execute(
                select(Exchange.intent, up, down).join(Exchange)
                .where(Exchange.intent.is_not(None)).group_by(Exchange.intent))).all()
            out = [EntryFeedback(intent, self._title(intent), int(u or 0), int(d or 0))
                   for intent, u, d in rows]
            for item in out:
                if item.down:
                    texts = await session.scalars(
                        select(Exchange.text).join(Feedback)
                        .where(Exchange.intent == item.entry_id, Feedback.value < 0)
                        .order_by(Feedback.id.desc()).limit(recent))
                    item.recent_down = list(dict.fromkeys(texts))
        out.sort(key=lambda f: (f.approval, -f.down, f.entry_id))
        return out

    def _title(self, entry_id: str) -> str:
        engine = self._catalog.engine
        return engine.entry(entry_id).title if engine.has(entry_id) else entry_id

    async def crisis(self, limit: int = 200) -> list[CrisisItem]:
        """Crisis-flagged exchanges, newest first, with their alerts and who handled each."""
        async with self._sessionmaker() as session:
            rows = (await session.scalars(select(Exchange).where(Exchange.flagged.is_(True))
                                          .order_by(Exchange.id.desc()).limit(limit))).all()
            handled = await audit.targets_with_action(
                session, HANDLED, [f"exchange:{r.id}" for r in rows])
            sent = await statuses(session, [r.id for r in rows])
        items = []
        for r in rows:
            by, at = handled.get(f"exchange:{r.id}", (None, None))
            items.append(CrisisItem(r.id, as_utc(r.created_at), r.channel, r.user_hash[:8],
                                    r.text, by, as_utc(at) if at else None,
                                    tuple(sent.get(r.id, ()))))
        return items

    async def mark_handled(self, actor: Principal, exchange_id: int, note: str = "",
                           ip: str = "") -> None:
        """Record that a member of staff followed up a crisis exchange."""
        require(actor, "editor", "处理危机跟进")
        async with self._sessionmaker.begin() as session:
            row = await session.get(Exchange, exchange_id)
            if row is None or not row.flagged:
                raise NotFound(f"没有需要跟进的第 {exchange_id} 条对话。")
            await audit.record(session, actor.username, HANDLED, f"exchange:{exchange_id}",
                               redact(note.strip())[:500], ip)

    async def audit(self, *, action: str | None = None, actor: str | None = None,
                    limit: int = 300) -> list[audit.AuditEntry]:
        """The newest audit rows, optionally of one action or one person."""
        async with self._sessionmaker() as session:
            return await audit.entries(session, action=action, actor=actor, limit=limit)
