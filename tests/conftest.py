"""Shared fixtures: the real content, an engine over it, services on in-memory SQLite, the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.app import create_app
from bot.settings import Settings
from intents import Content, IntentEngine, Normalizer, load_content
from services import IncomingMessage, Reply, Services, start_services

ROOT = Path(__file__).resolve().parent.parent
FAQ_DIR = ROOT / "faq_data"
MEMORY_DB = "sqlite+aiosqlite://"
# A fixed "today" inside the 2024 plan's year, so expiry notes do not depend on the clock.
PLAN_YEAR_DAY = date(2024, 6, 1)


@pytest.fixture(scope="session")
def content() -> Content:
    """The shipped content, loaded once."""
    return load_content(FAQ_DIR)


@pytest.fixture(scope="session")
def engine(content: Content) -> IntentEngine:
    """An engine over the shipped content."""
    return IntentEngine(content.entries, Normalizer(content.synonyms))


@pytest.fixture
async def services() -> AsyncIterator[Services]:
    """Services on a fresh in-memory database, seeded from the shipped content."""
    running = await start_services(MEMORY_DB, FAQ_DIR, today=PLAN_YEAR_DAY)
    yield running
    await running.close()


@pytest.fixture
def ask(services: Services):
    """``await ask(text, user="u1")`` -> Reply, through the real dialogue."""

    async def _ask(text: str, user: str = "u1", channel: str = "test") -> Reply:
        return await services.dialog.handle(IncomingMessage(channel=channel, user_id=user,
                                                            text=text))

    return _ask


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for tests: explicit values, no .env file, a temporary SQLite file."""
    return Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 't.db'}",
                    faq_dir=FAQ_DIR)


@pytest.fixture
async def client(aiohttp_client, settings: Settings, services: Services):
    """A test client of the real app, sharing the fixture's services."""
    return await aiohttp_client(create_app(settings, services))
