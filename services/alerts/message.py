"""What an alert says: the same few facts in every channel, and nothing that identifies anyone.

The exchange's text was redacted before it was stored; it is redacted again here because an alert
leaves the bureau's systems (a chat group, a mailbox, someone else's webhook), and a rule added to
``redact`` since the exchange was stored should apply to it too. No user id or pseudonym is sent:
staff who need the history open the follow-up list through the link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.dialogue import redact
from services.platform.timeutil import BEIJING, as_utc

MAX_TEXT = 1000  # a Telegram message holds 4,096 characters; an alert is read at a glance
TITLE = "【温教问答】危机对话提醒"
CHANNEL_LABELS = {"web": "网页", "telegram": "Telegram", "wechat": "微信"}


@dataclass(frozen=True, slots=True)
class Alert:
    """One crisis-flagged exchange as staff are told about it."""

    exchange_id: int
    channel: str  # where the user wrote: web, telegram, wechat…
    at: datetime  # aware, Beijing time
    text: str  # redacted, at most MAX_TEXT characters
    link: str

    @classmethod
    def of(cls, exchange_id: int, channel: str, created_at: datetime, text: str,
           link: str) -> Alert:
        """The alert of a stored exchange (its text redacted once more, and shortened)."""
        safe = redact(text)
        if len(safe) > MAX_TEXT:
            safe = safe[:MAX_TEXT - 1] + "…"
        return cls(exchange_id, channel, as_utc(created_at).astimezone(BEIJING), safe, link)

    @property
    def subject(self) -> str:
        """A one-line title (the e-mail subject)."""
        return f"{TITLE} #{self.exchange_id}"

    def body(self) -> str:
        """The alert as plain text (Telegram message, e-mail body)."""
        channel = CHANNEL_LABELS.get(self.channel, self.channel)
        return "\n".join([
            TITLE,
            f"渠道：{channel}",
            f"时间：{self.at:%Y-%m-%d %H:%M:%S}（北京时间）",
            f"对话编号：{self.exchange_id}",
            f"内容（已去除个人信息）：{self.text}",
            f"请尽快跟进并在后台标记处理：{self.link}",
        ])

    def payload(self) -> dict[str, Any]:
        """The alert as the webhook's JSON object."""
        return {"event": "crisis_flagged", "exchange_id": self.exchange_id,
                "channel": self.channel, "time": self.at.isoformat(timespec="seconds"),
                "link": self.link, "text": self.text}
