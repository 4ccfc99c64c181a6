"""The Telegram channel through the real PTB Application: commands, answers, buttons, votes.

Every update is real Telegram JSON parsed by ``Update.de_json``; every assertion is on what the
bot sent to the (fake) Bot API, i.e. what the user would see.
"""

from __future__ import annotations

from sqlalchemy import select

from services.db.models import Exchange
from tests.bot.telegram_fakes import BOT_USERNAME
from tests.bot.telegram_harness import sqlite_only, tg_fixture  # noqa: F401  (fixtures)
from tests.bot.telegram_updates import PARENT, button, message, private_chat, user

SANTAN = "三坛教师评了多少名"


def votes(call):
    return [data for _, data in call.buttons if data.startswith("v:")]


async def test_start_welcomes_with_the_topics_as_buttons(tg):
    await tg.feed(message("/start"))
    [sent] = tg.api.sent()
    assert sent.params["chat_id"] == PARENT
    assert sent.params["parse_mode"] == "HTML"
    assert "温教问答" in sent.text
    labels = [label for label, _ in sent.buttons]
    assert labels[:3] == ["1. 随迁子女入学", "2. 温心有约与心理健康", "3. 教师荣誉与激励"]
    assert sent.buttons[0][1] == "o:topic:enrollment"


async def test_a_number_after_start_opens_that_topic(tg):
    await tg.feed(message("/start"))
    await tg.feed(message("2"))
    listing = tg.api.sent()[-1]
    assert listing.buttons and all(d.startswith("o:hotline.") for _, d in listing.buttons)


async def test_help_lists_the_commands(tg):
    await tg.feed(message("/help"))
    [sent] = tg.api.sent()
    for command in ("/start", "/topics", "/lang", "/help"):
        assert command in sent.text


async def test_unknown_command_in_private_gets_the_help(tg):
    await tg.feed(message("/frobnicate"))
    [sent] = tg.api.sent()
    assert "/topics" in sent.text


async def test_topics_then_a_topic_button_lists_its_questions(tg):
    await tg.feed(message("/topics"))
    [menu] = tg.api.sent()
    hotline = next(data for label, data in menu.buttons if "温心有约" in label)
    await tg.feed(button(hotline))
    assert len(tg.api.of("answerCallbackQuery")) == 1
    listing = tg.api.sent()[-1]
    assert "回复数字" in listing.text
    assert listing.buttons and all(data.startswith("o:hotline.") for _, data in listing.buttons)


async def test_answer_has_citation_related_buttons_and_votes(tg):
    await tg.feed(message(SANTAN))
    [sent] = tg.api.sent()
    assert "1211" in sent.text
    assert "出处：《温州市教育局" in sent.text
    assert "相关问题" in sent.text
    related = [data for _, data in sent.buttons if data.startswith("o:")]
    assert related and all(data.startswith("o:honors.") for data in related)
    exchange = (await _exchanges(tg))[-1]
    assert votes(sent) == [f"v:{exchange.id}:1", f"v:{exchange.id}:-1"]
    assert [label for label, _ in sent.buttons][-2:] == ["👍", "👎"]


async def test_related_button_answers_that_question(tg):
    await tg.feed(message(SANTAN))
    label, data = next((lbl, d) for lbl, d in tg.api.sent()[0].buttons if d.startswith("o:"))
    await tg.feed(button(data))
    answer = tg.api.sent()[-1]
    title = label.split(". ", 1)[1]
    assert (await _exchanges(tg))[-1].intent == data.removeprefix("o:")
    assert answer.text and title and votes(answer)


async def test_clarification_offers_one_button_per_option_plus_none(tg):
    await tg.feed(message("教师"))
    [sent] = tg.api.sent()
    assert "哪一个" in sent.text
    options = sent.buttons
    assert len(options) >= 3
    assert options[-1] == (f"{len(options)}. 都不是", "o:none")
    assert not votes(sent)  # a question back is not an answer to rate


async def test_pressing_an_option_is_the_same_as_typing_its_number(tg):
    await tg.feed(message("教师"))
    first = tg.api.sent()[0].buttons[0][1]
    await tg.feed(button(first))
    pressed = tg.api.sent()[-1]

    other = user(PARENT + 7)
    await tg.feed(message("教师", sender=other))
    await tg.feed(message("1", sender=other))
    typed = tg.api.sent()[-1]
    assert pressed.text == typed.text
    assert [b[0] for b in pressed.buttons] == [b[0] for b in typed.buttons]
    assert tg.api.of("answerCallbackQuery")


async def test_pressing_none_of_these_asks_to_rephrase(tg):
    await tg.feed(message("教师"))
    await tg.feed(button("o:none"))
    assert "换个说法" in tg.api.sent()[-1].text


async def test_an_old_button_still_works_after_the_conversation_moved_on(tg):
    await tg.feed(message("教师"))
    first = tg.api.sent()[0].buttons[0][1]
    await tg.feed(message(SANTAN))  # the clarification is no longer the last offer
    await tg.feed(button(first))
    assert (await _exchanges(tg))[-1].intent == first.removeprefix("o:")


async def test_every_callback_is_answered_even_unknown_data(tg):
    await tg.feed(button("something-else"))
    await tg.feed(button("v:999999:1"))  # an exchange that does not exist
    answered = tg.api.of("answerCallbackQuery")
    assert len(answered) == 2
    assert "无法评价" in answered[1].params["text"]
    assert not tg.api.sent()


async def test_lang_switches_the_replies_and_rejects_bad_values(tg):
    await tg.feed(message("/lang en"))
    assert "English" in tg.api.sent()[-1].text
    await tg.feed(message(SANTAN))
    assert "Source:" in tg.api.sent()[-1].text
    await tg.feed(message("/lang klingon"))
    assert "/lang zh" in tg.api.sent()[-1].text
    await tg.feed(message("/lang zh"))
    await tg.feed(message(SANTAN))
    assert "出处：" in tg.api.sent()[-1].text


async def test_english_telegram_users_get_english_menus(tg):
    await tg.feed(message("/topics", sender=user(lang="en")))
    assert tg.api.sent()[-1].text == "Choose a topic:"


async def test_private_chat_answers_are_not_quoted(tg):
    await tg.feed(message(SANTAN, chat=private_chat()))
    assert "reply_parameters" not in tg.api.sent()[0].params


async def test_mention_of_the_bot_in_private_is_stripped(tg):
    update = message(f"@{BOT_USERNAME} {SANTAN}")
    update["message"]["entities"] = [{"type": "mention", "offset": 0,
                                      "length": len(BOT_USERNAME) + 1}]
    await tg.feed(update)
    assert "1211" in tg.api.sent()[0].text


async def _exchanges(tg):
    async with tg.services.sessionmaker() as session:
        return list(await session.scalars(select(Exchange).order_by(Exchange.id)))
