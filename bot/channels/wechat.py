"""WeChat Official Account callback: ``GET /wechat`` verifies the server, ``POST /wechat`` answers.

The platform's developer-mode rules, in the order a request meets them:
1. ``signature`` over (token, ``timestamp``, ``nonce``), compared in constant time, and the
   timestamp within ``WENJIAO_WECHAT_TIMESTAMP_WINDOW`` seconds of now; otherwise 403.
2. The body (at most 64 KiB: the app's ``client_max_size``, else 413); in safe mode
   (``encrypt_type=aes``) its ``msg_signature`` checked (403) and decrypted; then parsed without
   DTDs or entities (400 for anything unreadable). Nothing reaches the dialogue before this.
3. Once per message: the ``MsgId`` (events: sender and time) is claimed; a retry gets the
   first arrival's reply, or the bare acknowledgement, never a second dialogue turn.
4. Within ``WENJIAO_WECHAT_REPLY_TIMEOUT`` (default 4 s, under WeChat's 5): the reply as a
   passive text message (encrypted when the request was). Past it: the acknowledgement
   ``success`` now, and the reply later through the customer-service message API.

Both routes are always in the URL table; without ``WENJIAO_WECHAT_TOKEN`` they answer 404.
Every rejection is logged with its reason and status, never with the body.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Mapping

from aiohttp import web
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import TextReply

from bot.channels.wechat_api import ApiClient, build_client, close_client
from bot.channels.wechat_dialogue import WeChatDialogue
from bot.channels.wechat_inbound import BadMessage, Inbound, decrypt, parse, same, signature
from bot.keys import REDIS, REDIS_GUARD, SERVICES, SETTINGS
from bot.settings import Settings
from services import DialogService
from services.platform import Dedup, FallbackTtlStore, MemoryTtlStore, RedisTtlStore, TtlStore

log = logging.getLogger(__name__)

ACK = "success"  # WeChat's "received, no reply": it neither retries nor shows an error
SHUTDOWN_GRACE = 10.0
AES_KEY_LENGTH = 43  # an EncodingAESKey: 32 bytes in base64 without the padding
MAX_TIMESTAMP_DIGITS = 12


class WeChatChannel:
    """The channel's running state: keys, stores, the API client and late-reply tasks."""

    def __init__(self, settings: Settings, store: TtlStore, client: ApiClient | None) -> None:
        assert settings.wechat_token is not None
        self.token = settings.wechat_token.get_secret_value()
        self.crypto = _crypto(settings, self.token)
        self.window = settings.wechat_timestamp_window
        self.timeout = settings.wechat_reply_timeout
        self.dedup = Dedup(store)
        self.dialogue = WeChatDialogue(store)
        self.client = client
        self.tasks: set[asyncio.Task[None]] = set()

    def check_query(self, query: Mapping[str, str]) -> str | None:
        """Why the request's signature or timestamp is not acceptable, or None."""
        given, timestamp, nonce = (query.get(k) for k in ("signature", "timestamp", "nonce"))
        if not given or not timestamp or not nonce:
            return "missing signature parameters"
        if not same(signature(self.token, timestamp, nonce), given):
            return "wrong signature"
        if not (timestamp.isascii() and timestamp.isdigit()
                and len(timestamp) <= MAX_TIMESTAMP_DIGITS):
            return "bad timestamp"
        if abs(time.time() - int(timestamp)) > self.window:
            return "stale timestamp"
        return None

    async def reply_xml(self, dialog: DialogService, message: Inbound) -> str:
        """The plain reply XML for ``message``, or "" for the bare acknowledgement."""
        key = message.dedup_key
        if not await self.dedup.claim(key):
            log.info("wechat: repeated %r, answered from the first arrival", message.kind[:32])
            return await self.dedup.wait(key, within=self.timeout) or ""
        work = asyncio.create_task(self.dialogue.answer(dialog, message))
        done, _ = await asyncio.wait({work}, timeout=self.timeout)
        if work not in done:
            await self.dedup.finish(key, "")
            self._send_later(work, message)
            return ""
        try:
            text = work.result()
        except BaseException:
            await self.dedup.release(key)  # the turn failed: let the platform's retry try again
            raise
        xml = _text_reply(message, text) if text is not None else ""
        await self.dedup.finish(key, xml)
        return xml

    def _send_later(self, work: asyncio.Task[str | None], message: Inbound) -> None:
        log.info("wechat: reply not ready within %.1f s, sending it by the customer-service API",
                 self.timeout)
        task = asyncio.create_task(self._deliver_late(work, message.openid))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _deliver_late(self, work: asyncio.Task[str | None], openid: str) -> None:
        try:
            text = await work
        except Exception:
            log.exception("wechat: the late reply failed")
            return
        if text is None:
            return
        if self.client is None:
            log.warning("wechat: late reply dropped: WENJIAO_WECHAT_APPID/SECRET are not set")
            return
        try:
            await asyncio.to_thread(self.client.message.send_text, openid, text)
        except Exception as exc:  # network or API error: nobody else would see it
            log.warning("wechat: customer-service send failed: %s", type(exc).__name__)

    async def close(self) -> None:
        """Let late replies finish (briefly), then stop them."""
        if self.tasks:
            _, pending = await asyncio.wait(set(self.tasks), timeout=SHUTDOWN_GRACE)
            for task in pending:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


