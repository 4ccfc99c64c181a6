"""Citizens' messages through the real dialogue: a complaint is heard and referred (never answered
with an achievement), a place name is context and not topic, and the vocational path to college
is answered."""

from __future__ import annotations

import re

import pytest

from intents import Normalizer
from intents.decision import plan_background
from services.db import repositories as repo
from services.dialogue import DialogService, IncomingMessage, Reply
from services.runtime import Services

CANTEEN = "学校食堂的饭菜又冷又少，孩子天天饿着肚子回家，跟老师说了也没用，我要投诉，请教育局管一管！"
VOCATIONAL = ("我们这里的中职学校条件太差了，孩子读完根本没有出路，强烈要求教育局重视职业教育，"
              "给中职的孩子多一些升学机会！")


@pytest.fixture
def dialog(services: Services) -> DialogService:
    return DialogService(services.catalog, services.sessionmaker)


async def say(dialog: DialogService, text: str) -> Reply:
    return await dialog.handle(IncomingMessage(channel="test", user_id="parent", text=text))


async def test_a_complaint_is_acknowledged_and_referred_to_who_can_take_it(dialog):
    reply = await say(dialog, CANTEEN)
    assert reply.kind == "referral"
    first = reply.text.split("。")[0]
    assert "听到" in first  # the concern acknowledged first
    assert "不能受理投诉" in reply.text
    for channel in ("学校", "教育局", "12345"):
        assert channel in reply.text
    # Never the canteen's achievements as if they answered the parent.
    assert "2493" not in reply.text and "100%" not in reply.text


async def test_a_complaint_gets_what_the_plan_says_only_as_background(dialog):
    reply = await say(dialog, VOCATIONAL)
    assert reply.kind == "referral"
    head, _, background = reply.text.partition("供您参考")
    assert "12345" in head
    assert "2024年的工作要点中提到" in background and "45%" in background
    assert "39.85%" not in reply.text  # the 2023 result is not offered
    assert reply.source  # the background keeps its citation


async def test_complaints_reach_the_inbox_as_complaints(dialog, services):
    await say(dialog, CANTEEN)
    await say(dialog, "温心有约的电话是多少")
    async with services.sessionmaker() as session:
        kinds = {u.text: u.kind for u in await repo.list_unanswered(session)}
    assert kinds[CANTEEN] == "complaint"
    assert kinds["温心有约的电话是多少"] == "question"


@pytest.mark.parametrize("text", [
    "瓯海的幼儿园怎么报名",
    "我家住在龙湾，孩子上小学是怎么划学区的",
    "鹿城那边今年有没有新开的幼儿园",
])
async def test_a_district_name_alone_does_not_draw_the_entries_that_mention_it(dialog, text):
    reply = await say(dialog, text)
    # The teacher-reform pilot (瓯海) and the special schools (鹿城、龙湾、瓯海) only mention them.
    assert reply.intent not in ("teachers.reform_pilot", "highschool.special_schools_2024")


@pytest.mark.parametrize(("text", "entry"), [
    ("瓯海区入选的教师队伍建设改革试点是什么", "teachers.reform_pilot"),
    ("鹿城的特殊教育学校建设", "highschool.special_schools_2024"),
])
async def test_entries_about_a_place_still_answer_what_they_say_of_it(dialog, text, entry):
    reply = await say(dialog, text)
    assert reply.kind == "answer" and reply.intent == entry


@pytest.mark.parametrize("text", ["中职生能不能上大学", "读职高以后还能考大专吗"])
async def test_the_vocational_path_to_college_is_answered(dialog, text):
    reply = await say(dialog, text)
    assert reply.kind == "answer"
    assert reply.intent == "vocational.integration_2024"
    assert "45%" in reply.text


def test_place_names_are_left_out_of_what_is_compared():
    normalize = Normalizer({}, ["瓯海区", "瓯海", "柳市"])
    assert normalize.core(normalize("瓯海区的幼儿园怎么报名")) == "的幼儿园怎么报名"
    assert normalize.core(normalize("柳市镇中心小学")) == "镇中心小学"
    assert normalize.core(normalize("ou hai you er yuan")) == "you er yuan"
    assert Normalizer({}).core("瓯海的幼儿园") == "瓯海的幼儿园"  # no list, nothing removed


def test_the_background_keeps_the_plan_and_drops_the_results():
    answer = ("2023年，温州建成阳光厨房2493个，覆盖率达100%。2024年工作要点提出，深化阳光厨房建设。"
              "文件没有写具体学校的情况。")
    assert plan_background(answer) == "2024年工作要点提出，深化阳光厨房建设。"
    assert plan_background("2023年完成培训20万人次。") == ""
    assert not re.search(r"2493|100%", plan_background(answer))


async def test_sadness_is_met_with_support_not_referred_as_a_complaint(dialog):
    reply = await say(dialog, "我好难过，每天都很孤单，什么都不想做，也没人理我")
    assert reply.kind == "support"
    assert "不能受理投诉" not in reply.text and "12356" in reply.text
