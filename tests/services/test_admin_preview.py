"""The "try a question" box and the periodic job (scheduled publishes, daily reload)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from services.errors import Invalid
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import EDITOR, NEW_PHRASING, PUBLISHER, new_entry

ENTRY = "hotline.wenxin_youyue_intro"


async def test_try_shows_ranked_candidates_with_scores_and_parts(staff):
    result = await staff.preview.try_question("温心有约是干啥的")
    assert result.outcome == "answer"
    best = result.candidates[0]
    assert best.entry_id == ENTRY and best.title
    assert best.score >= result.threshold
    assert {"cover", "focus", "fuzz"} <= set(best.parts)
    assert [c.score for c in result.candidates] == sorted(
        (c.score for c in result.candidates), reverse=True)


async def test_try_with_the_saved_draft_shows_what_publishing_would_change(staff):
    view = await staff.content.get(ENTRY)
    doc = view.current
    doc["questions"] = [*doc["questions"], NEW_PHRASING]
    await staff.content.save(EDITOR, ENTRY, doc, view.version)
    live = await staff.preview.try_question(NEW_PHRASING, ENTRY)
    assert live.outcome == "fallback" and live.with_draft is None
    drafted = await staff.preview.try_question(NEW_PHRASING, ENTRY, use_draft=True)
    assert drafted.with_draft == ENTRY
    assert drafted.outcome == "answer" and drafted.candidates[0].entry_id == ENTRY


async def test_try_needs_text(staff):
    with pytest.raises(Invalid):
        await staff.preview.try_question("   ")


async def test_the_periodic_job_publishes_what_is_due(services, staff):
    view = await staff.content.create(EDITOR, new_entry())
    await staff.content.publish(PUBLISHER, view.id, view.version,
                                at=datetime.now(UTC) + timedelta(milliseconds=300))
    assert not services.catalog.engine.has(view.id)
    await asyncio.sleep(0.4)
    await staff.tick(date.today())
    assert services.catalog.engine.has(view.id)


async def test_the_periodic_job_reloads_the_content_when_the_day_changes(services, staff):
    before = services.catalog.snapshot
    assert await staff.tick(date.today()) == date.today()
    assert services.catalog.snapshot is before
    await staff.tick(date.today() - timedelta(days=1))
    assert services.catalog.snapshot is not before
