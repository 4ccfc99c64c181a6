"""Redaction of personal data before anything is stored or logged.

Parents paste ID numbers, phone numbers and names into chats; none of it helps answer a policy
question, so it is replaced by a placeholder at the edge of the store and the logs.
"""

from __future__ import annotations

import hashlib
import hmac
import re

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), "[邮箱]"),
    (re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"), "[身份证号]"),
    (re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])"), "[身份证号]"),
    (re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)"), "[手机号]"),
    (re.compile(r"(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)"), "[电话]"),
    (re.compile(r"(?<!\d)\d{16,19}(?!\d)"), "[卡号]"),
    (re.compile(r"(姓名|名字)\s*[:：是叫]?\s*[\u4e00-\u9fff]{2,4}"), r"\1[姓名]"),
    (re.compile(r"((?:我|孩子|儿子|女儿|娃|小孩|学生)(?:的名字)?叫)[\u4e00-\u9fff]{2,3}"), r"\1[姓名]"),
    (re.compile(r"(?i)(my name is|i am called)\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"), r"\1 [name]"),
)


def redact(text: str) -> str:
    """``text`` with e-mail addresses, ID numbers, phone numbers and stated names replaced."""
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    return text


def pseudonym(salt: bytes, channel: str, user_id: str) -> str:
    """A stable, salted hash of a channel user id: exchanges can be grouped, not traced back."""
    digest = hmac.new(salt, f"{channel}:{user_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:32]
