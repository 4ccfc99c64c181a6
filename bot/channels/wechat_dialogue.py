"""What each kind of WeChat message turns into: a dialogue call, and the text to send back.

Translation only: text and recognised voice go to ``DialogService.handle``; a new follower gets
``welcome``; a menu click goes to ``choose`` with the button's key (an entry id or
``topic:<id>``); everything the dialogue cannot read gets the content's ``not_text`` line. A long
reply is split here to WeChat's size; which number turns the page, and keeping the rest, is the
dialogue's (``services.dialogue.Pages``).
"""

from __future__ import annotations

import logging

from bot.channels.wechat_inbound import Inbound
from bot.channels.wechat_render import paginate, render_text
from services import DialogService, IncomingMessage, Reply
from services.dialogue import Pages, more_number
from services.platform import TtlStore

log = logging.getLogger(__name__)

CHANNEL = "wechat"
SUBSCRIBE_EVENTS = frozenset({"subscribe", "subscribe_scan"})
CLICK_EVENTS = frozenset({"click", "scancode_push"})


class WeChatDialogue:
    """Turns one parsed WeChat message into the text of its reply (None: acknowledge only)."""

    def __init__(self, store: TtlStore) -> None:
        self._pages = Pages(store)

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
        page = await self._pages.turn(_user(message.openid), text)
        if page is not None:
            return page
        reply = await dialog.handle(_incoming(message, text))
        if reply.kind == "limited":
            return reply.text or None  # told once per window, then acknowledged silently
        if reply.kind == "quiet":
            return None
        return await self._deliver(message.openid, reply)

    async def _deliver(self, openid: str, reply: Reply) -> str:
        """The first page of ``reply``; the others are kept for the "more" number."""
        number = more_number(reply)
        pages = paginate(render_text(reply), number, reply.lang)
        await self._pages.keep(_user(openid), pages[1:], number)
        return pages[0]


def _incoming(message: Inbound, text: str = "") -> IncomingMessage:
    """The channel-neutral message: the OpenID is the user (hashed before it is stored)."""
    return IncomingMessage(channel=CHANNEL, user_id=message.openid, text=text,
                           message_id=str(message.msg_id or message.create_time))


def _not_text(dialog: DialogService) -> str:
    return dialog.text("not_text", "zh")


def _user(openid: str) -> str:
    return f"wechat:{openid}"
