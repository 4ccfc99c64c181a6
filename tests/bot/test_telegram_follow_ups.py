"""Follow-ups through the real PTB Application: a short message is read with the last answer of
its own chat, also after a pressed button; another chat does not share the topic."""

from __future__ import annotations

from tests.bot.telegram_harness import sqlite_only, tg_fixture  # noqa: F401  (fixtures)
from tests.bot.telegram_updates import PARENT, button, message, user

WENXIN = "温心有约是什么"
FEE = "要收费吗"  # alone: the clean-schools rule on fees; after WENXIN: about 温心有约


def answer_of(tg, entry_id: str) -> str:
    return tg.services.catalog.engine.entry(entry_id).answer


async def test_a_follow_up_is_read_with_the_last_question_of_its_chat(tg):
    intro = answer_of(tg, "hotline.wenxin_youyue_intro")
    await tg.feed(message(WENXIN))
    await tg.feed(message(FEE))
    first, follow_up = tg.api.sent()
    assert intro in first.text
    assert follow_up.params["chat_id"] == PARENT
    assert "收费" in follow_up.text and intro in follow_up.text

    stranger = user(PARENT + 7)
    await tg.feed(message(FEE, sender=stranger))
    alone = tg.api.sent()[-1]
    assert alone.params["chat_id"] == stranger["id"]
    assert intro not in alone.text


async def test_a_correction_drops_the_old_topic(tg):
    await tg.feed(message("随迁子女在公办学校就读的比例是多少"))
    await tg.feed(message("我说错了，是教坛新秀"))
    corrected = tg.api.sent()[-1]
    assert "46人" in corrected.text and "89.38%" not in corrected.text


async def test_goodbye_after_an_answer_closes_politely(tg):
    await tg.feed(message("三坛教师评了多少名"))
    await tg.feed(message("好的，再见"))
    goodbye = tg.api.sent()[-1]
    assert "再见" in goodbye.text and "1211" not in goodbye.text


async def test_a_follow_up_after_a_related_question_button_follows_the_new_topic(tg):
    await tg.feed(message(WENXIN))
    pressed = "o:hotline.who_can_use"
    assert pressed in [data for _, data in tg.api.sent()[0].buttons]
    await tg.feed(button(pressed))
    await tg.feed(message(FEE))
    follow_up = tg.api.sent()[-1]
    assert answer_of(tg, "hotline.who_can_use") in follow_up.text
    assert answer_of(tg, "hotline.wenxin_youyue_intro") not in follow_up.text


async def test_a_follow_up_after_a_clarification_button_follows_the_chosen_entry(tg):
    await tg.feed(message("基金"))
    clarification = tg.api.sent()[0]
    assert "哪一个" in clarification.text
    chosen = clarification.buttons[0][1]
    await tg.feed(button(chosen))
    assert len(tg.api.of("answerCallbackQuery")) == 1
    await tg.feed(message(FEE))
    follow_up = tg.api.sent()[-1]
    assert "收费" in follow_up.text
    assert answer_of(tg, chosen.removeprefix("o:")) in follow_up.text
