"""Groups, non-text messages, the rate limit and failures, through the real PTB Application."""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import func, select

from services.db import repositories as repo
from services.db.models import Exchange
from tests.bot.telegram_fakes import BOT_USERNAME
from tests.bot.telegram_harness import (  # noqa: F401  (fixtures)
    sqlite_only,
    telegram_bot,
    tg_fixture,
)
from tests.bot.telegram_updates import (
    GROUP,
    NON_TEXT,
    PARENT,
    bot_message,
    button,
    group_chat,
    mention,
    message,
    user,
)

SANTAN = "三坛教师评了多少名"


async def test_group_stays_silent_unless_addressed(tg):
    await tg.feed(message(SANTAN, chat=group_chat()))
    await tg.feed(message("大家好，明天家长会几点？", chat=group_chat()))
    await tg.feed(message("/help@some_other_bot", chat=group_chat()))
    await tg.feed(message("/frobnicate", chat=group_chat()))
    for fields in NON_TEXT.values():
        await tg.feed(message(chat=group_chat(), **fields))
    await tg.feed(message(SANTAN, chat=group_chat(), edited=True))
    assert tg.api.calls[1:] == []  # nothing after getMe
    assert await _count(tg) == 0


async def test_group_mention_is_answered_quoting_the_question(tg):
    update = mention(SANTAN)
    await tg.feed(update)
    [sent] = tg.api.sent()
    assert sent.params["chat_id"] == GROUP
    assert "1211" in sent.text
    assert sent.params["reply_parameters"]["message_id"] == update["message"]["message_id"]


async def test_group_reply_to_the_bot_is_answered(tg):
    await tg.feed(message(SANTAN, chat=group_chat(), reply_to=bot_message(group_chat())))
    assert "1211" in tg.api.sent()[0].text


async def test_an_acknowledgement_to_the_bot_in_a_group_is_not_answered(tg):
    """收到 in reply to the bot's answer acknowledges it: the group gets no "不客气"; in a private
    chat the same word gets a short reply."""
    await tg.feed(message("收到", chat=group_chat(), reply_to=bot_message(group_chat())))
    await tg.feed(mention("收到，谢谢老师们的通知"))
    assert tg.api.sent() == []
    await tg.feed(message("收到"))
    [sent] = tg.api.sent()
    assert sent.text and "不客气" not in sent.text


async def test_group_commands_are_answered(tg):
    await tg.feed(message("/help", chat=group_chat()))
    await tg.feed(message(f"/topics@{BOT_USERNAME}", chat=group_chat()))
    help_text, topics = tg.api.sent()
    assert "/lang" in help_text.text
    assert topics.buttons


async def test_group_members_keep_their_own_clarification(tg):
    await tg.feed(mention("教师"))
    offered = tg.api.sent()[0].buttons
    await tg.feed(mention("1", sender=user(PARENT + 1)))  # someone else's "1" picks nothing
    await tg.feed(mention("1"))
    mine = tg.api.sent()[-1]
    exchanges = await _exchanges(tg)
    assert exchanges[-1].intent == offered[0][1].removeprefix("o:")
    assert exchanges[-2].intent != exchanges[-1].intent
    assert mine.text


async def test_group_crisis_is_answered_without_repeating_the_message(tg):
    await tg.feed(mention("孩子说不想活了，我该怎么办"))
    [sent] = tg.api.sent()
    assert "12356" in sent.text
    assert "reply_parameters" not in sent.params
    assert "不想活" not in sent.text


@pytest.mark.parametrize("kind", sorted(NON_TEXT))
async def test_non_text_gets_a_text_please_and_only_a_count(tg, kind):
    await tg.feed(message(**NON_TEXT[kind]))
    [sent] = tg.api.sent()
    assert sent.text == tg.services.content.text("not_text", "zh")
    assert await _count(tg) == 0
    assert await _event_count(tg, kind) == "1"


async def test_edited_message_asks_for_a_new_message(tg):
    await tg.feed(message(SANTAN, edited=True))
    [sent] = tg.api.sent()
    assert "新消息" in sent.text
    assert await _count(tg) == 0
    assert await _event_count(tg, "edited") == "1"


async def test_rate_limit_tells_once_then_stays_quiet(services):
    async with telegram_bot(services, limit=2) as bot:
        for _ in range(4):
            await bot.feed(message(SANTAN))
        sent = bot.api.sent()
        assert [("1211" in s.text) for s in sent] == [True, True, False]
        assert sent[2].text == services.content.text("rate_limited", "zh")
        await bot.feed(button("o:none"))
        [answered] = bot.api.of("answerCallbackQuery")
        assert answered.params["text"] == services.content.text("rate_limited", "zh")
        assert len(bot.api.sent()) == 3
        await bot.feed(message(SANTAN, sender=user(PARENT + 1)))  # others are not limited
        assert "1211" in bot.api.sent()[-1].text


# PTB itself warns (deprecation of int periods) while it builds RetryAfter from a 429.
@pytest.mark.filterwarnings("ignore:.*attribute `retry_after` will be:DeprecationWarning")
async def test_retry_after_waits_and_sends_again(tg):
    tg.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    started = time.monotonic()
    await tg.feed(message(SANTAN))
    assert time.monotonic() - started >= 0.9
    first, second = tg.api.sent()
    assert first.params["text"] == second.params["text"]
    assert "1211" in second.text


async def test_failed_send_is_logged_with_the_update_id_and_the_bot_goes_on(tg, caplog):
    tg.api.fail_next("sendMessage", 400, "Bad Request: chat not found")
    bad = message(SANTAN)
    with caplog.at_level(logging.ERROR, logger="bot.channels.telegram"):
        await tg.feed(bad)
    assert f"telegram update {bad['update_id']} failed: BadRequest" in caplog.text
    assert SANTAN not in caplog.text  # message bodies are never logged
    await tg.feed(message(SANTAN))
    assert "1211" in tg.api.sent()[-1].text


async def test_a_failing_button_is_still_answered(tg):
    tg.api.fail_next("sendMessage", 400, "Bad Request: message is too long")
    await tg.feed(message("教师"))
    await tg.feed(message("教师"))
    first = tg.api.sent()[-1].buttons[0][1]
    tg.api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await tg.feed(button(first))
    assert len(tg.api.of("answerCallbackQuery")) == 1


async def _count(tg) -> int:
    async with tg.services.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Exchange)) or 0)


async def _exchanges(tg):
    async with tg.services.sessionmaker() as session:
        return list(await session.scalars(select(Exchange).order_by(Exchange.id)))


async def _event_count(tg, kind: str) -> str | None:
    async with tg.services.sessionmaker() as session:
        return await repo.get_meta(session, f"events:telegram:{kind}")


async def test_forum_topic_questions_are_answered_in_their_topic(tg):
    update = mention(SANTAN)
    update["message"].update(message_thread_id=77, is_topic_message=True)
    await tg.feed(update)
    assert tg.api.sent()[0].params["message_thread_id"] == 77
