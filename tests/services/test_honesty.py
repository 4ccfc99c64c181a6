"""What the document does not say, small talk in every style, and group-chat noise, through the
real dialogue (the learned message model and each entry's ``not_covered``)."""

from __future__ import annotations

import pytest

from services.db import repositories as repo
from services.dialogue import DialogService, IncomingMessage, Reply
from services.runtime import Services


@pytest.fixture
def dialog(services: Services) -> DialogService:
    return DialogService(services.catalog, services.sessionmaker)


async def say(dialog: DialogService, text: str, *, group: bool = False) -> Reply:
    return await dialog.handle(IncomingMessage(
        channel="test", user_id="parent", text=text,
        chat_id="class-group" if group else None, group=group))


async def test_a_detail_the_entry_lacks_is_said_to_be_missing_before_the_facts(dialog):
    reply = await say(dialog, "温心有约的电话是多少")
    assert reply.kind == "answer"
    assert reply.text.startswith("文件没有写联系电话")
    assert "12345" in reply.text.split("\n")[0]  # where to ask, in the first line
    assert reply.source  # the related facts keep their citation


async def test_a_year_the_document_gives_no_figure_for_is_not_answered_with_another_year(dialog):
    reply = await say(dialog, "2021年随迁子女在公办学校就读的比例是多少")
    assert reply.text.startswith("文件没有写您问的那一年的数据")


async def test_a_named_school_the_answer_does_not_name_is_said_to_be_missing(dialog):
    reply = await say(dialog, "瓯海区的科技高中叫什么名字")
    assert reply.text.startswith("文件没有写您问到的具体学校")


@pytest.mark.parametrize("text", [
    "永嘉瓯北镇第三小学的食堂是阳光厨房吗",   # the named-place head reads these 0.55-0.8
    "泰顺罗阳镇哪所初中有心理老师",
    "乐清柳市镇的幼儿园有没有普惠的",
])
async def test_a_question_about_one_named_town_or_school_is_not_answered_for_the_city(dialog, text):
    """The entry on the subject (preschool, canteens, counsellors) speaks for the whole city;
    the parent asked about one place, so the reply says first that the document does not
    cover it and where to ask, and only then gives the city's facts."""
    reply = await say(dialog, text)
    assert reply.text.startswith("文件没有写您问到的具体学校"), reply.text[:60]
    assert "12345" in reply.text.split("\n")[0]


async def test_a_question_the_entry_answers_gets_the_plain_answer(dialog):
    reply = await say(dialog, "温心有约是什么")
    assert reply.kind == "answer"
    assert not reply.text.startswith("文件没有")
    reply = await say(dialog, "2023年随迁子女在公办学校就读的比例是多少")
    assert not reply.text.startswith("文件没有")


async def test_honest_replies_are_kept_for_staff_as_unanswered(dialog, services):
    await say(dialog, "温心有约的电话是多少")
    async with services.sessionmaker() as session:
        listed = await repo.list_unanswered(session)
    assert [u.text for u in listed] == ["温心有约的电话是多少"]


@pytest.mark.parametrize(("text", "reply_starts"), [
    ("谢谢侬", "不客气"),            # Wenzhou dialect
    ("xie xie ni", "不客气"),        # toneless pinyin
    ("👍🙏", "不客气"),              # emoji only
    ("妳好", "您好"),                # Traditional
    ("你是真人还是机器人啊", "我是温教问答"),
    ("拜拜啦", "再见"),
])
async def test_small_talk_outside_the_phrase_lists(dialog, text, reply_starts):
    reply = await say(dialog, text)
    assert reply.text.startswith(reply_starts), text
    assert reply.kind == "greeting"


async def test_an_acknowledgement_is_not_thanked_and_gets_no_reply_in_a_group(dialog):
    private = await say(dialog, "收到")
    assert "不客气" not in private.text and private.text
    assert (await say(dialog, "收到", group=True)).kind == "quiet"


async def test_a_group_notice_gets_no_faq_content(dialog):
    notice = "【家长会通知】本周五下午3点在学校报告厅召开一年级家长会，请各位家长准时参加。"
    reply = await say(dialog, notice, group=True)
    assert reply.kind == "quiet"
    assert reply.text == ""
