"""A fake Telegram Bot API for tests, reachable two ways: an ``httpx.MockTransport`` handler (no
socket at all) and an aiohttp app (a real server on 127.0.0.1 for the end-to-end tests).

It answers ``getMe``, ``sendMessage``, ``answerCallbackQuery``, ``setWebhook``,
``deleteWebhook`` and ``getUpdates`` (from a queue) and records every call with its parameters,
decoded the way python-telegram-bot sends them. ``fail_next`` makes the next call of a method
fail with a given error (a 429 with ``retry_after``, a 400).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl

import httpx
from aiohttp import web

TOKEN = "123456:TEST-token_for-wenjiao"
BOT_ID = 123456
BOT_USERNAME = "wenjiao_test_bot"
ALLOWED_TAGS = {"i", "b"}


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]

    @property
    def text(self) -> str:
        """The visible text of a sent message (the HTML as Telegram would show it)."""
        return visible_text(self.params.get("text", ""))

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) of every inline button, row by row."""
        markup = self.params.get("reply_markup") or {}
        return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", [])
                for b in row]


@dataclass
class FakeBotApi:
    """The recorded state of one fake Bot API server."""

    calls: list[Call] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def sent(self) -> list[Call]:
        """Every sendMessage call, in order."""
        return [c for c in self.calls if c.method == "sendMessage"]

    def of(self, method: str) -> list[Call]:
        """Every call of ``method``."""
        return [c for c in self.calls if c.method == method]

    def fail_next(self, method: str, status: int, description: str, **parameters: Any) -> None:
        """Make the next call of ``method`` fail like Telegram does."""
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        self.failures.setdefault(method, []).append((status, body))

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The status and JSON body Telegram would send for one call."""
        self.calls.append(Call(method, params))
        if self.failures.get(method):
            return self.failures[method].pop(0)
        if method == "getMe":
            result: Any = {"id": BOT_ID, "is_bot": True, "first_name": "温教问答",
                           "username": BOT_USERNAME, "can_join_groups": True,
                           "can_read_all_group_messages": False,
                           "supports_inline_queries": False}
        elif method == "sendMessage":
            chat_id = int(params["chat_id"])
            result = {"message_id": next(self._ids), "date": int(time.time()),
                      "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
                      "from": {"id": BOT_ID, "is_bot": True, "first_name": "温教问答",
                               "username": BOT_USERNAME},
                      "text": visible_text(params.get("text", ""))}
        elif method == "getUpdates":
            offset = int(params.get("offset") or 0)
            result = [u for u in self.updates if u["update_id"] >= offset]
        else:  # answerCallbackQuery, setWebhook, deleteWebhook, ...
            result = True
        return 200, {"ok": True, "result": result}

    # -- transports -----------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """An httpx transport that answers from this fake (for ``HTTPXRequest``)."""

        def handle(request: httpx.Request) -> httpx.Response:
            status, body = self.answer(request.url.path.rsplit("/", 1)[-1],
                                       decode(request.content.decode()))
            return httpx.Response(status, json=body)

        return httpx.MockTransport(handle)

    def web_app(self) -> web.Application:
        """An aiohttp app serving ``/bot<token>/<method>`` from this fake."""

        async def handle(request: web.Request) -> web.Response:
            method = request.match_info["method"]
            params = decode((await request.read()).decode())
            if method == "getUpdates" and not any(
                    u["update_id"] >= int(params.get("offset") or 0) for u in self.updates):
                await asyncio.sleep(min(float(params.get("timeout") or 0), 0.2))  # a short poll
            status, body = self.answer(method, params)
            return web.json_response(body, status=status)

        app = web.Application()
        app.router.add_post("/bot{token}/{method}", handle)
        return app


def decode(body: str) -> dict[str, Any]:
    """PTB posts form fields whose values are JSON (objects, numbers) or plain strings."""
    if body.startswith("{"):
        return json.loads(body)
    params: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise AssertionError(f"unexpected HTML tag <{tag}> in a sent message")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(markup: str) -> str:
    """What Telegram shows for HTML ``markup``; fails on any tag the bot should not send."""
    parser = _Visible()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)
