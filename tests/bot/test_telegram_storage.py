"""What the Telegram channel stores, on every database the store supports: votes (one per user
per exchange, changeable), exchanges under salted user hashes, counted non-text events."""

from __future__ import annotations

from sqlalchemy import select

from services.db import repositories as repo
from services.db.models import Exchange, Feedback
from tests.bot.telegram_harness import tg_fixture  # noqa: F401  (the tg fixture)
from tests.bot.telegram_updates import NON_TEXT, PARENT, button, message, user

SANTAN = "三坛教师评了多少名"


def votes(call):
    return [data for _, data in call.buttons if data.startswith("v:")]


async def test_votes_are_stored_once_per_user_and_can_change(tg):
    await tg.feed(message(SANTAN))
    up, down = votes(tg.api.sent()[0])
    await tg.feed(button(up))
    [answered] = tg.api.of("answerCallbackQuery")
    assert "谢谢" in answered.params["text"]
    assert [f.value for f in await _feedback(tg)] == [1]
    await tg.feed(button(down))
    assert [f.value for f in await _feedback(tg)] == [-1]  # changed, not added
    await tg.feed(button(up, sender=user(PARENT + 1)))
    rows = await _feedback(tg)
    assert sorted(f.value for f in rows) == [-1, 1]
    assert all(str(PARENT) not in f.user_hash and str(PARENT + 1) not in f.user_hash
               for f in rows)


async def test_user_ids_are_stored_only_as_hashes(tg):
    await tg.feed(message(SANTAN))
    [exchange] = await _exchanges(tg)
    assert exchange.channel == "telegram"
    assert str(PARENT) not in exchange.user_hash and len(exchange.user_hash) == 32


async def test_a_sticker_is_counted_not_stored(tg):
    await tg.feed(message(**NON_TEXT["sticker"]))
    async with tg.services.sessionmaker() as session:
        assert await repo.get_meta(session, "events:telegram:sticker") == "1"
        assert await repo.count_exchanges(session) == 0


async def _exchanges(tg):
    async with tg.services.sessionmaker() as session:
        return list(await session.scalars(select(Exchange).order_by(Exchange.id)))


async def _feedback(tg):
    async with tg.services.sessionmaker() as session:
        return list(await session.scalars(select(Feedback).order_by(Feedback.id)))
