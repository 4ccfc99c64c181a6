"""Complaints in the inbox: stored with their kind, listed apart, dismissed, never attached."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.db import repositories as repo
from services.db.models import UnansweredQuestion
from services.errors import Invalid
from services.platform import audit
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import EDITOR

QUESTION = "小区门口的快递柜怎么用"
COMPLAINT = "鹿城区某小学食堂的饭菜太差了，孩子天天吃不饱"


async def _record(services, key: str, text: str, kind: str = "question") -> None:
    async with services.sessionmaker.begin() as session:
        await repo.record_unanswered(session, key, text, None, 0.1, kind)


async def _rows(services) -> list[UnansweredQuestion]:
    async with services.sessionmaker() as session:
        return list((await session.scalars(
            select(UnansweredQuestion).order_by(UnansweredQuestion.id))).all())


async def test_a_row_is_a_question_unless_told_otherwise(services):
    await _record(services, QUESTION, QUESTION)
    await _record(services, COMPLAINT, COMPLAINT, "complaint")
    assert [(r.text, r.kind) for r in await _rows(services)] == [
        (QUESTION, "question"), (COMPLAINT, "complaint")]


async def test_the_same_key_twice_counts_two_and_takes_the_newest_kind(services):
    await _record(services, "食堂饭菜差", "食堂饭菜差吗")
    await _record(services, "食堂饭菜差", "食堂饭菜太差了！", "complaint")
    (row,) = await _rows(services)
    assert (row.count, row.kind, row.text) == (2, "complaint", "食堂饭菜太差了！")
    await _record(services, "食堂饭菜差", "食堂饭菜差吗")
    (row,) = await _rows(services)
    assert (row.count, row.kind) == (3, "question")


async def test_complaints_are_listed_apart_from_the_questions(services, staff):
    await _record(services, QUESTION, QUESTION)
    for key in (COMPLAINT, COMPLAINT + "！"):  # two wordings, one group
        await _record(services, key, key, "complaint")
    inbox = await staff.inbox.overview()
    assert [(g.text, g.kind) for g in inbox.groups] == [(QUESTION, "question")]
    (complaints,) = inbox.complaints
    assert complaints.kind == "complaint" and complaints.count == 2
    assert len(complaints.questions) == 2 and complaints.best_intent is None
    assert [g.text for g in await staff.inbox.groups()] == [QUESTION]  # the API's groups


async def test_a_complaint_is_dismissed_with_a_reason_of_its_own(services, staff):
    await _record(services, COMPLAINT, COMPLAINT, "complaint")
    (group,) = (await staff.inbox.overview()).complaints
    with pytest.raises(Invalid):  # a question's reason does not fit a complaint
        await staff.inbox.dismiss(EDITOR, group.ids, reason="not_in_document")
    assert await staff.inbox.dismiss(EDITOR, group.ids, reason="forwarded", note="已转鹿城区") == 1
    assert (await staff.inbox.overview()).complaints == []
    async with services.sessionmaker() as session:
        (row,) = await audit.entries(session, action="unanswered_dismiss")
    assert "原因：已转交学校或教育局" in row.detail and COMPLAINT in row.detail


async def test_a_question_is_not_dismissed_with_a_complaint_reason(services, staff):
    await _record(services, QUESTION, QUESTION)
    (group,) = await staff.inbox.groups()
    with pytest.raises(Invalid):
        await staff.inbox.dismiss(EDITOR, group.ids, reason="forwarded")
    assert [g.text for g in await staff.inbox.groups()] == [QUESTION]


async def test_a_complaint_never_becomes_a_phrasing_or_an_entry(services, staff):
    await _record(services, COMPLAINT, COMPLAINT, "complaint")
    (group,) = (await staff.inbox.overview()).complaints
    with pytest.raises(Invalid) as raised:
        await staff.inbox.attach(EDITOR, group.ids, "hotline.wenxin_youyue_intro")
    assert "投诉与诉求" in raised.value.message
    with pytest.raises(Invalid):
        await staff.inbox.new_entry(EDITOR, group.ids, "hotline.canteen", "hotline")
    assert len((await staff.inbox.overview()).complaints) == 1
