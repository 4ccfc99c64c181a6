"""WeChat Official Account callback: ``GET /wechat`` verifies the server, ``POST /wechat`` answers.

The platform's developer-mode rules, in the order a request meets them:
1. ``signature`` over (token, ``timestamp``, ``nonce``), compared in constant time, and the
   timestamp within ``WENJIAO_WECHAT_TIMESTAMP_WINDOW`` seconds of now; otherwise 403.
2. The form, ``encrypt_type``: ``aes`` needs ``WENJIAO_WECHAT_AES_KEY`` (else 400), anything but
   ``aes`` or ``raw`` is 400. With the key, ``WENJIAO_WECHAT_MODE=safe`` (the default) refuses
   plaintext (403: nothing signs its body); ``compatible`` (WeChat's 兼容模式) takes both forms.
3. The body (at most 64 KiB: the app's ``client_max_size``, else 413); when encrypted its
   ``msg_signature`` checked (403) and decrypted; then parsed without DTDs or entities (400 for
   anything unreadable).
4. Once per signed URL: the accepted (``timestamp``, ``nonce``) pair is remembered for the window
   in the shared TTL store, and another request with it is refused (403), except the very same
   request again (a retry; rule 5 answers it). ``GET`` verification uses up its pair as well:
   its URL is signed like a push's. Nothing reaches the dialogue before this.
5. Once per message: the sender and ``MsgId`` (events: sender and time) are claimed; a retry
   gets the first arrival's reply, or the bare acknowledgement, never a second dialogue turn.
6. Within ``WENJIAO_WECHAT_REPLY_TIMEOUT`` (default 4 s, under WeChat's 5): the reply as a
   passive text message, in the form the request came in (encrypted when it was). Past it: the
   acknowledgement ``success`` now, and the reply later through the customer-service message API.

Both routes are always in the URL table; without ``WENJIAO_WECHAT_TOKEN`` they answer 404.
Every rejection is logged with its reason and status, never with the body.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
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
PLAIN, ENCRYPTED = "raw", "aes"  # the values of encrypt_type
REPLAYED = "timestamp and nonce already used by another request"
# Retry claims are kept at least this long (the services' default; WeChat retries within ~15 s),
# and longer with a wide timestamp window: as long as a re-sent request can still pass rule 4.
MIN_RETRY_MEMORY = 10 * 60


class Replays:
    """Each signed (``timestamp``, ``nonce``) pair is good for one request.

    In plain mode the signature covers the token, timestamp and nonce but not the body, so one
    seen URL could otherwise push any body, as any user, for the whole timestamp window. The
    first accepted request stores a digest of itself under its pair (``add`` is set-if-absent, in
    Redis across workers) until the timestamp falls out of the window. A later request with the
    pair is refused unless it is byte for byte the same request: what a platform retry may look
    like, and harmless, since the retry de-duplication answers it from its first arrival.
    """

    def __init__(self, store: TtlStore, window: int) -> None:
        self._store = store
        self._window = window

    async def first_use(self, query: Mapping[str, str], request: bytes) -> bool:
        """True when ``request`` may use the query's (checked) pair: new, or used by itself."""
        timestamp, nonce = query["timestamp"], query["nonce"]
        key = f"wechat:nonce:{timestamp}:{nonce}"
        digest = hashlib.sha256(request).hexdigest()
        if await self._store.add(key, digest, self._ttl(int(timestamp))):
            return True
        return await self._store.get(key) == digest

    def _ttl(self, timestamp: int) -> float:
        """Until ``timestamp`` fails the window check (at most twice the window, plus a second)."""
        return max(1.0, timestamp + self._window - time.time() + 1)


class WeChatChannel:
    """The channel's running state: keys, stores, the API client and late-reply tasks."""

    def __init__(self, settings: Settings, store: TtlStore, client: ApiClient | None) -> None:
        assert settings.wechat_token is not None
        self.token = settings.wechat_token.get_secret_value()
        self.crypto = _crypto(settings, self.token)
        self.plaintext_allowed = self.crypto is None or settings.wechat_mode == "compatible"
        self.window = settings.wechat_timestamp_window
        self.timeout = settings.wechat_reply_timeout
        self.replays = Replays(store, self.window)
        self.dedup = Dedup(store, ttl=max(MIN_RETRY_MEMORY, 2 * self.window + 1))
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

    def check_form(self, form: str) -> tuple[int, str] | None:
        """The status and reason for refusing a message in this form (``encrypt_type``), or
        None. Checked before the body is read: a refused form is never parsed."""
        if form not in (PLAIN, ENCRYPTED):
            return 400, f"unsupported encrypt_type {form[:16]!r}"
        if form == ENCRYPTED and self.crypto is None:
            return 400, "encrypted message, but WENJIAO_WECHAT_AES_KEY is not set"
        if form == PLAIN and not self.plaintext_allowed:
            return 403, "plaintext message refused in safe mode (WENJIAO_WECHAT_MODE=safe)"
        return None

    def read(self, raw: bytes, form: str, query: Mapping[str, str]) -> Inbound:
        """The message in the body, decrypted first when it came encrypted (else BadMessage)."""
        if form == ENCRYPTED:
            assert self.crypto is not None  # check_form refused encryption without a key
            raw = decrypt(raw, self.crypto, query)
        return parse(raw)

    def respond(self, xml: str, form: str, nonce: str) -> web.Response:
        """The reply in the request's form, or the bare acknowledgement when ``xml`` is ""."""
        if not xml:
            return web.Response(text=ACK)
        if form == ENCRYPTED:
            assert self.crypto is not None
            xml = self.crypto.encrypt_message(xml, nonce)
        return web.Response(text=xml, content_type="application/xml")

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


def _fingerprint(route: str, request: web.Request, body: bytes) -> bytes:
    """What makes two requests the same one: the route, the query string as sent and the body."""
    query = request.rel_url.raw_query_string.encode("utf-8", "replace")
    return b"\n".join((route.encode(), query, body))


async def _body(request: web.Request) -> bytes:
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        log.warning("wechat: request rejected (413): body over the size limit")
        raise


async def verify(request: web.Request) -> web.Response:
    """Answer the platform's server check: echo ``echostr`` when the signature is right."""
    channel = _channel(request)
    problem = channel.check_query(request.query)
    if problem:
        return _reject(403, problem)
    echostr = request.query.get("echostr")
    if not echostr:
        return _reject(400, "missing echostr")
    if not await channel.replays.first_use(request.query, _fingerprint("verify", request, b"")):
        return _reject(403, REPLAYED)
    return web.Response(text=echostr)


async def receive(request: web.Request) -> web.Response:
    """Answer one pushed message or event within WeChat's five seconds."""
    channel = _channel(request)
    query = request.query
    problem = channel.check_query(query)
    if problem:
        return _reject(403, problem)
    form = query.get("encrypt_type", PLAIN).lower()
    refusal = channel.check_form(form)
    if refusal:
        return _reject(*refusal)
    raw = await _body(request)
    try:
        message = channel.read(raw, form, query)
    except BadMessage as exc:
        return _reject(exc.status, exc.reason)
    if not await channel.replays.first_use(query, _fingerprint("receive", request, raw)):
        return _reject(403, REPLAYED)
    xml = await channel.reply_xml(request.app[SERVICES].dialog, message)
    return channel.respond(xml, form, query["nonce"])
