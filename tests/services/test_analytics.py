"""The analytics figures over a store with known exchanges: per-day counts by channel, outcome
and topic in Beijing days, the range respected, latency, the inbox groups' trend, the worst-rated
entries, and crisis texts never read."""

from __future__ import annotations

from datetime import date

import pytest

from services.errors import Invalid
from services.staff import AnalyticsService, DateRange
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.analytics_support import (
    BAD,
    BUS,
    CAT,
    CRISIS_TEXT,
    END,
    GOOD,
    IN_RANGE,
    START,
    WORSE,
    seed,
    seed_unanswered,
)

JUNE = DateRange.parse(START, END)


def reader(services):
    titles = {t.id: t.title for t in services.catalog.content.topics}
    return AnalyticsService(services.sessionmaker, services.catalog.normalizer, titles)


async def test_counts_per_day_by_channel_outcome_and_topic(services):
    await seed(services)
    figures = await reader(services).figures(JUNE)
    assert [d.day.isoformat() for d in figures.days][0::6] == [START, END]
    assert figures.total == IN_RANGE
    days = {d.day.day: d for d in figures.days}
    assert [days[n].total for n in range(1, 8)] == [3, 2, 2, 0, 1, 0, 1]
    assert days[1].channels == {"web": 2, "telegram": 1}
    assert days[2].outcomes == {"fallback": 1, "answer": 1}
    assert figures.outcomes == {"answer": 5, "clarify": 1, "fallback": 1, "crisis": 1,
                                "other": 1}
    assert figures.crises == 1
    assert figures.channels == ["web", "telegram", "wechat"]
    assert days[1].topics == {"hotline": 2} and figures.topics == ["hotline"]
    assert figures.topic_title("hotline") != "hotline"  # the content's title


async def test_days_are_beijing_days_and_the_range_is_respected(services):
    await seed(services)
    one = await reader(services).figures(DateRange.parse("2024-06-03", "2024-06-03"))
    # 00:30 on 06-03 in Beijing is still 06-02 in UTC: it counts on the 3rd.
    assert one.total == 2 and one.outcomes["answer"] == 1 and one.crises == 1
    wide = await reader(services).figures(DateRange.parse("2024-05-31", "2024-06-08"))
    assert wide.total == IN_RANGE + 2  # the rows either side of June 1-7


async def test_latency_median_and_p95(services):
    await seed(services)
    median, p95, count = (await reader(services).figures(JUNE)).latency
    assert (median, p95, count) == (50.0, 90.0, 9)


async def test_worst_rated_entries_from_feedback_in_the_range(services):
    await seed(services)
    worst = (await reader(services).figures(JUNE)).worst
    assert [(r.entry_id, r.up, r.down) for r in worst] == [(WORSE, 1, 2), (BAD, 1, 1)]
    assert worst[0].title != WORSE  # the entry's title from the store
    assert GOOD not in [r.entry_id for r in worst]  # its 👎 came after the range


async def test_unanswered_groups_trend_per_day(services):
    await seed_unanswered(services)
    trends = (await reader(services).figures(JUNE)).unanswered
    assert [(t.text in BUS, t.in_range, t.per_day) for t in trends] == [
        (True, 3, (0, 2, 0, 1, 0, 0, 0)), (False, 1, (0, 0, 0, 0, 0, 1, 0))]
    assert trends[1].text == CAT and trends[1].total == 2  # asked once before the range too


async def test_crisis_texts_are_never_read(services):
    await seed(services)
    await seed_unanswered(services)
    figures = await reader(services).figures(JUNE)
    assert CRISIS_TEXT not in repr(figures)


async def test_an_empty_range_has_zeros_not_errors(services):
    figures = await reader(services).figures(DateRange.parse("2030-01-01", "2030-01-02"))
    assert figures.total == 0 and figures.latency == (None, None, 0)
    assert figures.unanswered == [] and figures.worst == []
    header, rows = figures.table()
    assert header[:2] == ["日期", "消息数"] and [r[1] for r in rows] == [0, 0]


def test_the_default_range_is_the_last_seven_days():
    period = DateRange.parse("", "", until=date(2024, 6, 7))
    assert (period.start, period.end) == (date(2024, 6, 1), date(2024, 6, 7))
    assert DateRange.parse("2024-06-01", "").end == date(2024, 6, 7)
    assert DateRange.parse("", "2024-06-07").start == date(2024, 6, 1)


@pytest.mark.parametrize(("start", "end", "says"), [
    ("2024-13-01", "", "看不懂"), ("yesterday", "", "看不懂"), ("2024-06-08", "2024-06-01", "晚于"),
    ("2023-01-01", "2024-06-01", "最多"), ("1900-01-01", "", "2000"), ("9999-12-31", "", "2100")])
def test_bad_dates_are_a_clear_message(start, end, says):
    with pytest.raises(Invalid, match=says):
        DateRange.parse(start, end)
