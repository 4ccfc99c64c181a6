"""The HTTP senders: a JSON POST to a webhook, a message to the staff's Telegram group through
the Bot API.

They speak plain HTTP through httpx (the client python-telegram-bot itself uses), not the
channel frameworks, which belong to ``bot``: an alert is one request, and this way the staff chat
gets it from the bot's own token without a second PTB application.
"""

from __future__ import annotations

from typing import Any

import httpx

from services.alerts.message import Alert
from services.alerts.senders import DeliveryError, transport_error
from services.alerts.targets import TELEGRAM, WEBHOOK, AlertTargets


class WebhookSender:
    """POST the alert as JSON; any 2xx is delivery. ``Idempotency-Key`` lets a receiver drop the
    rare repeat (a worker that died after sending and before recording it)."""

    channel = WEBHOOK

    def __init__(self, url: str, timeout: float) -> None:
        self._url = url
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def send(self, alert: Alert) -> None:
        """POST the alert's JSON object."""
        headers = {"Idempotency-Key": f"wenjiao-crisis-{alert.exchange_id}"}
        try:
            response = await self._client.post(self._url, json=alert.payload(), headers=headers)
        except httpx.HTTPError as exc:
            raise transport_error(exc) from None
        if not response.is_success:
            raise DeliveryError(f"HTTP {response.status_code}",
                                _seconds(response.headers.get("Retry-After")))

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()


class TelegramSender:
    """``sendMessage`` to the staff chat as plain text (no parse mode: nothing in the text can
    become markup), through the Bot API server the bot itself uses."""

    channel = TELEGRAM

    def __init__(self, targets: AlertTargets, timeout: float) -> None:
        if not targets.telegram_chat:
            raise ValueError("no staff chat configured")
        self._chat = targets.telegram_chat
        self._url = targets.telegram_method_url("sendMessage")
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def send(self, alert: Alert) -> None:
        """Send the alert's text to the staff chat."""
        params = {"chat_id": self._chat, "text": alert.body(),
                  "link_preview_options": {"is_disabled": True}}
        try:
            response = await self._client.post(self._url, json=params)
            body: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise transport_error(exc) from None
        if not body.get("ok"):
            code = body.get("error_code", response.status_code)
            description = str(body.get("description", ""))[:120]
            retry_after = (body.get("parameters") or {}).get("retry_after")
            raise DeliveryError(f"Telegram {code} {description}".strip(),
                                float(retry_after) if retry_after else None)

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()


def _seconds(value: str | None) -> float | None:
    """A ``Retry-After`` header in seconds (the date form is ignored: the backoff applies)."""
    return float(value) if value and value.strip().isdigit() else None
