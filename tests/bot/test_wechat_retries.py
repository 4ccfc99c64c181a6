"""Retries, the five-second deadline, and long answers served in pages."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.channels.wechat_render import MAX_BYTES, render_text, utf8_len
from services import DialogService, IncomingMessage, Reply, Services, start_services
from tests.bot.wechat_platform import (
    Platform,
    fake_api,
    new_openid,
    next_msg_id,
    open_platform,
    platform,
    wx_services,
)
from tests.conftest import FAQ_DIR, MEMORY_DB

__all__ = ["fake_api", "platform", "wx_services"]  # fixtures
pytestmark = pytest.mark.asyncio(loop_scope="module")


class SlowDialog(DialogService):
    """The real dialogue, made slow: what a stalled database looks like from the channel."""

    delay = 0.6

    async def handle(self, message: IncomingMessage) -> Reply:
        await asyncio.sleep(self.delay)
        return await super().handle(message)


def _slow(services: Services) -> Services:
    """The same services with a slow dialogue in front."""
    return dataclasses.replace(services,
                               dialog=SlowDialog(services.catalog, services.sessionmaker))


# -- retries -------------------------------------------------------------------------------

@pytest.mark.parametrize("aes", [False, True])
async def test_the_same_msgid_three_times_is_one_exchange_and_the_same_reply(platform: Platform,
                                                                            aes: bool):
    message = platform.text("三坛教师评了多少名")
    answers = [await platform.post(message, aes=aes) for _ in range(3)]
    assert {a.status for a in answers} == {200}
    assert answers[0].content is not None and "1211" in answers[0].content
    assert answers[1].content == answers[0].content == answers[2].content
    if not aes:
        assert answers[1].body == answers[0].body  # the very same XML, CreateTime included
    assert await platform.exchanges() == 1


async def test_concurrent_retries_wait_for_the_first_arrival(wx_services, tmp_path):
    async with open_platform(_slow(wx_services), tmp_path) as platform:
        message = platform.text("三坛教师评了多少名")
        answers = await asyncio.gather(*(platform.post(message) for _ in range(3)))
        assert len({a.content for a in answers}) == 1 and answers[0].content is not None
        assert await platform.exchanges() == 1


async def test_a_retry_does_not_choose_twice(platform: Platform):
    await platform.say("教师")
    choice = platform.text("2", msg_id=next_msg_id())
    first, again = await platform.post(choice), await platform.post(choice)
    assert first.content == again.content
    assert await platform.exchanges() == 2


async def test_event_retries_are_recognised_by_sender_and_time(platform: Platform):
    created = int(time.time())
    click = platform.event("CLICK", "honors.santan_teachers", create_time=created)
    answers = [await platform.post(click) for _ in range(3)]
    assert answers[0].body == answers[1].body == answers[2].body
    assert await platform.exchanges() == 1
    later = await platform.post(platform.event("CLICK", "honors.santan_teachers",
                                               create_time=created + 1))
    assert later.content == answers[0].content and await platform.exchanges() == 2


async def test_the_same_msgid_from_two_users_gets_each_their_own_reply(platform: Platform):
    msg_id = next_msg_id()  # one MsgId from two senders: by accident, or sent on purpose
    first_user, second_user = new_openid(), new_openid()
    expected = await platform.services.dialog.handle(
        IncomingMessage(channel="ref", user_id=new_openid(), text="教师"))
    first = await platform.post(platform.text("三坛教师评了多少名", openid=first_user,
                                              msg_id=msg_id))
    second = await platform.post(platform.text("教师", openid=second_user, msg_id=msg_id))
    assert first.target == first_user and "1211" in (first.content or "")
    assert second.target == second_user and second.content == render_text(expected)
    assert await platform.exchanges() == 2


# -- the deadline --------------------------------------------------------------------------

async def test_a_late_reply_is_acknowledged_then_sent_by_customer_service(wx_services, tmp_path,
                                                                          fake_api):
    api, base_url = fake_api
    expected = await wx_services.dialog.handle(
        IncomingMessage(channel="ref", user_id="ref", text="三坛教师评了多少名"))
    async with open_platform(_slow(wx_services), tmp_path, wechat_reply_timeout=0.1,
                             wechat_api_base_url=base_url) as platform:
        message = platform.text("三坛教师评了多少名")
        started = time.monotonic()
        answer = await platform.post(message, aes=True)
        assert (answer.status, answer.body) == (200, "success")
        assert time.monotonic() - started < SlowDialog.delay
        retry = await platform.post(message, aes=True)
        assert (retry.status, retry.body) == (200, "success")  # never a second copy
        for _ in range(100):
            if api.sent:
                break
            await asyncio.sleep(0.05)
        assert api.sent == [{"touser": platform.openid, "msgtype": "text",
                             "text": {"content": render_text(expected)}}]
        assert api.token_requests == 1
        assert await platform.exchanges() == 1


async def test_a_late_reply_without_an_app_secret_is_only_acknowledged(wx_services, tmp_path):
    async with open_platform(_slow(wx_services), tmp_path, wechat_reply_timeout=0.05,
                             wechat_secret=None) as platform:
        answer = await platform.post(platform.text("三坛教师评了多少名"))
        assert (answer.status, answer.body) == (200, "success")


# -- long answers ----------------------------------------------------------------------------

LONG_ID = "overview.wechat_long_answer"
LONG_QUESTION = "请给我看微信分页测试的超长回答"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def long_services(tmp_path_factory) -> AsyncIterator[Services]:
    """The shipped content plus one entry whose answer is far over WeChat's 2048 bytes."""
    faq = tmp_path_factory.mktemp("faq") / "faq"
    shutil.copytree(FAQ_DIR, faq)
    paragraphs = [f"第{n}部分：" + "温州教育持续推进各项工作，" * 15 + "完毕。"
                  for n in range(1, 9)]
    answer = "\n      ".join(paragraphs)
    (faq / "zz_wechat_long.yaml").write_text(
        "topic: overview\nentries:\n"
        f"  - id: {LONG_ID}\n    title: 微信分页测试\n    questions: [{LONG_QUESTION}]\n"
        f"    answer: |-\n      {answer}\n"
        "    source: {document: 测试文档, number: 测试〔2024〕1号}\n"
        "    related: [overview.document, overview.summary_2023]\n", encoding="utf-8")
    running = await start_services(MEMORY_DB, faq)
    yield running
    await running.close()


