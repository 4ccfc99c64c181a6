"""Replay protection: a signed (timestamp, nonce) pair is good for one request.

In plain mode the URL's signature covers only the token, ``timestamp`` and ``nonce``, so whoever
sees one request's URL could push any body with it for the whole timestamp window. The channel
remembers each accepted pair for that window (in the shared TTL store) and refuses a second
request with it, except the very same request sent again (a retry, answered by the MsgId
de-duplication from the first arrival).
"""

from __future__ import annotations

import logging
import time
import uuid
import xml.etree.ElementTree as ET

import pytest
from wechatpy import parse_message

from tests.bot.wechat_platform import (
    TOKEN,
    Platform,
    platform,
    wx_services,
)

__all__ = ["platform", "wx_services"]  # fixtures for pytest
pytestmark = pytest.mark.asyncio(loop_scope="module")

MARKER = "私密内容-replay-4711"  # in the replayed bodies; must never reach a log line
LOGGER = "bot.channels.wechat"


def reply_text(platform: Platform, body: str, aes: bool) -> str:
    """The text of a passive reply, decrypted first when it is encrypted."""
    if aes:
        envelope = ET.fromstring(body)
        body = platform.crypto.decrypt_message(body, envelope.findtext("MsgSignature"),
                                               envelope.findtext("TimeStamp"),
                                               envelope.findtext("Nonce"))
    return str(parse_message(body).content)


def _rejections(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == LOGGER and "rejected" in r.getMessage()]


@pytest.mark.parametrize("aes", [False, True])
async def test_a_used_url_cannot_carry_another_body(platform: Platform, caplog, aes: bool):
    caplog.set_level(logging.INFO)
    query = platform.query()
    first = await platform.post(platform.text("三坛教师评了多少名"), aes=aes, query=query)
    assert first.status == 200 and first.content is not None and "1211" in first.content
    forged = await platform.post(platform.text(MARKER), aes=aes, query=query)
    assert forged.status == 403 and forged.content is None
    assert any("(403)" in line and "nonce" in line for line in _rejections(caplog))
    assert MARKER not in caplog.text
    assert await platform.exchanges() == 1


async def test_another_users_message_cannot_reuse_the_url(platform: Platform):
    query = platform.query()
    assert (await platform.post(platform.text("你好"), query=query)).status == 200
    other = platform.text("三坛教师评了多少名", openid="oAttackerAAAAAAAAAAAAAAAAAAA")
    assert (await platform.post(other, query=query)).status == 403
    assert await platform.exchanges() == 1


@pytest.mark.parametrize("aes", [False, True])
async def test_the_same_request_sent_again_gets_the_first_reply(platform: Platform, aes: bool):
    message = platform.text("三坛教师评了多少名")
    query = platform.query()
    body, params = platform.encrypted(message, query) if aes else (message, query)
    replies = []
    for _ in range(3):  # byte for byte the same request: what a platform retry may look like
        resp = await platform.client.post("/wechat", params=params, data=body)
        assert resp.status == 200
        replies.append(reply_text(platform, await resp.text(), aes))
    assert "1211" in replies[0] and replies[0] == replies[1] == replies[2]
    assert await platform.exchanges() == 1


async def test_a_verification_url_cannot_be_used_to_push_a_message(platform: Platform):
    query = platform.query()
    resp = await platform.client.get("/wechat", params={**query, "echostr": "8423"})
    assert (resp.status, await resp.text()) == (200, "8423")
    again = await platform.client.get("/wechat", params={**query, "echostr": "8423"})
    assert again.status == 200  # the same check again: it changes nothing, and says nothing new
    other = await platform.client.get("/wechat", params={**query, "echostr": "other"})
    assert other.status == 403
    assert (await platform.post(platform.text(MARKER), query=query)).status == 403
    assert await platform.exchanges() == 0


async def test_a_rejected_request_does_not_use_up_its_nonce(platform: Platform):
    query = platform.query()
    assert (await platform.post("<xml>not a message</xml>", query=query)).status == 400
    assert (await platform.post(platform.text("你好"), query=query)).status == 200


async def test_the_same_nonce_with_another_timestamp_is_another_request(platform: Platform):
    now = int(time.time())
    for timestamp in (now, now - 1):
        answer = await platform.post(platform.text("你好"),
                                     query=platform.query(timestamp=timestamp, nonce="42"))
        assert answer.status == 200
    assert await platform.exchanges() == 2
