"""Retention: exchanges and unanswered questions are kept for a limited time, then removed.

What parents asked is redacted before it is stored, but even redacted questions are personal
history; the bureau keeps them only as long as they help improve the answers (180 days unless
configured otherwise). Feedback and staff-alert records go with their exchange. Content, revisions, accounts and the audit
log are not touched: they are the bureau's records, not users'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.db.models import AlertDelivery, Exchange, Feedback, UnansweredQuestion

_AGE = re.compile(r"^\s*(\d+)\s*([dwh]?)\s*$", re.IGNORECASE)
_UNIT_HOURS = {"": 24, "d": 24, "w": 24 * 7, "h": 1}


def parse_age(text: str) -> timedelta:
    """``"180d"``, ``"26w"``, ``"12h"`` or ``"180"`` (days) as a duration; ValueError otherwise."""
    match = _AGE.match(text)
    if match is None or int(match.group(1)) <= 0:
        raise ValueError(f"not an age: {text!r} (use e.g. 180d, 26w or 12h)")
    return timedelta(hours=int(match.group(1)) * _UNIT_HOURS[match.group(2).lower()])


@dataclass(frozen=True)
class PurgeReport:
    """How many rows a purge removed (or would remove, in a dry run)."""

    exchanges: int
    feedback: int
    unanswered: int


async def purge(session: AsyncSession, before: datetime, *, dry_run: bool = False) -> PurgeReport:
    """Remove exchanges (with their feedback) and unanswered questions last seen before ``before``.

    The caller owns the transaction, as with every repository function.
    """
    old_exchanges = select(Exchange.id).where(Exchange.created_at < before)
    counts = PurgeReport(
        exchanges=await _count(session, select(func.count()).select_from(Exchange)
                               .where(Exchange.created_at < before)),
        feedback=await _count(session, select(func.count()).select_from(Feedback)
                              .where(Feedback.exchange_id.in_(old_exchanges))),
        unanswered=await _count(session, select(func.count()).select_from(UnansweredQuestion)
                                .where(UnansweredQuestion.last_seen < before)),
    )
    if not dry_run:
        await session.execute(delete(Feedback).where(Feedback.exchange_id.in_(old_exchanges)))
        await session.execute(delete(AlertDelivery)
                              .where(AlertDelivery.exchange_id.in_(old_exchanges)))
        await session.execute(delete(Exchange).where(Exchange.created_at < before))
        await session.execute(delete(UnansweredQuestion)
                              .where(UnansweredQuestion.last_seen < before))
    return counts


async def _count(session: AsyncSession, query: Select[int]) -> int:
    return int(await session.scalar(query) or 0)
