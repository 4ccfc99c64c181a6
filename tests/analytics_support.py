"""A store with known exchanges for the analytics tests: counts by day, channel, outcome and
topic are known in advance, one crisis carries a text that must never leave the crisis page, and
feedback rates two entries badly and one well.

The range under test is 2024-06-01 to 2024-06-07 (Beijing days); rows just outside it, on either
side, must not be counted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select, update

from services import Services
from services.db.models import Exchange, Feedback
from tests.admin_support import ask

BEIJING = timezone(timedelta(hours=8))
GOOD = "hotline.wenxin_youyue_intro"
BAD = "hotline.who_can_use"
WORSE = "hotline.how_to_contact"
CRISIS_TEXT = "危机原文-不得外露-7731"
START, END = "2024-06-01", "2024-06-07"

# (day of June, Beijing hour:minute, channel, kind, intent, flagged, latency ms)
ROWS = [
    (1, "10:00", "web", "answer", GOOD, False, 10.0),
    (1, "11:00", "web", "answer", GOOD, False, 20.0),
    (1, "12:00", "telegram", "clarify", None, False, 30.0),
    (2, "09:00", "wechat", "fallback", None, False, 40.0),
    (2, "23:30", "web", "answer", BAD, False, 50.0),     # 15:30 UTC, still 06-02
    (3, "00:30", "web", "answer", BAD, False, 60.0),     # 06-02 16:30 UTC, but 06-03 here
    (3, "08:00", "telegram", "crisis", None, True, 70.0),
    (5, "14:00", "web", "greeting", None, False, 80.0),
    (7, "23:59", "wechat", "answer", WORSE, False, 90.0),
    (8, "00:01", "web", "answer", GOOD, False, 999.0),   # outside, after
]
BEFORE = ("2024-05-31T23:59", "web", "fallback")         # outside, before
IN_RANGE = len(ROWS) - 1


def at(day: int, clock: str) -> datetime:
    """A Beijing time in June 2024, as the store keeps times: in UTC (SQLite would keep another
    zone's wall clock as if it were UTC)."""
    return datetime.fromisoformat(f"2024-06-{day:02d}T{clock}").replace(
        tzinfo=BEIJING).astimezone(UTC)


async def seed(services: Services) -> dict[str, list[int]]:
    """Store the rows and the votes; returns the exchange ids per intent."""
    ids: dict[str, list[int]] = {}
    async with services.sessionmaker.begin() as session:
        for day, clock, channel, kind, intent, flagged, latency in ROWS:
            row = Exchange(channel=channel, user_hash="u" * 8, kind=kind, intent=intent,
                           confidence=0.9, flagged=flagged, latency_ms=latency,
                           text=CRISIS_TEXT if flagged else "问一下", created_at=at(day, clock))
            session.add(row)
            await session.flush()
            ids.setdefault(intent or kind, []).append(row.id)
        when, channel, kind = BEFORE
        session.add(Exchange(channel=channel, user_hash="u" * 8, kind=kind, intent=None,
                             confidence=0.0, text="早",
                             created_at=datetime.fromisoformat(when).replace(tzinfo=BEIJING)
                             .astimezone(UTC)))
        votes = [(GOOD, 1), (GOOD, 1), (BAD, 1), (BAD, -1), (WORSE, -1), (WORSE, -1),
                 (WORSE, 1)]
        for n, (intent, value) in enumerate(votes):
            session.add(Feedback(exchange_id=ids[intent][0], user_hash=f"voter{n}",
                                 value=value, created_at=at(4, "12:00")))
        # A 👎 given after the range is not counted in it.
        session.add(Feedback(exchange_id=ids[GOOD][0], user_hash="late", value=-1,
                             created_at=at(9, "12:00")))
    return ids


BUS = ["紫藤小学的校车几点到站？", "紫藤小学的校车几点到站", "紫藤小学校车几点到站呀"]
CAT = "小区门口的快递柜怎么用"


async def seed_unanswered(services: Services) -> None:
    """Unanswered questions asked through the real dialogue, then dated into the range: the bus
    group on 06-02 (twice) and 06-04, the parcel locker on 06-06 and once long before."""
    days = [at(2, "10:00"), at(2, "11:00"), at(4, "10:00"), at(6, "10:00"),
            datetime(2024, 1, 1, tzinfo=UTC)]
    for i, text in enumerate([*BUS, CAT, CAT]):
        reply = await ask(services, text, user=f"asker{i}")
        assert reply.kind == "fallback", text
    async with services.sessionmaker.begin() as session:
        rows = (await session.scalars(select(Exchange.id).where(Exchange.channel == "test")
                                      .order_by(Exchange.id))).all()
        for exchange_id, when in zip(rows, days, strict=True):
            await session.execute(update(Exchange).where(Exchange.id == exchange_id)
                                  .values(created_at=when))
