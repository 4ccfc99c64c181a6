"""The store's side of the analytics page and the weekly report: the queries behind the figures
of :mod:`services.staff.analytics_figures` (questions per day by channel and by topic, the share
of answers, clarifications, fallbacks and crises, the open unanswered groups and how often each
was asked, the entries rated worst, reply latency).

Days are Beijing days (the staff's calendar), however the store keeps the clock (UTC). Rows are
bucketed here rather than with SQL date functions, which SQLite and PostgreSQL spell differently.

Crises are counted, never read: no query here selects the text of a flagged exchange. The only
texts that leave this module are the inbox's group names, which the inbox already shows staff
(redacted when stored).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from rapidfuzz import fuzz, process
from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from intents import Normalizer
from services.db import repositories as repo
from services.db.models import Entry, Exchange, Feedback, UnansweredQuestion
from services.dialogue.privacy import redact
from services.staff.analytics_figures import (
    DateRange,
    Day,
    EntryRating,
    Figures,
    UnansweredTrend,
    beijing_day,
    outcome_of,
)
from services.staff.inbox import SIMILAR, group_questions

TOP_UNANSWERED = 5
WORST_ENTRIES = 10
# An exchange whose question went to the inbox was a fallback, or an answer that said what its
# source lacks ("文件没有写……"); the latter is matched to a group only by its exact key.
ASKED_KINDS = ("fallback", "answer")  # replies whose questions can be in the inbox
Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])


class AnalyticsService:
    """Reads the figures of a range from the store (nothing is written).

    ``normalize`` must be the running content's normaliser for the unanswered groups to be the
    inbox's own; without it a synonym-free one is used, which groups nearly alike.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession],
                 normalize: Callable[[str], str] | None = None,
                 topic_titles: Mapping[str, str] | None = None) -> None:
        self._sessionmaker = sessionmaker
        self._normalize = normalize or Normalizer()
        self._topic_titles = dict(topic_titles or {})

    async def figures(self, period: DateRange) -> Figures:
        """The figures of ``period``."""
        async with self._sessionmaker() as session:
            days = await self._days(session, period)
            unanswered = await self._unanswered(session, period)
            worst = await self._worst(session, period)
        return Figures(period, days, self._topic_titles, unanswered, worst)

    async def _days(self, session: AsyncSession, period: DateRange) -> list[Day]:
        days = {d: Day(d) for d in period.days}
        query = (select(Exchange.created_at, Exchange.channel, Exchange.kind, Exchange.flagged,
                        Exchange.latency_ms, Entry.topic)
                 .outerjoin(Entry, Entry.id == Exchange.intent))
        for at, channel, kind, flagged, latency, topic in await session.execute(
                _within(query, Exchange.created_at, period)):
            day = days.get(beijing_day(at))
            if day is None:
                continue
            day.channels[channel] += 1
            day.outcomes[outcome_of(kind, flagged)] += 1
            if topic and not flagged:
                day.topics[topic] += 1
            if latency and latency > 0:  # 0: an exchange stored before latency was measured
                day.latencies.append(float(latency))
        return list(days.values())

    async def _unanswered(self, session: AsyncSession,
                          period: DateRange) -> list[UnansweredTrend]:
        """The open inbox groups asked in the range, most asked first (the top few)."""
        # Complaints are listed apart in the inbox; the trends are of questions to answer.
        rows = [r for r in await repo.list_unanswered(session, limit=500) if r.kind == "question"]
        query = select(Exchange.created_at, Exchange.kind, Exchange.text).where(
            Exchange.flagged.is_(False), Exchange.kind.in_(ASKED_KINDS))
        asked = [(at, kind, text) for at, kind, text
                 in await session.execute(_within(query, Exchange.created_at, period))]
        # Normalising is ~30 µs a text: a year of exchanges would hold the loop for seconds.
        return await asyncio.to_thread(self._trends, rows, asked, period)

    def _trends(self, rows: Sequence[UnansweredQuestion],
                asked: list[tuple[datetime, str, str]], period: DateRange
                ) -> list[UnansweredTrend]:
        """Each asked question counted under its inbox group, by the key the exchange log gave
        it (``redact(normalize(text))``), or for a fallback by the grouping's own similarity."""
        groups = group_questions(rows, self._normalize)
        by_row = {q.id: i for i, g in enumerate(groups) for q in g.questions}
        by_key = {r.key: by_row[r.id] for r in rows if r.id in by_row}
        keys = [g.key for g in groups]
        index = {d: i for i, d in enumerate(period.days)}
        counts = [[0] * len(index) for _ in groups]
        seen: dict[tuple[str, str], int | None] = {}
        for at, kind, text in asked:
            day = index.get(beijing_day(at))
            if day is None:
                continue
            if (kind, text) not in seen:
                seen[kind, text] = self._group_of(kind, text, by_key, keys)
            found = seen[kind, text]
            if found is not None:
                counts[found][day] += 1
        trends = [UnansweredTrend(g.text, sum(c), tuple(c), g.count, g.last_seen)
                  for g, c in zip(groups, counts, strict=True) if sum(c)]
        trends.sort(key=lambda t: (-t.in_range, -t.total, t.text))
        return trends[:TOP_UNANSWERED]

    def _group_of(self, kind: str, text: str, by_key: Mapping[str, int],
                  keys: list[str]) -> int | None:
        key = (redact(self._normalize(text)) or text)[:300]
        found = by_key.get(key)
        if found is None and kind == "fallback" and keys:
            hit = process.extractOne(key, keys, scorer=fuzz.ratio, processor=None,
                                     score_cutoff=SIMILAR)
            found = None if hit is None else hit[2]
        return found

    async def _worst(self, session: AsyncSession, period: DateRange) -> list[EntryRating]:
        """Entries with a 👎 in the range, lowest share of 👍 first."""
        up = func.sum(case((Feedback.value > 0, 1), else_=0))
        down = func.sum(case((Feedback.value < 0, 1), else_=0))
        query = (select(Exchange.intent, up, down).join(Exchange)
                 .where(Exchange.intent.is_not(None)).group_by(Exchange.intent))
        votes = [(str(i), int(u or 0), int(d or 0))
                 for i, u, d in await session.execute(_within(query, Feedback.created_at, period))]
        votes = [v for v in votes if v[2]]
        titles: dict[str, str] = {}
        if votes:
            for entry_id, doc in await session.execute(
                    select(Entry.id, Entry.published).where(Entry.id.in_([v[0] for v in votes]))):
                titles[entry_id] = str((doc or {}).get("title") or entry_id)
        rated = [EntryRating(i, titles.get(i, i), u, d) for i, u, d in votes]
        rated.sort(key=lambda r: (r.approval, -r.down, r.entry_id))
        return rated[:WORST_ENTRIES]


def _within(query: Q, column: InstrumentedAttribute[datetime], period: DateRange) -> Q:
    """``query`` limited to rows whose ``column`` falls in the range."""
    start, end = period.bounds()
    return query.where(column >= start, column < end)
