"""Telegram update JSON as the Bot API sends it, for ``Update.de_json`` in tests."""

from __future__ import annotations

import itertools
import secrets
import time
from typing import Any

from tests.bot.telegram_fakes import BOT_ID, BOT_USERNAME

PARENT = 5550001
GROUP = -1001234567890
# Fresh per run: the Redis tests keep de-duplication keys (`dedup:telegram:<update_id>`) for
# a day, so ids that repeat across runs made a rerun's updates look like retries.
_update_ids = itertools.count(1001 + secrets.randbelow(10**9) * 1000)
_message_ids = itertools.count(501)


def user(uid: int = PARENT, lang: str | None = "zh-hans") -> dict[str, Any]:
    """A Telegram user."""
    data: dict[str, Any] = {"id": uid, "is_bot": False, "first_name": "李", "last_name": "华"}
    if lang:
        data["language_code"] = lang
    return data


def private_chat(uid: int = PARENT) -> dict[str, Any]:
    """The private chat with ``uid``."""
    return {"id": uid, "type": "private", "first_name": "李", "last_name": "华"}


def group_chat(cid: int = GROUP) -> dict[str, Any]:
    """A supergroup of parents."""
    return {"id": cid, "type": "supergroup", "title": "温州家长群"}


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def message(text: str | None = None, *, sender: dict[str, Any] | None = None,
            chat: dict[str, Any] | None = None, edited: bool = False,
            reply_to: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """An update carrying one message (``edited`` makes it an ``edited_message``)."""
    sender = sender or user()
    body: dict[str, Any] = {"message_id": next(_message_ids), "date": int(time.time()),
                            "chat": chat or private_chat(sender["id"]), "from": sender, **fields}
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": _utf16(command)}]
    if reply_to is not None:
        body["reply_to_message"] = reply_to
    if edited:
        body["edit_date"] = int(time.time())
    return {"update_id": next(_update_ids), "edited_message" if edited else "message": body}


def mention(question: str, **kwargs: Any) -> dict[str, Any]:
    """A group message that mentions the bot first: "@bot question"."""
    handle = f"@{BOT_USERNAME}"
    update = message(f"{handle} {question}", chat=kwargs.pop("chat", group_chat()), **kwargs)
    update["message"]["entities"] = [{"type": "mention", "offset": 0, "length": _utf16(handle)}]
    return update


def bot_message(chat: dict[str, Any], text: str = "您好！") -> dict[str, Any]:
    """A message the bot sent earlier (what a reply or a button refers to)."""
    return {"message_id": next(_message_ids), "date": int(time.time()), "chat": chat,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "温教问答",
                     "username": BOT_USERNAME}, "text": text}


def button(data: str, *, sender: dict[str, Any] | None = None,
           chat: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pressed inline button under one of the bot's messages."""
    sender = sender or user()
    return {"update_id": next(_update_ids),
            "callback_query": {"id": f"cq{next(_update_ids)}", "from": sender,
                               "chat_instance": "-4242", "data": data,
                               "message": bot_message(chat or private_chat(sender["id"]))}}


NON_TEXT: dict[str, dict[str, Any]] = {
    "photo": {"photo": [{"file_id": "AgACAgUAAxkBAAIB", "file_unique_id": "AQADr7ExG",
                         "file_size": 1432, "width": 90, "height": 67}]},
    "sticker": {"sticker": {"file_id": "CAACAgIAAxkBAAIC", "file_unique_id": "AgADxQ",
                            "type": "regular", "width": 512, "height": 512,
                            "is_animated": False, "is_video": False, "emoji": "👍"}},
    "voice": {"voice": {"file_id": "AwACAgUAAxkBAAID", "file_unique_id": "AgADmw",
                        "duration": 3, "mime_type": "audio/ogg", "file_size": 9021}},
    "document": {"document": {"file_id": "BQACAgUAAxkBAAIE", "file_unique_id": "AgADnA",
                              "file_name": "招生简章.pdf", "mime_type": "application/pdf",
                              "file_size": 80211}},
    "location": {"location": {"latitude": 27.994267, "longitude": 120.699367}},
}
