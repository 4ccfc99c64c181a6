"""Dialogue paths: crisis beats everything, choices by number, small talk, fallback, English."""

import pytest

from services.db import repositories as repo
from services.db.models import Exchange, UnansweredQuestion
from sqlalchemy import select


async def test_crisis_reply_comes_first_whatever_else_the_message_says(ask, services):
    reply = await ask("随迁子女入学政策是什么？我不想活了")
    assert reply.kind == "crisis"
    for must in ("110", "120", "12356", "温心有约", "信任的大人"):
        assert must in reply.text
    async with services.sessionmaker() as session:
        assert await repo.count_exchanges(session, flagged=True) == 1


async def test_crisis_beats_a_pending_clarification(ask):
    await ask("荣誉", user="c")
    reply = await ask("我想自杀", user="c")
    assert reply.kind == "crisis"


@pytest.mark.parametrize("text", ["wo xiang zisha", "撐不下去了，想結束一切", "My daughter said she wants to end her life"])
async def test_crisis_in_pinyin_traditional_and_english(ask, text):
    assert (await ask(text)).kind == "crisis"


@pytest.mark.parametrize("text", ["带娃带得心累，能找温心有约聊聊吗", "孩子考试焦虑怎么办", "打工子女入学"])
async def test_ordinary_worries_are_not_crises(ask, text):
    assert (await ask(text)).kind != "crisis"


async def test_answer_has_citation_and_related_options(ask):
    reply = await ask("弘远校长奖励培育基金多少钱")
    assert reply.kind == "answer"
    assert "1000万元" in reply.text
    assert reply.source.startswith("《温州市教育局2023年工作总结》（温教发〔2024〕1号）")
    assert reply.options and all(o.id != reply.intent for o in reply.options)


async def test_number_picks_an_offered_option_in_the_same_conversation(ask):
    first = await ask("退休", user="p")
    assert first.options
    second = await ask("1", user="p")
    assert second.kind == "answer"
    assert second.intent == first.options[0].id


async def test_number_without_a_pending_choice_is_not_an_answer(ask):
    reply = await ask("2", user="fresh")
    assert reply.kind in ("fallback", "clarify")


async def test_none_of_these_records_the_question(ask, services):
    from services.dialogue import NONE_OPTION
    from services.dialogue.messages import Option

    from services.dialogue.conversation import Conversation

    conversation = Conversation(options=[Option(id="honors.santan_teachers", title="三坛").model_dump(),
                                         Option(id=NONE_OPTION, title="都不是").model_dump()],
                                question="某个问题")
    await services.dialog._store.save("test:n", conversation)
    reply = await ask("2", user="n")
    assert reply.kind == "fallback"
    assert "换个说法" in reply.text


async def test_greeting_and_thanks(ask):
    assert (await ask("您好")).kind == "greeting"
    assert (await ask("好的，谢谢！")).kind == "greeting"
    assert (await ask("你好，三坛教师有多少")).kind == "answer"


async def test_out_of_scope_gets_an_honest_fallback_and_is_recorded(ask, services):
    reply = await ask("随迁子女入学要交几年社保？我电话13912345678")
    assert reply.kind == "fallback"
    assert "12345" in reply.text
    async with services.sessionmaker() as session:
        rows = (await session.scalars(select(UnansweredQuestion))).all()
    assert len(rows) == 1
    assert "13912345678" not in rows[0].text
    assert "[手机号]" in rows[0].text


async def test_fallback_offers_the_core_topics_never_a_random_answer(ask):
    reply = await ask("周末去哪里吃海鲜比较好")
    assert reply.kind == "fallback"
    assert reply.intent is None
    assert [o.id for o in reply.options][:3] == ["topic:enrollment", "topic:hotline", "topic:honors"]


