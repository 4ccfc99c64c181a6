"""The three safety tiers and the crisis conversation mode, through the real dialogue.

After a crisis reply the conversation stays supportive: every reply acknowledges what was said and
says how to get help now, never an FAQ answer or a "not found", until the person says they are
safe, asks a question the content clearly answers, or 30 minutes pass. A concern (distress without
explicit risk) gets its answer with a warm line.
"""

from __future__ import annotations

import pytest

from services.db import repositories as repo
from services.dialogue import DialogService, IncomingMessage, Reply, redis_store
from services.runtime import Services

CRISIS = "我不想活了，今晚就想从楼顶跳下去"
HELP_NOW = ("110", "120", "12356", "信任的大人")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def dialog(services: Services, clock: Clock) -> DialogService:
    return DialogService(services.catalog, services.sessionmaker, clock=clock)


async def say(dialog: DialogService, text: str, user: str = "kid", channel: str = "test") -> Reply:
    return await dialog.handle(IncomingMessage(channel=channel, user_id=user, text=text))


async def test_after_a_crisis_reply_what_would_be_a_fallback_gets_support(dialog, services):
    assert (await say(dialog, CRISIS)).kind == "crisis"
    for follow_up in ("你能帮我吗", "没人会懂的", "嗯"):
        reply = await say(dialog, follow_up)
        assert reply.kind == "support", follow_up
        for must in HELP_NOW:
            assert must in reply.text
        assert "没有找到" not in reply.text
    async with services.sessionmaker() as session:  # only the crisis itself is flagged
        assert await repo.count_exchanges(session, flagged=True) == 1


async def test_a_vague_word_that_would_open_a_menu_gets_support_in_crisis_mode(dialog):
    assert (await say(dialog, "荣誉", user="fresh")).kind in ("clarify", "answer")
    await say(dialog, CRISIS)
    reply = await say(dialog, "荣誉")
    assert reply.kind == "support"
    assert not reply.options


async def test_another_crisis_in_the_mode_is_flagged_again_without_the_long_form(dialog, services):
    first = await say(dialog, CRISIS)
    again = await say(dialog, "我已经把药都准备好了，一整瓶")
    assert again.kind == "crisis"
    assert again.text != first.text
    for must in HELP_NOW:
        assert must in again.text
    async with services.sessionmaker() as session:
        assert await repo.count_exchanges(session, flagged=True) == 2


async def test_saying_they_are_safe_ends_the_mode(dialog):
    await say(dialog, CRISIS)
    safe = await say(dialog, "我现在安全了")
    assert safe.kind == "support"
    assert "12356" in safe.text
    assert (await say(dialog, "你能帮我吗")).kind not in ("support", "crisis")  # the usual reply


async def test_a_clear_policy_question_is_answered_and_ends_the_mode(dialog):
    await say(dialog, CRISIS)
    answer = await say(dialog, "弘远校长奖励培育基金多少钱")
    assert answer.kind == "answer"
    assert "1000万元" in answer.text
    assert (await say(dialog, "你能帮我吗")).kind not in ("support", "crisis")  # the usual reply


async def test_the_mode_ends_thirty_minutes_after_the_last_message(dialog, clock):
    await say(dialog, CRISIS)
    clock.now += 29 * 60
    assert (await say(dialog, "你能帮我吗")).kind == "support"
    clock.now += 29 * 60  # still within 30 minutes of the last message
    assert (await say(dialog, "你能帮我吗")).kind == "support"
    clock.now += 31 * 60
    assert (await say(dialog, "你能帮我吗")).kind not in ("support", "crisis")  # the usual reply


async def test_the_mode_is_per_conversation(dialog):
    await say(dialog, CRISIS, user="a")
    assert (await say(dialog, "你能帮我吗", user="b")).kind not in ("support", "crisis")
    assert (await say(dialog, "你能帮我吗", user="a", channel="other")).kind not in ("support", "crisis")


async def test_english_crisis_mode_answers_in_english(dialog):
    assert (await say(dialog, "I want to kill myself tonight", user="en")).kind == "crisis"
    reply = await say(dialog, "nobody would even notice", user="en")
    assert reply.kind == "support"
    assert "trusted adult" in reply.text and "12356" in reply.text


async def test_the_mode_holds_across_workers_sharing_redis(services, clock, redis_url):
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    try:
        one = DialogService(services.catalog, services.sessionmaker, redis_store(redis),
                            clock=clock)
        two = DialogService(services.catalog, services.sessionmaker, redis_store(redis),
                            clock=clock)
        assert (await say(one, CRISIS, channel="wechat")).kind == "crisis"
        reply = await say(two, "你能帮我吗", channel="wechat")
        assert reply.kind == "support"
    finally:
        await redis.flushdb()
        await redis.aclose()


async def test_distress_with_a_question_gets_the_answer_and_a_warm_line(dialog):
    reply = await say(dialog, "最近压力特别大，天天失眠，心里很难受，“温心有约”是什么")
    assert reply.kind == "answer"
    assert "温心有约" in reply.text
    assert "12356" in reply.text and "110" in reply.text


async def test_plain_distress_gets_support_not_a_not_found(dialog, services):
    reply = await say(dialog, "我好难过，每天都很孤单，什么都不想做")
    assert reply.kind == "support"
    assert "12356" in reply.text and "温心有约" in reply.text
    async with services.sessionmaker() as session:
        assert await repo.count_exchanges(session, flagged=True) == 0


async def test_an_ordinary_question_gets_no_warm_line(dialog):
    reply = await say(dialog, "终身班主任奖励办法是什么")
    assert reply.kind == "answer"
    assert "12356" not in reply.text


# A migrant parent's long enrollment question with the danger in one clause of the middle.
STORY = ("想问一下随迁子女入学的事，我们一家从江西过来在瓯海的鞋厂做了三年，社保交了两年半，居住证也"
         "办了，老大今年要上初中，老二在读二年级，学校说材料要等通知，{}另外想问积分不够是不是只能去"
         "民办，民办的学费一学期多少钱，公办学校的报名要带哪些材料，户口本复印件要不要，房租合同可以"
         "吗，还有体检表在哪里开")


@pytest.mark.parametrize("clause", [
    "孩子他爸前两天喝了酒说不想活了要从厂里楼顶跳下去，现在人还在楼顶上，",
    "老大昨晚发消息说他不想活了，刀已经放在书包里，",
])
async def test_a_long_question_with_the_danger_in_one_clause_gets_the_crisis_reply(
        dialog, services, clause):
    """Read whole, the story is mostly enrollment words; read a few clauses at a time, the one
    clause that matters is a crisis, and staff are told."""
    reply = await say(dialog, STORY.format(clause))
    assert reply.kind == "crisis"
    for must in HELP_NOW:
        assert must in reply.text
    async with services.sessionmaker() as session:
        assert await repo.count_exchanges(session, flagged=True) == 1


async def test_the_same_long_question_without_the_danger_is_answered(dialog):
    reply = await say(dialog, STORY.format(""))
    assert reply.kind != "crisis"
    assert reply.kind != "support"
