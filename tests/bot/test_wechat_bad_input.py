"""Bad input on POST /wechat: the right status, a log line without the body, no dialogue turn."""

from __future__ import annotations

import logging
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wechatpy.crypto import WeChatCrypto

from tests.bot.wechat_platform import (
    ACCOUNT,
    AES_KEY,
    OPENID,
    TOKEN,
    Platform,
    open_platform,
    platform,
    sign,
    text_xml,
    wx_services,
    xml,
)

__all__ = ["platform", "wx_services"]  # fixtures, for pytest
pytestmark = pytest.mark.asyncio(loop_scope="module")

MARKER = "私密内容-marker-4711"  # in every bad body; must never reach a log line
LOGGER = "bot.channels.wechat"

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
              for i in range(1, 10))
    + f"]><xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>{OPENID}</FromUserName>"
    f"<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol9;{MARKER}</Content>"
    "<MsgId>1</MsgId></xml>")
XXE = (f'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>{OPENID}</FromUserName>"
       f"<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;{MARKER}</Content>"
       "<MsgId>2</MsgId></xml>")
LOWERCASE_ENTITY = f'<xml><!entity x "y"><Content>{MARKER}</Content></xml>'


def _plain(kind: str = "text", **fields: str) -> str:
    return xml(kind, **fields)


BAD_BODIES = {
    "malformed xml": f"<xml><MsgType>text</MsgType><Content>{MARKER}",
    "not xml at all": f"{MARKER} hello",
    "other root": f"<message><Content>{MARKER}</Content></message>",
    "missing MsgType": f"<xml><FromUserName>{OPENID}</FromUserName>"
                       f"<Content>{MARKER}</Content></xml>",
    "nested MsgType": _plain(Content=MARKER).replace(
        "<MsgType><![CDATA[text]]></MsgType>", "<MsgType><a>text</a></MsgType>"),
    "nested Content": _plain(Content=MARKER).replace(f"<![CDATA[{MARKER}]]>",
                                                     f"<b>{MARKER}</b>"),
    "repeated MsgType": _plain(Content=MARKER).replace(
        "</xml>", "<MsgType>image</MsgType></xml>"),
    "MsgId not a number": text_xml(MARKER, msg_id=1).replace("<MsgId>1<", "<MsgId>x1<"),
    "bad FromUserName": text_xml(MARKER, openid="o<script>"),
    "no CreateTime": _plain(Content=MARKER).replace("<CreateTime>", "<Other>").replace(
        "</CreateTime>", "</Other>"),
    "empty body": "",
}


def _assert_logged_without_body(caplog, status: int) -> None:
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert any(f"({status})" in line for line in lines), lines
    assert MARKER not in caplog.text


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
async def test_unreadable_bodies_get_400(platform: Platform, caplog, name: str):
    caplog.set_level(logging.INFO)
    answer = await platform.post(BAD_BODIES[name])
    assert answer.status == 400, answer.body
    _assert_logged_without_body(caplog, 400)
    assert await platform.exchanges() == 0


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE, LOWERCASE_ENTITY],
                         ids=["billion-laughs", "xxe", "entity"])
@pytest.mark.parametrize("aes", [False, True])
async def test_entities_are_refused_in_plain_and_safe_mode(platform: Platform, caplog, body, aes):
    caplog.set_level(logging.INFO)
    started = time.monotonic()
    answer = await platform.post(body, aes=aes)
    assert answer.status == 400 and "doctype or entity" in answer.body
    assert time.monotonic() - started < 1.0  # nothing was expanded
    _assert_logged_without_body(caplog, 400)
    assert await platform.exchanges() == 0


async def test_a_body_that_is_not_utf8_gets_400(platform: Platform, caplog):
    answer = await platform.post(platform.text("三坛教师评了多少名").encode("gb18030"))
    assert answer.status == 400 and answer.body == "not utf-8"


@pytest.mark.parametrize("case", ["wrong token", "no signature", "stale", "future", "garbage ts"])
async def test_bad_signatures_and_timestamps_get_403(platform: Platform, caplog, case: str):
    caplog.set_level(logging.INFO)
    now = int(time.time())
    query = {
        "wrong token": platform.query(token="guess"),
        "no signature": {"timestamp": str(now), "nonce": "1"},
        "stale": platform.query(timestamp=now - 301),
        "future": platform.query(timestamp=now + 3600),
        "garbage ts": {"timestamp": "1e9", "nonce": "1", "signature": sign(TOKEN, "1e9", "1")},
    }[case]
    answer = await platform.post(platform.text(MARKER), query=query)
    assert answer.status == 403
    _assert_logged_without_body(caplog, 403)
    assert await platform.exchanges() == 0


async def test_the_timestamp_window_is_a_setting(wx_services, tmp_path):
    async with open_platform(wx_services, tmp_path, wechat_timestamp_window=5000) as platform:
        hour_ago = platform.query(timestamp=int(time.time()) - 3600)
        assert (await platform.post(platform.text("你好"), query=hour_ago)).status == 200


