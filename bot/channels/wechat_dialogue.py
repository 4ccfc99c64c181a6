"""What each kind of WeChat message turns into: a dialogue call, and the text to send back.

Translation only: text and recognised voice go to ``DialogService.handle``; a new follower gets
``welcome``; a menu click goes to ``choose`` with the button's key (an entry id or
``topic:<id>``); everything the dialogue cannot read gets the content's ``not_text`` line. The
one thing kept here is channel rendering state: the remaining pages of a long reply, per OpenID,
served when the user sends the "more" number (no dialogue turn is spent on turning a page).
"""

from __future__ import annotations

import json
import logging
import unicodedata

from bot.channels.wechat_inbound import Inbound
from bot.channels.wechat_render import more_number, paginate, render_text
from services import DialogService, IncomingMessage, Reply
from services.platform import TtlStore

log = logging.getLogger(__name__)

CHANNEL = "wechat"
PAGES_TTL = 30 * 60  # as long as the dialogue keeps a conversation
SUBSCRIBE_EVENTS = frozenset({"subscribe", "subscribe_scan"})
CLICK_EVENTS = frozenset({"click", "scancode_push"})
MAX_DIGITS = 3  # a "more" number is small; anything longer is a question


class WeChatDialogue:
    """Turns one parsed WeChat message into the text of its reply (None: acknowledge only)."""

    def __init__(self, store: TtlStore) -> None:
        self._store = store

    async def answer(self, dialog: DialogService, message: Inbound) -> str | None:
        """The reply text for ``message``, or None when it needs no reply."""
        if message.kind == "event":
            return await self._event(dialog, message)
        text = message.text or ""
        if message.kind == "text" or (message.kind == "voice" and text.strip()):
            return await self._converse(dialog, message, text)
        log.info("wechat: %r message answered with the text-only notice", message.kind[:32])
        return _not_text(dialog)

    async def _event(self, dialog: DialogService, message: Inbound) -> str | None:
        if message.event in SUBSCRIBE_EVENTS:
            return await self._deliver(message.openid, await dialog.welcome(_incoming(message)))
        if message.event in CLICK_EVENTS and message.event_key:
            reply = await dialog.choose(_incoming(message), message.event_key.strip())
            return await self._deliver(message.openid, reply)
        return None  # unsubscribe, view, location reports, ...: acknowledged, nothing to say

    async def _converse(self, dialog: DialogService, message: Inbound, text: str) -> str | None:
        page = await self._next_page(message.openid, text)
        if page is not None:
            return page
        reply = await dialog.handle(_incoming(message, text))
        if reply.kind == "limited":
            return reply.text or None  # told once per window, then acknowledged silently
        return await self._deliver(message.openid, reply)

    async def _deliver(self, openid: str, reply: Reply) -> str:
        """The first page of ``reply``; the others are kept for the "more" number."""
        number = more_number(reply)
        pages = paginate(render_text(reply), number, reply.lang)
        key = _pages_key(openid)
        if len(pages) > 1:
            await self._store.set(key, json.dumps({"n": number, "pages": pages[1:]}), PAGES_TTL)
        else:
            await self._store.delete(key)
        return pages[0]

    async def _next_page(self, openid: str, text: str) -> str | None:
        """The next kept page when ``text`` is the "more" number; any other text drops them."""
        key = _pages_key(openid)
        raw = await self._store.get(key)
        if raw is None:
            return None
        kept = json.loads(raw)
        if _as_number(text) != kept["n"]:
            await self._store.delete(key)
            return None
        first, *rest = kept["pages"]
        if rest:
            await self._store.set(key, json.dumps({"n": kept["n"], "pages": rest}), PAGES_TTL)
        else:
            await self._store.delete(key)
        return str(first)


def _incoming(message: Inbound, text: str = "") -> IncomingMessage:
    """The channel-neutral message: the OpenID is the user (hashed before it is stored)."""
    return IncomingMessage(channel=CHANNEL, user_id=message.openid, text=text,
                           message_id=str(message.msg_id or message.create_time))


def _not_text(dialog: DialogService) -> str:
    return dialog.text("not_text", "zh")


def _pages_key(openid: str) -> str:
    return f"wechat:more:{openid}"


def _as_number(text: str) -> int | None:
    """A bare number as typed or dictated ("4", "４", "4。")."""
    cleaned = unicodedata.normalize("NFKC", text).strip().rstrip("。.").strip()
    digits = cleaned.isascii() and cleaned.isdigit() and len(cleaned) <= MAX_DIGITS
    return int(cleaned) if digits else None