async def test_a_near_miss_falls_back_but_offers_its_best_guess_first():
    """Scoring between the suggestion floor and the threshold is no answer (a guess is never
    answered), but the user gets the likely entry as option 1, and "1" answers it."""
    from intents import DecisionConfig
    from services import IncomingMessage, start_services
    from tests.conftest import FAQ_DIR, MEMORY_DB, PLAN_YEAR_DAY, SHELF

    strict = DecisionConfig(threshold=0.99, suggest_floor=0.5)
    running = await start_services(MEMORY_DB, FAQ_DIR, decision=strict, today=PLAN_YEAR_DAY,
                                   shelf=SHELF)
    try:
        async def ask(text: str):
            return await running.dialog.handle(IncomingMessage(channel="test", user_id="n",
                                                               text=text))

        reply = await ask("终身班主任奖励办法是什么")
        assert reply.kind == "fallback" and reply.intent is None
        assert reply.options[0].id == "honors.lifelong_head_teacher"
        assert "回复数字" in reply.text
        assert [o.id for o in reply.options][-3:] == ["topic:enrollment", "topic:hotline",
                                                      "topic:honors"]
        picked = await ask("1")
        assert picked.kind == "answer" and picked.intent == "honors.lifelong_head_teacher"
        unrelated = await ask("周末去哪里吃海鲜比较好")
        assert [o.id for o in unrelated.options] == ["topic:enrollment", "topic:hotline",
                                                     "topic:honors"]
    finally:
        await running.close()


async def test_every_fallback_carries_the_emergency_numbers(ask):
    """The crisis rules cannot know every way a child in danger writes; a message they miss
    usually falls back, so the fallback itself names 110/120 and the 12356 hotline."""
    for text in ("周末去哪里吃海鲜比较好", "Where can I buy cheap phones?"):
        reply = await ask(text)
        assert reply.kind == "fallback"
        assert all(n in reply.text for n in ("110", "120", "12356")), reply.text


async def test_topic_option_opens_its_menu(ask):
    await ask("今天股票涨了吗", user="t")
    menu = await ask("1", user="t")
    assert menu.kind == "clarify"
    assert all(o.id.startswith("enrollment.") for o in menu.options)


async def test_english_question_gets_english_text_and_the_chinese_original(ask):
    reply = await ask("How many 'three-platform' teachers (三坛) were selected?")
    assert reply.kind == "answer"
    assert reply.lang == "en"
    assert "1211" in reply.text
    assert "中文原文" in reply.text or "Original Chinese" in reply.text


async def test_english_fallback_is_in_english(ask):
    reply = await ask("What's the best seafood restaurant near the station?")
    assert reply.kind == "fallback"
    assert reply.text.startswith("Sorry")


async def test_expired_target_says_newer_figures_may_exist(services):
    from datetime import date

    from services import IncomingMessage
    from services.dialogue.service import DialogService

    later = DialogService(services.catalog, services.sessionmaker, today=date(2026, 11, 28))
    reply = await later.handle(IncomingMessage(channel="t", user_id="x",
                                               text="2024年随迁子女公办就读比例目标是多少"))
    assert "90%" in reply.text
    assert "可能已有更新的数据" in reply.text


async def test_exchange_is_stored_redacted_with_a_hashed_user(ask, services):
    await ask("我叫王小明，身份证330302201001011234，孩子能入学吗", user="parent-42")
    async with services.sessionmaker() as session:
        row = (await session.scalars(select(Exchange))).one()
    assert "王小明" not in row.text and "330302201001011234" not in row.text
    assert row.user_hash != "parent-42" and len(row.user_hash) == 32


async def test_long_message_is_answered_on_its_first_2000_characters(ask):
    reply = await ask("三坛教师有多少？" + "啊" * 5000)
    assert "2000" in reply.text


async def test_feedback_is_one_vote_per_user_and_changeable(ask, services):
    reply = await ask("教坛新秀有多少")
    assert await services.dialog.feedback(reply.exchange_id, "test", "u1", 1)
    assert await services.dialog.feedback(reply.exchange_id, "test", "u1", -1)
    assert not await services.dialog.feedback(999999, "test", "u1", 1)
    from services.db.models import Feedback

    async with services.sessionmaker() as session:
        votes = (await session.scalars(select(Feedback))).all()
    assert [v.value for v in votes] == [-1]
