"""Follow-ups and corrections read against the last answer, and the multi-turn evaluation."""

from __future__ import annotations

import json

import pytest

from services.dialogue import DialogService, IncomingMessage, Reply
from services.dialogue import conversation_eval as ce
from services.runtime import Services


@pytest.fixture
def dialog(services: Services) -> DialogService:
    return DialogService(services.catalog, services.sessionmaker)


async def say(dialog: DialogService, text: str, user: str = "parent") -> Reply:
    return await dialog.handle(IncomingMessage(channel="test", user_id=user, text=text))


async def test_a_short_follow_up_is_read_with_the_last_question(dialog):
    await say(dialog, "温心有约是什么")
    reply = await say(dialog, "要收费吗")
    assert reply.intent == "hotline.wenxin_youyue_intro"  # not the fee rule, not another entry
    fresh = await say(dialog, "要收费吗", user="someone else")
    assert fresh.intent != "hotline.wenxin_youyue_intro"


async def test_a_correction_answers_the_corrected_question(dialog):
    await say(dialog, "随迁子女在公办学校就读的比例是多少")
    reply = await say(dialog, "我说错了，是教坛新秀")
    assert reply.intent == "honors.jiaotan_xinxiu"
    assert "46人" in reply.text


async def test_a_message_that_stands_alone_is_not_bent_towards_the_old_topic(dialog):
    await say(dialog, "三坛教师评了多少名")
    reply = await say(dialog, "温心有约是什么")
    assert reply.intent == "hotline.wenxin_youyue_intro"


async def test_a_short_question_of_its_own_is_not_answered_with_the_old_topic(dialog):
    await say(dialog, "三坛教师评了多少名")
    reply = await say(dialog, "量子计算机的原理是什么")
    assert reply.kind == "fallback"


async def test_goodbye_after_an_answer_closes_politely(dialog):
    await say(dialog, "三坛教师评了多少名")
    reply = await say(dialog, "好的，再见")
    assert reply.kind == "greeting"
    assert "再见" in reply.text


async def test_a_crisis_forgets_the_topic(dialog):
    await say(dialog, "温心有约是什么")
    assert (await say(dialog, "我不想活了，今晚就想从楼顶跳下去")).kind == "crisis"
    await say(dialog, "我现在安全了")
    reply = await say(dialog, "要收费吗")
    assert reply.intent != "hotline.wenxin_youyue_intro"


async def test_the_multi_turn_evaluation_reports_first_later_and_whole(dialog, tmp_path):
    path = tmp_path / "conversations.jsonl"
    rows = [{"id": "a", "turns": [
                {"text": "三坛教师评了多少名", "expect": "answer", "must_contain": ["1211"]},
                {"text": "谢谢", "expect": "greeting"}]},
            {"id": "b", "turns": [
                {"text": "三坛教师评了多少名", "expect": "answer", "must_contain": ["不存在的数"]},
                {"text": "谢谢", "expect": "greeting"}]}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert ce.is_conversation_file(path)
    summary = ce.summarize(await ce.run(dialog, ce.load(path)))
    assert summary["first_turns"]["correct"] == 1
    assert summary["later_turns"]["correct"] == 2
    assert summary["whole_conversations"] == {"correct": 1, "total": 2, "accuracy": 0.5}