async def test_a_body_over_64_kib_gets_413(platform: Platform, caplog):
    caplog.set_level(logging.INFO)
    answer = await platform.post(platform.text(MARKER + "长" * 30_000))
    assert answer.status == 413
    _assert_logged_without_body(caplog, 413)
    assert await platform.exchanges() == 0


async def test_safe_mode_refuses_a_wrong_or_missing_msg_signature(platform: Platform, caplog):
    caplog.set_level(logging.INFO)
    query = platform.query()
    body, aes_query = platform.encrypted(platform.text(MARKER), query)
    for msg_signature in ("0" * 40, None):
        params = {**aes_query, "msg_signature": msg_signature} if msg_signature else \
            {k: v for k, v in aes_query.items() if k != "msg_signature"}
        resp = await platform.client.post("/wechat", params=params, data=body)
        assert resp.status == 403
    _assert_logged_without_body(caplog, 403)
    assert await platform.exchanges() == 0


@pytest.mark.parametrize("case", ["garbage", "other app", "no Encrypt", "short"])
async def test_safe_mode_refuses_what_cannot_be_decrypted(platform: Platform, caplog, case):
    caplog.set_level(logging.INFO)
    query = platform.query()
    if case == "other app":
        other = WeChatCrypto(TOKEN, AES_KEY, "wxsomeoneelse000000")
        encrypted = other.encrypt_message(platform.text(MARKER), query["nonce"],
                                          query["timestamp"])
        encrypt = encrypted.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    else:
        encrypt = {"garbage": "bm90IGNpcGhlcnRleHQ=" * 3, "no Encrypt": "", "short": "QUJD"}[case]
    body = f"<xml><ToUserName>{ACCOUNT}</ToUserName><Encrypt>{encrypt}</Encrypt></xml>"
    params = {**query, "encrypt_type": "aes",
              "msg_signature": sign(TOKEN, query["timestamp"], query["nonce"], encrypt)}
    resp = await platform.client.post("/wechat", params=params, data=body)
    assert resp.status == 400
    _assert_logged_without_body(caplog, 400)
    assert await platform.exchanges() == 0


async def test_unknown_encryption_or_safe_mode_without_a_key_gets_400(wx_services, tmp_path):
    async with open_platform(wx_services, tmp_path, wechat_aes_key=None) as plain_only:
        assert (await plain_only.post(plain_only.text("你好"), aes=True)).status == 400
        query = {**plain_only.query(), "encrypt_type": "rot13"}
        assert (await plain_only.post(plain_only.text("你好"), query=query)).status == 400
        assert await plain_only.exchanges() == 0


# -- properties: nothing a caller sends gives a 5xx ------------------------------------------

_SETTINGS = settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
_PARAM_NAMES = st.sampled_from(["signature", "timestamp", "nonce", "encrypt_type",
                                "msg_signature", "echostr", "openid"]) | st.text(max_size=10)


@_SETTINGS
@given(params=st.dictionaries(_PARAM_NAMES, st.text(max_size=60), max_size=6),
       body=st.binary(max_size=2000))
async def test_arbitrary_queries_and_bodies_never_give_a_5xx(platform: Platform, params, body):
    resp = await platform.client.post("/wechat", params=params, data=body)
    assert resp.status < 500
    resp = await platform.client.get("/wechat", params=params)
    assert resp.status < 500


@_SETTINGS
@given(body=st.binary(max_size=3000) | st.text(max_size=3000).map(str.encode))
async def test_arbitrary_signed_bodies_never_give_a_5xx(platform: Platform, body):
    resp = await platform.client.post("/wechat", params=platform.query(), data=body)
    assert resp.status < 500


_FIELD = st.sampled_from(["MsgType", "Content", "MsgId", "Event", "EventKey", "Recognition",
                          "CreateTime", "FromUserName", "ToUserName"])
_VALUE = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40) | \
    st.sampled_from(["text", "event", "voice", "subscribe", "CLICK", "topic:hotline", "1", ""])


@_SETTINGS
@given(fields=st.lists(st.tuples(_FIELD, _VALUE), max_size=10), aes=st.booleans())
async def test_arbitrary_signed_messages_never_give_a_5xx(platform: Platform, fields, aes):
    nodes = "".join(f"<{name}><![CDATA[{value.replace(']]>', '')}]]></{name}>"
                    for name, value in fields)
    answer = await platform.post(f"<xml>{nodes}</xml>", aes=aes)
    assert answer.status < 500


@_SETTINGS
@given(encrypt=st.text(max_size=400))
async def test_arbitrary_signed_ciphertexts_never_give_a_5xx(platform: Platform, encrypt):
    query = platform.query()
    body = f"<xml><Encrypt><![CDATA[{encrypt.replace(']]>', '')}]]></Encrypt></xml>"
    params = {**query, "encrypt_type": "aes",
              "msg_signature": sign(TOKEN, query["timestamp"], query["nonce"],
                                    encrypt.replace("]]>", ""))}
    resp = await platform.client.post("/wechat", params=params, data=body.encode())
    assert resp.status < 500
