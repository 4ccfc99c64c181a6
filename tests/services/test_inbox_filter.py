"""Non-questions never reach the inbox: not stored, and not listed if stored before."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from intents.inbox_filter import not_a_question
from services.db import repositories as repo
from services.db.models import UnansweredQuestion
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import ask

NOT_QUESTIONS = ["2", "第3个", "都不是", "都不对！", "none of these", "asdfgh", "qwerty",
                 "。。。", "？？？", "😂😂", "嗯", "a", "哈哈哈哈", "sdkjfhskdjf"]
QUESTIONS = ["校服在哪里买", "12356是什么电话", "110", "bus fee?", "how much is the fee",
             "zhongkao shijian", "温心有约"]


@pytest.mark.parametrize("text", NOT_QUESTIONS)
def test_non_questions_are_recognised(text):
    assert not_a_question(text) is not None


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_are_kept(text):
    assert not_a_question(text) is None


async def _stored(services):
    async with services.sessionmaker() as session:
        return [r.text for r in await repo.list_unanswered(session, limit=100)]


async def test_non_questions_the_bot_falls_back_on_are_not_stored(services, staff):
    fell_back = []
    for i, text in enumerate(NOT_QUESTIONS):
        reply = await ask(services, text, user=f"u{i}")
        if reply.kind == "fallback":
            fell_back.append(text)
    assert {"2", "asdfgh", "。。。", "😂😂", "none of these"} <= set(fell_back)
    await ask(services, "校服在哪里买", user="parent")
    assert await _stored(services) == ["校服在哪里买"]


async def test_non_questions_stored_earlier_are_not_listed(services, staff):
    async with services.sessionmaker.begin() as session:
        for text in ("2", "都不是", "asdfgh", "。。。", "小区门口的快递柜怎么用"):
            await repo.record_unanswered(session, text, text, None, 0.0)
    inbox = await staff.inbox.overview()
    assert [g.text for g in inbox.groups] == ["小区门口的快递柜怎么用"]
    assert inbox.not_questions == 4
    async with services.sessionmaker() as session:  # listed or not, nothing was deleted
        assert len((await session.scalars(select(UnansweredQuestion))).all()) == 5
