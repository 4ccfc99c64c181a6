"""The Telegram bot under test: the real PTB Application on a fake Bot API (no network)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from telegram import Update
from telegram.request import HTTPXRequest

from bot.channels.telegram import TelegramApp, build_telegram_app
from services import Services
from services.platform.ratelimit import MemoryRateLimiter
from tests.bot.telegram_fakes import TOKEN, FakeBotApi
from tests.conftest import MEMORY_DB


@dataclass
class TelegramHarness:
    """An initialised bot, its fake API and the services behind it."""

    app: TelegramApp
    api: FakeBotApi
    services: Services

    async def feed(self, data: dict[str, Any]) -> None:
        """Process one update (Telegram JSON) as the bot would receive it."""
        await self.app.process_update(Update.de_json(data, self.app.bot))


@asynccontextmanager
async def telegram_bot(services: Services, limit: int = 20) -> AsyncIterator[TelegramHarness]:
    """The bot on a MockTransport fake API, initialised (getMe answered) and shut down after."""
    api = FakeBotApi()
    request = HTTPXRequest(httpx_kwargs={"transport": api.transport()})
    services.dialog.use_limiter(MemoryRateLimiter(limit))
    app = build_telegram_app(TOKEN, services.dialog, request=request,
                             polling=False)
    async with app:
        yield TelegramHarness(app, api, services)


@pytest.fixture(name="database_url")
def sqlite_only() -> str:
    """Channel behaviour does not depend on the database: these tests run on SQLite only (the
    store itself runs on both databases in tests/services and tests/bot/test_telegram_storage)."""
    return MEMORY_DB


@pytest.fixture(name="tg")
async def tg_fixture(services: Services) -> AsyncIterator[TelegramHarness]:
    """The bot with the default rate limit, over the shipped content."""
    async with telegram_bot(services) as harness:
        yield harness
