"""What every alert sender is: a JSON POST to a webhook or a message to the staff's Telegram
group (``http_senders.py``), an e-mail (``mail.py``).

A sender either returns (the alert was accepted) or raises :class:`DeliveryError` with a short
reason for the follow-up list: a status line, never a response body, a URL or the message. The
senders themselves live apart, so that their clients (httpx, aiosmtplib) are imported only by a
process with a channel configured, not by every ``wenjiao ask``.
"""

from __future__ import annotations

from typing import Protocol

from services.alerts.message import Alert

MAX_REASON = 200


class DeliveryError(Exception):
    """An alert was not accepted; ``retry_after`` is the receiver's own wish, in seconds."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason[:MAX_REASON])
        self.reason = reason[:MAX_REASON]
        self.retry_after = retry_after


class Sender(Protocol):
    """Delivers alerts through one channel."""

    channel: str

    async def send(self, alert: Alert) -> None:
        """Deliver ``alert`` or raise :class:`DeliveryError`."""

    async def aclose(self) -> None:
        """Release the connections."""


def transport_error(exc: Exception) -> DeliveryError:
    """A network failure, named by its kind (the message may hold the URL and its token)."""
    return DeliveryError(type(exc).__name__)
