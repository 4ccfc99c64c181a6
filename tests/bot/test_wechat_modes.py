"""The message forms each account mode accepts: plain (no AES key), safe, compatible.

Safe mode (``WENJIAO_WECHAT_AES_KEY`` set, ``WENJIAO_WECHAT_MODE=safe``, the default) takes
encrypted messages only: a plaintext push is not covered by any signature over its body, so
accepting it would let anyone holding one signed URL put words in any user's mouth. Compatible
mode (WeChat's 兼容模式, while an account switches over) takes both and answers each in kind.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import pytest

from bot.settings import Settings

from tests.bot.test_wechat_replay import reply_text
from tests.bot.wechat_platform import Platform, open_platform, platform, wx_services

__all__ = ["platform", "wx_services"]  # fixtures, imported for pytest
pytestmark = pytest.mark.asyncio(loop_scope="module")

MARKER = "私密内容-modes-4711"  # in refused bodies; must never reach a log line
LOGGER = "bot.channels.wechat"
QUESTION = "三坛教师评了多少名"


def _logged(caplog: pytest.LogCaptureFixture, status: int, words: str) -> bool:
    return any(f"({status})" in r.getMessage() and words in r.getMessage()
               for r in caplog.records if r.name == LOGGER)


def _compatible_envelope(platform: Platform, message: str,
                         query: dict[str, str]) -> tuple[str, dict[str, str]]:
    """What WeChat pushes in compatible mode: the plaintext fields and their ciphertext."""
    body, params = platform.encrypted(message, query)
    encrypt = ET.fromstring(body).findtext("Encrypt")
    plain_fields = message.removeprefix("<xml>").removesuffix("</xml>")
    return f"<xml>{plain_fields}<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>", params


# -- safe mode -------------------------------------------------------------------------------

async def test_safe_mode_refuses_plaintext_messages(wx_services, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    async with open_platform(wx_services, tmp_path, wechat_mode="safe") as safe:
        for message in (safe.text(MARKER), safe.event("subscribe"),
                        safe.event("CLICK", "honors.santan_teachers")):
            answer = await safe.post(message)
            assert answer.status == 403 and answer.content is None, answer.body
        assert _logged(caplog, 403, "plaintext")
        assert MARKER not in caplog.text
        assert await safe.exchanges() == 0
        assert "1211" in await safe.say(QUESTION, aes=True)  # encrypted ones are answered


async def test_safe_mode_is_the_default_with_an_aes_key(wx_services, tmp_path):
    default = Settings.model_fields["wechat_mode"].default  # what an unset variable gives
    async with open_platform(wx_services, tmp_path, wechat_mode=default) as platform:
        assert (await platform.post(platform.text(QUESTION))).status == 403
        query = {**platform.query(), "encrypt_type": "raw"}  # saying "raw" does not help
        assert (await platform.post(platform.text(QUESTION), query=query)).status == 403
        assert await platform.exchanges() == 0


# -- compatible mode -------------------------------------------------------------------------

async def test_compatible_mode_answers_each_form_in_kind(wx_services, tmp_path):
    async with open_platform(wx_services, tmp_path, wechat_mode="compatible") as compatible:
        plain = await compatible.post(compatible.text(QUESTION))
        assert plain.status == 200 and plain.body.startswith("<xml>")
        assert "<Encrypt>" not in plain.body and "1211" in (plain.content or "")
        encrypted = await compatible.post(compatible.text(QUESTION), aes=True)
        assert "<Encrypt>" in encrypted.body and "1211" not in encrypted.body
        assert encrypted.content == plain.content
        assert await compatible.exchanges() == 2


async def test_compatible_mode_reads_the_ciphertext_of_a_mixed_push(wx_services, tmp_path):
    async with open_platform(wx_services, tmp_path, wechat_mode="compatible") as compatible:
        body, params = _compatible_envelope(compatible, compatible.text(QUESTION),
                                            compatible.query())
        tampered = body.replace(QUESTION, "你好")  # only the signed ciphertext counts
        resp = await compatible.client.post("/wechat", params=params, data=tampered)
        assert resp.status == 200
        assert "1211" in reply_text(compatible, await resp.text(), aes=True)
        assert await compatible.exchanges() == 1


# -- plain mode (no AES key) -----------------------------------------------------------------

async def test_without_an_aes_key_plaintext_is_answered_and_encryption_refused(
        wx_services, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    async with open_platform(wx_services, tmp_path, wechat_aes_key=None,
                             wechat_mode="safe") as plain:  # the mode needs a key to mean more
        assert "1211" in await plain.say(QUESTION)
        encrypted = await plain.post(plain.text(MARKER), aes=True)
        assert encrypted.status == 400 and "AES" in encrypted.body
        assert _logged(caplog, 400, "AES")
        envelope, _ = plain.encrypted(plain.text(MARKER), plain.query())
        unlabelled = await plain.post(envelope)  # an envelope without encrypt_type=aes
        assert (unlabelled.status, unlabelled.body) == (400, "encrypted body without "
                                                              "encrypt_type=aes")
        assert MARKER not in caplog.text
        assert await plain.exchanges() == 1