WECHAT = web.AppKey("wechat", WeChatChannel)  # channel-private; present only when configured


def _crypto(settings: Settings, token: str) -> WeChatCrypto | None:
    if settings.wechat_aes_key is None:
        return None
    key = settings.wechat_aes_key.get_secret_value()
    if not settings.wechat_appid or len(key) != AES_KEY_LENGTH:
        raise ValueError("WENJIAO_WECHAT_AES_KEY must be the 43-character EncodingAESKey and "
                         "WENJIAO_WECHAT_APPID must be set for safe mode")
    return WeChatCrypto(token, key, settings.wechat_appid)


def _text_reply(message: Inbound, text: str) -> str:
    content = text.replace("]]>", "]]]]><![CDATA[>")  # wechatpy writes CDATA without escaping
    return str(TextReply(source=message.account, target=message.openid, content=content).render())


async def wechat_context(app: web.Application) -> AsyncIterator[None]:
    """Build the channel when ``WENJIAO_WECHAT_TOKEN`` is set; wait for late replies at exit."""
    settings = app[SETTINGS]
    if settings.wechat_token is None:
        yield
        return
    redis = app.get(REDIS)
    store: TtlStore = MemoryTtlStore()
    if redis is not None:  # shared by the workers; in this process while Redis is down
        store = FallbackTtlStore(RedisTtlStore(redis), MemoryTtlStore(), app[REDIS_GUARD])
    client = None
    if settings.wechat_appid and settings.wechat_secret:
        client = build_client(settings.wechat_appid, settings.wechat_secret.get_secret_value(),
                              settings.wechat_api_base_url, settings.redis_url)
    app[WECHAT] = channel = WeChatChannel(settings, store, client)
    yield
    await channel.close()
    if client is not None:
        close_client(client)


def _reject(status: int, reason: str) -> web.Response:
    log.warning("wechat: request rejected (%d): %s", status, reason)
    return web.Response(status=status, text=reason)


def _channel(request: web.Request) -> WeChatChannel:
    channel = request.app.get(WECHAT)
    if channel is None:
        raise web.HTTPNotFound(text="WeChat is not configured")
    return channel


async def verify(request: web.Request) -> web.Response:
    """Answer the platform's server check: echo ``echostr`` when the signature is right."""
    channel = _channel(request)
    problem = channel.check_query(request.query)
    if problem:
        return _reject(403, problem)
    echostr = request.query.get("echostr")
    if not echostr:
        return _reject(400, "missing echostr")
    return web.Response(text=echostr)


async def receive(request: web.Request) -> web.Response:
    """Answer one pushed message or event within WeChat's five seconds."""
    channel = _channel(request)
    problem = channel.check_query(request.query)
    if problem:
        return _reject(403, problem)
    mode = request.query.get("encrypt_type", "raw").lower()
    if mode not in ("raw", "aes") or (mode == "aes" and channel.crypto is None):
        return _reject(400, f"unsupported encrypt_type {mode[:16]!r}")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        log.warning("wechat: request rejected (413): body over the size limit")
        raise
    try:
        if mode == "aes":
            assert channel.crypto is not None
            raw = decrypt(raw, channel.crypto, request.query)
        message = parse(raw)
    except BadMessage as exc:
        return _reject(exc.status, exc.reason)
    xml = await channel.reply_xml(request.app[SERVICES].dialog, message)
    if not xml:
        return web.Response(text=ACK)
    if mode == "aes":
        assert channel.crypto is not None
        xml = channel.crypto.encrypt_message(xml, request.query["nonce"])
    return web.Response(text=xml, content_type="application/xml")
