"""The alert outbox (``alert_outbox``): what has to go out, who is sending it, what happened.

Why an alert goes out once, with any number of workers on one database (SQLite or PostgreSQL):

- rows are created with ``INSERT … ON CONFLICT (exchange_id, channel) DO NOTHING``, so the
  worker that stored the exchange and every other worker's backfill can all try, and one row
  results;
- a row is sent only by the worker whose ``UPDATE … SET status = 'sending' WHERE id = :id AND
  <claimable>`` changed it. PostgreSQL re-checks the WHERE of a row another transaction just
  changed (READ COMMITTED), and SQLite takes the write lock at BEGIN (services/db/engine.py), so
  of two workers claiming at once exactly one gets the row back;
- a claim is a lease: a worker that dies mid-send leaves ``sending`` with a ``claimed_until`` in
  the past, which makes the row claimable again. That is the one case of a repeat (sent, then
  died before recording it), and the right side to err on for a crisis; receivers can drop it
  by the webhook's ``Idempotency-Key`` or the e-mail's Message-ID;
- a ``sent`` row is never claimable again, and neither is a ``failed`` one (attempts used up).

Repository functions take the session first and never commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, String, and_, cast, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.db import repositories as repo
from services.db.models import AlertDelivery, AuditLog, Exchange
from services.platform import audit
from services.platform.timeutil import as_utc

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


@dataclass(frozen=True, slots=True)
class AlertStatus:
    """How one alert of one exchange stands, for the follow-up list."""

    channel: str
    status: str
    attempts: int
    sent_at: datetime | None
    last_error: str | None

    @property
    def state(self) -> str:
        """``sent``, ``failed``, ``sending``, ``retrying`` (failed before, will try again) or
        ``pending`` (not tried yet)."""
        if self.status == PENDING and self.attempts:
            return "retrying"
        return self.status


@dataclass(frozen=True, slots=True)
class Claim:
    """A row this worker may send now: it holds the lease."""

    row_id: int
    exchange_id: int
    channel: str
    attempts: int  # including this one


async def enqueue(session: AsyncSession, exchange_ids: Sequence[int],
                  channels: Sequence[str], now: datetime) -> None:
    """One pending row per flagged exchange and channel, unless it exists already."""
    if not exchange_ids or not channels:
        return
    flagged = (await session.scalars(select(Exchange.id).where(
        Exchange.id.in_(list(exchange_ids)), Exchange.flagged.is_(True)))).all()
    rows = [{"exchange_id": e, "channel": c, "status": PENDING, "attempts": 0,
             "next_attempt_at": now, "created_at": now} for e in flagged for c in channels]
    if not rows:
        return
    await session.execute(repo.upsert_insert(session, AlertDelivery).values(rows).on_conflict_do_nothing(
        index_elements=[AlertDelivery.exchange_id, AlertDelivery.channel]))


async def unalerted(session: AsyncSession, channels: Sequence[str], since: datetime,
                    limit: int = 200) -> list[int]:
    """Flagged exchanges since ``since``, not yet handled, missing a row for some channel.

    The backfill: an exchange whose worker stopped between storing it and queuing its alerts,
    or a channel configured after the exchange came in.
    """
    rows = (select(func.count()).select_from(AlertDelivery)
            .where(AlertDelivery.exchange_id == Exchange.id, AlertDelivery.channel.in_(channels))
            .scalar_subquery())
    handled = select(AuditLog.id).where(
        AuditLog.action == audit.CRISIS_HANDLED,
        AuditLog.target == literal("exchange:", String).concat(cast(Exchange.id, String)))
    query = (select(Exchange.id)
             .where(Exchange.flagged.is_(True), Exchange.created_at >= since,
                    rows < len(channels), ~handled.exists())
             .order_by(Exchange.id).limit(limit))
    return list((await session.scalars(query)).all())


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(and_(AlertDelivery.status == PENDING, AlertDelivery.next_attempt_at <= now),
               and_(AlertDelivery.status == SENDING, AlertDelivery.claimed_until < now))


async def due(session: AsyncSession, channels: Sequence[str], now: datetime,
              limit: int = 50) -> list[int]:
    """Ids of rows of ``channels`` that may be claimed now, oldest first (a hint: :func:`claim`
    decides)."""
    query = (select(AlertDelivery.id)
             .where(AlertDelivery.channel.in_(list(channels)), _claimable(now))
             .order_by(AlertDelivery.next_attempt_at, AlertDelivery.id).limit(limit))
    return list((await session.scalars(query)).all())


async def claim(session: AsyncSession, row_id: int, now: datetime,
                lease: timedelta) -> Claim | None:
    """Take the row for one attempt, or None when another worker has it or it is done."""
    statement = (update(AlertDelivery)
                 .where(AlertDelivery.id == row_id, _claimable(now))
                 .values(status=SENDING, claimed_until=now + lease,
                         attempts=AlertDelivery.attempts + 1)
                 .returning(AlertDelivery.exchange_id, AlertDelivery.channel,
                            AlertDelivery.attempts)
                 .execution_options(synchronize_session=False))
    row = (await session.execute(statement)).first()
    return None if row is None else Claim(row_id, row.exchange_id, row.channel, row.attempts)


async def mark_sent(session: AsyncSession, row_id: int, now: datetime) -> None:
    """Record a delivery: the row is never claimable again."""
    await session.execute(
        update(AlertDelivery).where(AlertDelivery.id == row_id)
        .values(status=SENT, sent_at=now, claimed_until=None, last_error=None)
        .execution_options(synchronize_session=False))


async def mark_failed(session: AsyncSession, row_id: int, reason: str,
                      retry_at: datetime | None) -> None:
    """Record a failed attempt: try again at ``retry_at``, or (None) give up."""
    values = ({"status": FAILED} if retry_at is None
              else {"status": PENDING, "next_attempt_at": retry_at})
    await session.execute(
        update(AlertDelivery).where(AlertDelivery.id == row_id, AlertDelivery.status == SENDING)
        .values(claimed_until=None, last_error=reason[:200], **values)
        .execution_options(synchronize_session=False))


async def statuses(session: AsyncSession,
                   exchange_ids: Sequence[int]) -> dict[int, list[AlertStatus]]:
    """Each exchange's alerts, by channel name."""
    if not exchange_ids:
        return {}
    rows = await session.scalars(select(AlertDelivery)
                                 .where(AlertDelivery.exchange_id.in_(list(exchange_ids)))
                                 .order_by(AlertDelivery.id))
    out: dict[int, list[AlertStatus]] = defaultdict(list)
    for r in rows:
        out[r.exchange_id].append(AlertStatus(
            r.channel, r.status, r.attempts, as_utc(r.sent_at) if r.sent_at else None,
            r.last_error))
    return dict(out)
