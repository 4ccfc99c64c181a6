"""Local fakes that receive staff alerts for real: an HTTP webhook receiver (an aiohttp server on
127.0.0.1), an SMTP server (aiosmtpd's controller) and helpers shared by the alert tests. The
Telegram side is the fake Bot API of tests/bot/telegram_fakes.py.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from services import IncomingMessage, Services
from services.alerts import AlertPolicy

# A crisis message carrying a name, a mobile number and an ID number; none may reach staff.
CRISIS = "我叫王小明，电话13912345678，身份证330302200801011234，我不想活了"
PERSONAL = ("王小明", "13912345678", "330302200801011234")
QUESTION = "温心有约是什么"
PUBLIC_URL = "https://wenjiao.example.org"
# Quick retries and polls, so a test sees a whole retry sequence in well under a second.
FAST = AlertPolicy(max_attempts=4, base_delay=0.05, max_delay=0.2, send_timeout=2.0, lease=5.0,
                   poll_seconds=0.1)


@dataclass
class WebhookReceiver:
    """Records each POSTed JSON body; answers 500 to the first ``fail`` calls (-1: all)."""

    fail: int = 0
    delay: float = 0.0
    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    calls: int = 0

    def app(self) -> web.Application:
        """The receiver as an aiohttp application."""

        async def receive(request: web.Request) -> web.Response:
            self.calls += 1
            if self.delay:
                await asyncio.sleep(self.delay)
            if self.fail < 0 or self.calls <= self.fail:
                return web.Response(status=500, text="receiver down: secret-detail")
            self.bodies.append(json.loads(await request.read()))
            self.headers.append(dict(request.headers))
            return web.json_response({"ok": True})

        app = web.Application()
        app.router.add_post("/hook", receive)
        return app

    def ids(self) -> list[int]:
        """The exchange ids of the delivered alerts, in order."""
        return [b["exchange_id"] for b in self.bodies]


@pytest.fixture
async def webhook(aiohttp_server) -> tuple[WebhookReceiver, str]:
    """A webhook receiver on 127.0.0.1 and its URL."""
    receiver = WebhookReceiver()
    server = await aiohttp_server(receiver.app())
    return receiver, f"http://127.0.0.1:{server.port}/hook"


class Mailbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Accept and keep one message."""
        raw = envelope.original_content or b""
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, str]]:
    """An SMTP server on 127.0.0.1 (aiosmtpd, in its own thread) and its ``smtp://`` URL."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


async def say(services: Services, text: str, user: str = "kid", channel: str = "web") -> int:
    """One message through the real dialogue; returns its exchange id."""
    reply = await services.dialog.handle(IncomingMessage(channel=channel, user_id=user,
                                                         text=text))
    assert reply.exchange_id is not None
    return reply.exchange_id


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Wait (bounded) for ``condition()`` to hold."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True
