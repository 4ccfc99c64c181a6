"""The unanswered inbox (grouped, attach, new entry, dismiss), feedback and the crisis list."""

from __future__ import annotations

import pytest

from services.platform import audit
from services.errors import Conflict, Invalid, NotFound
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import EDITOR, NEW_PHRASING, PUBLISHER, ask

# The first three normalise alike, so they are one stored row (the latest wording, count 3).
BUS = ["紫藤小学的校车几点到站？", NEW_PHRASING, NEW_PHRASING, "紫藤小学校车几点到站呀",
       "紫藤小学的校车几点到"]
# (Not "家里的猫不吃饭怎么办": the safety model takes a pet not eating for neglect, a known false
# alarm of docs/safety.md; this file tests the inbox.)
CAT = ["小区门口的快递柜怎么用"]


async def _fill_inbox(services):
    for i, text in enumerate(BUS + CAT):
        reply = await ask(services, text, user=f"u{i}")
        assert reply.kind == "fallback", text


async def test_similar_questions_are_one_group_with_a_count(services, staff):
    await _fill_inbox(services)
    groups = await staff.inbox.groups()
    assert [(g.count, len(g.questions)) for g in groups] == [(5, 3), (1, 1)]
    assert groups[0].text == NEW_PHRASING  # the most asked wording names the group
    assert groups[1].text == CAT[0]


async def test_attaching_a_group_adds_phrasings_and_empties_the_inbox(services, staff):
    await _fill_inbox(services)
    bus = (await staff.inbox.groups())[0]
    entry = "hotline.wenxin_youyue_intro"
    view = await staff.inbox.attach(EDITOR, bus.ids, entry)
    assert view.status == "changed"
    questions = view.current["questions"]
    assert NEW_PHRASING in questions and "紫藤小学校车几点到站呀" in questions
    assert len(questions) == len(set(questions))
    assert [g.text for g in await staff.inbox.groups()] == [CAT[0]]
    await staff.content.publish(PUBLISHER, entry, view.version)
    assert (await ask(services, NEW_PHRASING)).intent == entry
    async with services.sessionmaker() as session:
        rows = await audit.entries(session, action="unanswered_attach")
    assert rows[0].target == entry and NEW_PHRASING in rows[0].detail


async def test_attaching_twice_finds_nothing_left(services, staff):
    await _fill_inbox(services)
    bus = (await staff.inbox.groups())[0]
    await staff.inbox.attach(EDITOR, bus.ids, "hotline.wenxin_youyue_intro")
    with pytest.raises(NotFound):
        await staff.inbox.attach(EDITOR, bus.ids, "hotline.wenxin_youyue_intro")


async def test_attaching_to_a_deleted_entry_is_refused_and_keeps_the_questions(services, staff):
    await _fill_inbox(services)
    await staff.content.delete(PUBLISHER, "hotline.who_can_use")
    bus = (await staff.inbox.groups())[0]
    with pytest.raises(Conflict):
        await staff.inbox.attach(EDITOR, bus.ids, "hotline.who_can_use")
    assert (await staff.inbox.groups())[0].count == 5


async def test_a_group_becomes_a_new_draft_entry_in_one_step(services, staff):
    await _fill_inbox(services)
    bus = (await staff.inbox.groups())[0]
    view = await staff.inbox.new_entry(EDITOR, bus.ids, "enrollment.school_bus", "enrollment",
                                       "紫藤小学校车")
    assert view.status == "draft" and view.current["questions"][0] == NEW_PHRASING
    assert view.current["answer"] == ""
    with pytest.raises(Invalid):  # no answer yet: cannot go live
        await staff.content.publish(PUBLISHER, view.id, view.version)
    doc = view.current | {"answer": "校车七点二十到站（测试）。",
                          "source": {"document": "测试", "number": "测试1号"}}
    saved = await staff.content.save(EDITOR, view.id, doc, view.version)
    await staff.content.publish(PUBLISHER, view.id, saved.version)
    assert (await ask(services, "紫藤小学校车几点到站呀")).intent == view.id
    assert len(await staff.inbox.groups()) == 1


async def test_a_new_entry_needs_a_valid_id(services, staff):
    await _fill_inbox(services)
    bus = (await staff.inbox.groups())[0]
    with pytest.raises(Invalid):
        await staff.inbox.new_entry(EDITOR, bus.ids, "Not An Id", "enrollment")
    assert (await staff.inbox.groups())[0].count == 5


async def test_dismissing_resolves_without_content(services, staff):
    await _fill_inbox(services)
    cat = (await staff.inbox.groups())[1]
    assert await staff.inbox.dismiss(EDITOR, cat.ids) == 1
    assert len(await staff.inbox.groups()) == 1
    with pytest.raises(Invalid):
        await staff.inbox.dismiss(EDITOR, [])


async def test_feedback_per_entry_worst_first_with_the_disliked_questions(services, staff):
    liked = await ask(services, "温心有约是什么", user="a")
    disliked = await ask(services, "温心有约面向哪些人", user="b")
    assert liked.intent and disliked.intent and liked.intent != disliked.intent
    await services.dialog.feedback(liked.exchange_id, "test", "a", 1)
    for user in ("b", "c"):
        reply = await ask(services, "温心有约面向哪些人", user=user)
        await services.dialog.feedback(reply.exchange_id, "test", user, -1)
    report = await staff.reports.feedback()
    assert [(f.entry_id, f.up, f.down) for f in report] == [
        (disliked.intent, 0, 2), (liked.intent, 1, 0)]
    assert report[0].recent_down == ["温心有约面向哪些人"]
    assert report[0].title == services.catalog.engine.entry(disliked.intent).title


async def test_crisis_exchanges_are_listed_redacted_and_can_be_marked_handled(services, staff):
    await ask(services, "我叫王小明，电话13912345678，我不想活了", user="kid")
    await ask(services, "温心有约是什么", user="parent")
    items = await staff.reports.crisis()
    assert len(items) == 1
    item = items[0]
    assert "13912345678" not in item.text and "王小明" not in item.text
    assert "不想活了" in item.text and item.handled_by is None
    await staff.reports.mark_handled(EDITOR, item.id, "已电话回访，联系人13912345678")
    handled = (await staff.reports.crisis())[0]
    assert handled.handled_by == EDITOR.username
    async with services.sessionmaker() as session:
        note = (await audit.entries(session, action="crisis_handled"))[0].detail
    assert "13912345678" not in note
    with pytest.raises(NotFound):
        await staff.reports.mark_handled(EDITOR, item.id + 1)  # not a crisis exchange
