"""Plays the WeChat platform against the real app: realistic pushed XML, signed and (in safe
mode) encrypted with wechatpy's own crypto; replies decrypted and parsed the same way. Also a
fake WeChat API server on 127.0.0.1 that records customer-service sends and menus.

Building the services takes seconds (the engine's index), so a test module shares one stack
(``wx_services``, module-scoped, with the module's event loop: modules using it set
``pytestmark = pytest.mark.asyncio(loop_scope="module")``). Each test still gets its own app,
its own WeChat user (OpenID) and counts only its own exchanges.
"""

from __future__ import annotations

import base64
import itertools
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from bot.app import create_app
from bot.settings import Settings
from services import Services, start_services
from services.db import repositories as repo
from tests.conftest import FAQ_DIR, MEMORY_DB, PLAN_YEAR_DAY, SHELF

TOKEN = "wenjiao-test-token"
APPID = "wx0123456789abcdef"
SECRET = "app-secret-for-tests"
AES_KEY = base64.b64encode(bytes(range(1, 33))).decode().rstrip("=")  # 43 characters
ACCOUNT = "gh_0123456789ab"
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
_ids = itertools.count(24_500_000_000_000_001)


def next_msg_id() -> int:
    """A fresh MsgId, as the platform assigns them."""
    return next(_ids)


def sign(*parts: str) -> str:
    """The platform's SHA-1 signature."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def fresh_nonce() -> str:
    """A nonce as WeChat sends them: ten-odd random digits, new for every request."""
    return str(uuid.uuid4().int % 10**10)


def wechat_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings with token, app id, secret and AES key (the conftest pattern), in WeChat's
    compatible mode: the tests push plaintext and encrypted messages alike (safe mode has its
    own tests)."""
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 't.db'}", "faq_dir": FAQ_DIR,
        "wechat_token": TOKEN, "wechat_appid": APPID, "wechat_secret": SECRET,
        "wechat_aes_key": AES_KEY, "wechat_mode": "compatible"}
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[arg-type]


def xml(kind: str, openid: str = OPENID, msg_id: int | None = None, create_time: int | None = None,
        **fields: str) -> str:
    """A pushed message as the platform writes it; ``kind`` is the MsgType."""
    nodes = [f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>",
             f"<FromUserName><![CDATA[{openid}]]></FromUserName>",
             f"<CreateTime>{create_time or int(time.time())}</CreateTime>",
             f"<MsgType><![CDATA[{kind}]]></MsgType>"]
    nodes += [f"<{name}><![CDATA[{value}]]></{name}>" for name, value in fields.items()]
    if kind != "event":
        nodes.append(f"<MsgId>{msg_id or next_msg_id()}</MsgId>")
    return "<xml>" + "".join(nodes) + "</xml>"


def text_xml(content: str, **kw: Any) -> str:
    """A text message."""
    return xml("text", Content=content, **kw)


def event_xml(event: str, key: str | None = None, **kw: Any) -> str:
    """An event (subscribe, unsubscribe, CLICK, VIEW, ...)."""
    fields = {"Event": event} if key is None else {"Event": event, "EventKey": key}
    return xml("event", **fields, **kw)


@dataclass
class Answer:
    """What the app answered: status, raw body, and the reply text when there is one."""

    status: int
    body: str
    content: str | None = None
    target: str | None = None  # the OpenID the reply goes to


def new_openid() -> str:
    """A fresh 28-character OpenID: one WeChat user per test."""
    return "o" + uuid.uuid4().hex[:27]


