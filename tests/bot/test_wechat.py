"""WeChat callback through the real app: verification, messages, events, plain and safe mode."""

from __future__ import annotations

import time

import pytest

from bot.channels.wechat_render import render_text
from services import IncomingMessage, Services
from tests.bot.wechat_platform import (
    TOKEN,
    Platform,
    new_openid,
    open_platform,
    platform,
    sign,
    wx_services,
)

__all__ = ["platform", "wx_services"]  # fixtures, for pytest
pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _dialog_reply(services: Services, text: str, user: str = "reference"):
    """What the dialogue itself answers (another user, so the WeChat user's state is untouched)."""
    return await services.dialog.handle(IncomingMessage(channel="ref", user_id=user, text=text))


# -- server verification -------------------------------------------------------------------

async def test_verification_echoes_echostr_when_signed(platform: Platform):
    resp = await platform.client.get("/wechat", params={**platform.query(), "echostr": "8423"})
    assert resp.status == 200
    assert await resp.text() == "8423"


async def test_verification_refuses_a_wrong_signature(platform: Platform):
    query = {**platform.query(token="not-our-token"), "echostr": "8423"}
    resp = await platform.client.get("/wechat", params=query)
    assert resp.status == 403
    assert "8423" not in await resp.text()


async def test_verification_refuses_missing_parameters_and_stale_timestamps(platform: Platform):
    stale = platform.query(timestamp=int(time.time()) - 3600)
    for params in ({"echostr": "1"}, {**stale, "echostr": "1"},
                   {k: v for k, v in platform.query().items() if k != "nonce"}):
        resp = await platform.client.get("/wechat", params=params)
        assert resp.status == 403, params


async def test_wechat_routes_answer_404_when_not_configured(wx_services, tmp_path):
    ts, nonce = str(int(time.time())), "1"
    query = {"signature": sign(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce, "echostr": "x"}
    async with open_platform(wx_services, tmp_path, wechat_token=None) as unconfigured:
        client = unconfigured.client
        assert (await client.get("/wechat", params=query)).status == 404
        resp = await client.post("/wechat", params=query, data=unconfigured.text("你好"))
        assert resp.status == 404


# -- text messages -------------------------------------------------------------------------

async def test_text_gets_the_same_reply_as_the_dialogue_with_citation_and_numbers(
        platform: Platform):
    expected = await _dialog_reply(platform.services, "三坛教师评了多少名")
    answer = await platform.post(platform.text("三坛教师评了多少名"))
    assert answer.status == 200
    assert answer.target == platform.openid
    assert answer.content == render_text(expected)
    assert expected.text in answer.content and "1211" in answer.content
    assert f"出处：{expected.source}" in answer.content
    count = len(expected.options)
    assert f"回复 1–{count} 查看" in answer.content
    for number, option in enumerate(expected.options, start=1):
        assert f"{number}. {option.title}" in answer.content


async def test_safe_mode_decrypts_the_message_and_encrypts_the_reply(platform: Platform):
    answer = await platform.post(platform.text("三坛教师评了多少名"), aes=True)
    assert answer.status == 200
    assert "<Encrypt>" in answer.body and "1211" not in answer.body  # the reply is encrypted
    assert answer.content is not None and "1211" in answer.content  # and decrypts to the answer


async def test_a_number_picks_an_option_of_the_previous_reply(platform: Platform):
    first = await _dialog_reply(platform.services, "教师", user="reference-fresh")
    assert first.kind == "clarify"
    await platform.say("教师")
    second = await platform.say("2", aes=True)
    chosen = platform.services.catalog.engine.entry(first.options[1].id)
    assert chosen.answer in second
    assert await platform.exchanges() == 2


async def test_options_are_kept_per_openid(platform: Platform):
    await platform.say("教师")  # this user now has pending options; another user does not
    other = await platform.say("2", openid=new_openid())
    assert other != await platform.say("2")


async def test_voice_with_recognition_is_answered_as_text(platform: Platform):
    answer = await platform.post(platform.message("voice", MediaId="m1", Format="amr",
                                     Recognition="三坛教师评了多少名？"))
    assert answer.content is not None and "1211" in answer.content


async def test_messages_without_text_get_the_text_only_notice(platform: Platform):
    notice = platform.services.content.text("not_text", "zh")
    messages = [
        platform.message("voice", MediaId="m1", Format="amr"),
        platform.message("voice", MediaId="m1", Format="amr", Recognition=""),
        platform.message("image", PicUrl="http://mmbiz.qpic.cn/x", MediaId="m2"),
        platform.message("video", MediaId="m3", ThumbMediaId="t3"),
        platform.message("shortvideo", MediaId="m4", ThumbMediaId="t4"),
        platform.message("location", Location_X="27.99", Location_Y="120.69", Scale="15",
                         Label="温州"),
        platform.message("link", Title="t", Description="d", Url="http://example.com"),
        platform.message("file", Title="a.pdf", Description="d", FileKey="k", FileMd5="0",
                         FileTotalLen="1"),
        platform.message("hologram", Payload="p"),  # a type WeChat may add one day
    ]
    for message in messages:
        answer = await platform.post(message)
        assert (answer.status, answer.content) == (200, notice), message
    assert await platform.exchanges() == 0


# -- events --------------------------------------------------------------------------------

async def test_subscribe_welcomes_with_the_topics_and_a_number_opens_one(platform: Platform):
    welcome = (await platform.post(platform.event("subscribe"))).content
    topics = [t for t in platform.services.content.topics if t.core]
    assert welcome is not None and "温教问答" in welcome
    for number, topic in enumerate(topics, start=1):
        assert f"{number}. {topic.title}" in welcome
    menu = await platform.say("1")
    assert platform.services.content.text("topics_intro", "zh") in menu
    first_entry = platform.services.catalog.entries_of_topic(topics[0].id)[0]
    assert f"1. {first_entry.title}" in menu


async def test_unsubscribe_view_and_unknown_events_are_acknowledged_only(platform: Platform):
    for event in (platform.event("unsubscribe"),
                  platform.event("VIEW", "https://example.com/page"),
                  platform.event("LOCATION"), platform.event("TEMPLATESENDJOBFINISH")):
        answer = await platform.post(event)
        assert (answer.status, answer.body) == (200, "success"), event
    assert await platform.exchanges() == 0


async def test_menu_click_on_an_entry_answers_it(platform: Platform):
    entry = platform.services.catalog.engine.entry("honors.santan_teachers")
    answer = await platform.post(platform.event("CLICK", entry.id), aes=True)
    assert answer.content is not None and entry.answer in answer.content


async def test_menu_click_on_a_topic_opens_its_menu_and_a_number_picks(platform: Platform):
    menu = (await platform.post(platform.event("CLICK", "topic:hotline"))).content
    entries = platform.services.catalog.entries_of_topic("hotline")
    assert menu is not None and f"2. {entries[1].title}" in menu
    assert entries[1].answer in await platform.say("2")


async def test_menu_click_on_an_unknown_key_asks_for_a_question(platform: Platform):
    answer = await platform.post(platform.event("CLICK", "no.such_entry"))
    assert answer.content is not None
    assert platform.services.content.text("empty", "zh") in answer.content
