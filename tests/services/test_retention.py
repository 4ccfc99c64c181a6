"""Retention: old exchanges (with their feedback) and old unanswered questions are removed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from services import Services
from services.db.models import Exchange, Feedback, UnansweredQuestion
from services.platform.retention import parse_age, purge

NOW = datetime.now(UTC)


@pytest.mark.parametrize(("text", "days"), [("180d", 180), ("180", 180), ("26w", 182),
                                            ("12h", 0.5), (" 7D ", 7)])
def test_ages_read_as_days_weeks_or_hours(text: str, days: float):
    assert parse_age(text) == timedelta(days=days)


@pytest.mark.parametrize("text", ["", "0d", "-3d", "3m", "soon", "1.5d"])
def test_nonsense_ages_are_refused(text: str):
    with pytest.raises(ValueError, match="not an age"):
        parse_age(text)


async def _age(services: Services, model: type, column: str, days: int) -> None:
    async with services.sessionmaker.begin() as session:
        await session.execute(update(model).values({column: NOW - timedelta(days=days)}))


async def _count(services: Services, model: type) -> int:
    async with services.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_purge_removes_what_is_older_and_keeps_what_is_recent(services: Services, ask):
    old = await ask("三坛教师评了多少名", user="old")
    await ask("量子计算机的原理是什么", user="old")
    assert old.exchange_id is not None
    await services.dialog.feedback(old.exchange_id, "test", "old", 1)
    await _age(services, Exchange, "created_at", 200)
    await _age(services, UnansweredQuestion, "last_seen", 200)
    recent = await ask("三坛教师评了多少名", user="new")
    assert recent.exchange_id is not None
    await services.dialog.feedback(recent.exchange_id, "test", "new", -1)

    async with services.sessionmaker.begin() as session:
        counted = await purge(session, NOW - timedelta(days=180), dry_run=True)
    assert (counted.exchanges, counted.feedback, counted.unanswered) == (2, 1, 1)
    assert await _count(services, Exchange) == 3  # a dry run removes nothing

    async with services.sessionmaker.begin() as session:
        removed = await purge(session, NOW - timedelta(days=180))
    assert removed == counted
    async with services.sessionmaker() as session:
        kept = (await session.scalars(select(Exchange.id))).all()
    assert kept == [recent.exchange_id]
    assert await _count(services, Feedback) == 1
    assert await _count(services, UnansweredQuestion) == 0
