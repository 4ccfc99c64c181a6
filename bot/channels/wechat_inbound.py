"""WeChat's pushed XML, checked and parsed into one small typed value.

Everything here treats the body as hostile: it must be UTF-8, it may not declare a DOCTYPE or an
entity (no billion laughs, no external entities: rejected before any parser sees it, and
xmltodict refuses entity declarations as well), the AES envelope must carry a valid signature
before it is decrypted, and every field wechatpy's ``parse_message`` hands back is checked for
the type it should have. Any failure is a :class:`BadMessage` with a short reason that names no
content, for the log line and the 400.
"""

from __future__ import annotations

import hmac
import re
import struct
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import ExpatError

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import WeChatException
from wechatpy.messages import BaseMessage
from wechatpy.utils import WeChatSigner

_FORBIDDEN = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_OPENID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")  # OpenIDs and gh_ account ids
_PARSE_ERRORS = (ExpatError, ET.ParseError, ValueError, KeyError, TypeError, AttributeError)


class BadMessage(Exception):
    """The body is not a message we can read; ``reason`` is safe to log (no content)."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status  # 403 when the body fails authentication, else 400


@dataclass(frozen=True, slots=True)
class Inbound:
    """The parts of a pushed message or event that the channel acts on."""

    kind: str  # MsgType, lower case: text, voice, image, ..., event
    openid: str  # FromUserName: the user
    account: str  # ToUserName: our official account
    create_time: int
    msg_id: int = 0  # 0 for events
    text: str | None = None  # Content of text, Recognition of voice
    event: str | None = None  # subscribe, unsubscribe, click, view, ... (events only)
    event_key: str | None = None

    @property
    def dedup_key(self) -> str:
        """What makes a retry the same message: sender and MsgId, or sender and time for events.

        The sender is part of the key for messages too: a MsgId is only WeChat's number for a
        message, and another user's message that carries the same one (by accident, or sent on
        purpose) must get its own reply, not the first user's.
        """
        if self.msg_id:
            return f"wechat:msg:{self.openid}:{self.msg_id}"
        return f"wechat:evt:{self.openid}:{self.create_time}"


def signature(*parts: str) -> str:
    """WeChat's SHA-1 signature over the sorted parts (wechatpy's signer)."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def same(expected: str, given: str) -> bool:
    """Compare signatures in constant time (wechatpy's own checks use ``!=``)."""
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8", "replace"))


def safe_text(raw: bytes) -> str:
    """The body as text, refusing anything but UTF-8 XML without declarations."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadMessage("not utf-8") from None
    if _FORBIDDEN.search(text):
        raise BadMessage("doctype or entity declaration")
    if not text.strip():
        raise BadMessage("empty body")
    return text


def decrypt(raw: bytes, crypto: WeChatCrypto, query: Mapping[str, str]) -> bytes:
    """The inner XML of a safe-mode envelope, after checking its ``msg_signature``
    (``query`` carries it with the ``timestamp`` and ``nonce`` it was made with)."""
    msg_signature = query.get("msg_signature", "")
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    try:
        root = ET.fromstring(safe_text(raw))
    except _PARSE_ERRORS:
        raise BadMessage("malformed envelope") from None
    encrypted = root.findtext("Encrypt") if root.tag == "xml" else None
    if not encrypted:
        raise BadMessage("no Encrypt element")
    if not same(signature(crypto.token, timestamp, nonce, encrypted), msg_signature):
        raise BadMessage("wrong msg_signature", 403)
    try:
        inner = crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, timestamp, nonce)
    except (ValueError, TypeError, IndexError, struct.error, WeChatException):
        raise BadMessage("cannot decrypt") from None
    return str(inner).encode("utf-8")


def parse(raw: bytes) -> Inbound:
    """The message in a plain XML body (wechatpy's ``parse_message``, fields checked)."""
    text = safe_text(raw)
    try:
        message = parse_message(text)
        return _inbound(message)
    except BadMessage:
        raise
    except _PARSE_ERRORS:
        raise BadMessage(_unreadable(text)) from None


def _unreadable(text: str) -> str:
    # An envelope posted without encrypt_type=aes (a misconfigured proxy, or an account switched
    # to safe mode while this server has no key) is worth naming in the log line.
    return "encrypted body without encrypt_type=aes" if "<Encrypt>" in text else "malformed xml"


def _inbound(message: BaseMessage | None) -> Inbound:
    # parse_message chose the class; the raw fields are read here so that their types can be
    # checked (wechatpy's field converters pass nested elements through as dicts).
    if message is None or not isinstance(message._data, dict):
        raise BadMessage("not a message")
    data: dict[str, Any] = message._data
    kind = _string(data.get("MsgType"), "MsgType").lower()
    openid = _string(data.get("FromUserName"), "FromUserName")
    if not _OPENID.match(openid):
        raise BadMessage("bad FromUserName")
    create_time = int(_string(data.get("CreateTime"), "CreateTime"))
    account = _string(data.get("ToUserName"), "ToUserName")
    if not _OPENID.match(account):
        raise BadMessage("bad ToUserName")
    if kind == "event":
        return Inbound(kind, openid, account, create_time,
                       event=_string(data.get("Event"), "Event").lower(),
                       event_key=_optional(data.get("EventKey"), "EventKey"))
    msg_id = int(_optional(data.get("MsgId"), "MsgId") or 0)
    field = {"text": "Content", "voice": "Recognition"}.get(kind)
    text = _optional(data.get(field), field) if field else None
    if kind == "text":
        text = text or ""
    return Inbound(kind, openid, account, create_time, msg_id=msg_id, text=text)


def _string(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadMessage(f"missing or bad {name}")
    return value.strip()


def _optional(value: object, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadMessage(f"bad {name}")
    return value