async def test_a_long_answer_comes_in_pages_with_a_more_number(tmp_path, long_services):
    entry = long_services.catalog.engine.entry(LONG_ID)
    async with open_platform(long_services, tmp_path) as platform:
        pages = [await platform.say(LONG_QUESTION, aes=True)]
        while "继续阅读" in pages[-1]:
            assert pages[-1].endswith("（未完，回复 3 继续阅读）")
            pages.append(await platform.say("3"))
            assert len(pages) < 10
        assert len(pages) >= 3
        assert all(utf8_len(page) <= MAX_BYTES for page in pages)
        bodies = [p.replace("（未完，回复 3 继续阅读）", "").strip() for p in pages]
        assert all(body.endswith("完毕。") for body in bodies[:-1])  # cut between paragraphs
        assert all(body.count("完毕。") >= 2 for body in bodies[:2])  # and paragraphs packed
        whole = "".join(bodies)
        assert "".join(whole.split()).startswith("".join(entry.answer.split()))
        assert "出处：《测试文档》" in pages[-1] and "1. " in pages[-1]
        assert await platform.exchanges() == 1  # turning pages is not a dialogue turn
        document = long_services.catalog.engine.entry("overview.document")
        assert document.answer in await platform.say("1")  # the options still work afterwards


async def test_any_other_message_drops_the_remaining_pages(tmp_path, long_services):
    async with open_platform(long_services, tmp_path) as platform:
        await platform.say(LONG_QUESTION)
        assert "1211" in await platform.say("三坛教师评了多少名")
        assert "继续阅读" not in await platform.say("3")  # option 3 of the new answer instead
        assert await platform.exchanges() == 3