@dataclass
class Platform:
    """The WeChat server's side of the callback, for one user."""

    client: TestClient
    services: Services
    openid: str = field(default_factory=new_openid)
    crypto: WeChatCrypto = field(default_factory=lambda: WeChatCrypto(TOKEN, AES_KEY, APPID))
    baseline: int = 0  # exchanges stored before this platform started

    def query(self, timestamp: int | None = None, nonce: str | None = None,
              token: str = TOKEN) -> dict[str, str]:
        """The signed query string of a plain-mode request; a new random nonce unless one is
        named, as the platform sends them (a used pair is refused)."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or fresh_nonce()
        return {"signature": sign(token, ts, nonce), "timestamp": ts, "nonce": nonce}

    def encrypted(self, message: str, query: dict[str, str]) -> tuple[str, dict[str, str]]:
        """The safe-mode envelope of ``message`` and its query (encrypt_type, msg_signature)."""
        envelope = ET.fromstring(self.crypto.encrypt_message(message, query["nonce"],
                                                             query["timestamp"]))
        body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>" \
               f"<Encrypt><![CDATA[{envelope.findtext('Encrypt')}]]></Encrypt></xml>"
        return body, {**query, "encrypt_type": "aes",
                      "msg_signature": envelope.findtext("MsgSignature") or ""}

    def message(self, kind: str, **kw: Any) -> str:
        """A message of ``kind`` from this platform's user."""
        return xml(kind, openid=kw.pop("openid", self.openid), **kw)

    def text(self, content: str, **kw: Any) -> str:
        """A text message from this platform's user."""
        return self.message("text", Content=content, **kw)

    def event(self, event: str, key: str | None = None, **kw: Any) -> str:
        """An event from this platform's user."""
        return event_xml(event, key, openid=kw.pop("openid", self.openid), **kw)

    async def post(self, message: str | bytes, aes: bool = False,
                   query: dict[str, str] | None = None) -> Answer:
        """Push ``message``; decrypt and parse the reply as the platform would."""
        query = query or self.query()
        body: str | bytes = message
        if aes:
            assert isinstance(message, str)
            body, query = self.encrypted(message, query)
        resp = await self.client.post("/wechat", params=query, data=body,
                                      headers={"Content-Type": "text/xml"})
        text = await resp.text()
        answer = Answer(resp.status, text)
        if resp.status == 200 and text.startswith("<xml>"):
            inner = text
            if aes:
                env = ET.fromstring(text)
                inner = self.crypto.decrypt_message(
                    text, env.findtext("MsgSignature"), env.findtext("TimeStamp"),
                    env.findtext("Nonce"))
            reply = parse_message(inner)
            assert reply.type == "text" and reply.source == ACCOUNT
            answer.content = reply.content
            answer.target = reply.target
        return answer

    async def say(self, content: str, aes: bool = False, **kw: Any) -> str:
        """Send a text message and return the reply text (asserting there is one)."""
        answer = await self.post(self.text(content, **kw), aes=aes)
        assert answer.status == 200, answer.body
        assert answer.content is not None, f"no reply text: {answer.body!r}"
        return answer.content

    async def count(self) -> int:
        """How many WeChat exchanges the store holds in all."""
        async with self.services.sessionmaker() as session:
            return await repo.count_exchanges(session, channel="wechat")

    async def exchanges(self) -> int:
        """How many WeChat exchanges were stored since this platform started."""
        return await self.count() - self.baseline


@asynccontextmanager
async def open_platform(services: Services, tmp_path: Path,
                        **settings: Any) -> AsyncIterator[Platform]:
    """The real app (``create_app``) with WeChat configured, served on 127.0.0.1, and the
    platform talking to it; the app is shut down (late replies awaited) on exit."""
    client = TestClient(TestServer(create_app(wechat_settings(tmp_path, **settings), services)))
    await client.start_server()
    try:
        platform = Platform(client, services)
        platform.baseline = await platform.count()
        yield platform
    finally:
        await client.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def wx_services() -> AsyncIterator[Services]:
    """Services on in-memory SQLite, shared by one test module."""
    running = await start_services(MEMORY_DB, FAQ_DIR, today=PLAN_YEAR_DAY, shelf=SHELF)
    yield running
    await running.close()


@pytest_asyncio.fixture(loop_scope="module")
async def platform(wx_services: Services, tmp_path: Path) -> AsyncIterator[Platform]:
    """A fresh app with WeChat configured (memory stores) over the module's services."""
    async with open_platform(wx_services, tmp_path) as running:
        yield running


@dataclass
class FakeWeChatApi:
    """A local stand-in for api.weixin.qq.com: hands out a token, records what is sent."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    menus: list[dict[str, Any]] = field(default_factory=list)
    token_requests: int = 0

    def app(self) -> web.Application:
        """The aiohttp app answering /cgi-bin/token, message/custom/send and menu/create."""
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._send)
        app.router.add_post("/cgi-bin/menu/create", self._menu)
        return app

    async def _token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        if request.query.get("appid") != APPID or request.query.get("secret") != SECRET:
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        return web.json_response({"access_token": "FAKE_TOKEN", "expires_in": 7200})

    async def _send(self, request: web.Request) -> web.Response:
        assert request.query.get("access_token") == "FAKE_TOKEN"
        self.sent.append(await request.json())
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _menu(self, request: web.Request) -> web.Response:
        assert request.query.get("access_token") == "FAKE_TOKEN"
        self.menus.append(await request.json())
        return web.json_response({"errcode": 0, "errmsg": "ok"})


@pytest_asyncio.fixture(loop_scope="module")
async def fake_api() -> AsyncIterator[tuple[FakeWeChatApi, str]]:
    """The fake API running on 127.0.0.1, and its base URL."""
    api = FakeWeChatApi()
    server = TestServer(api.app(), host="127.0.0.1")
    await server.start_server()
    yield api, str(server.make_url("/"))
    await server.close()
