"""Shared fixtures: the real content, an engine over it, services on in-memory SQLite, the app.

The ``services`` fixture (and everything built on it) runs twice: on in-memory SQLite and on a real
PostgreSQL when ``WENJIAO_TEST_DATABASE_URL`` is set (skipped with the reason otherwise).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.app import create_app
from bot.settings import Settings
from intents import Content, IntentEngine, Normalizer, load_content
from services import IncomingMessage, Reply, Services, start_services
from services.content import EngineShelf
from tests import databases

ROOT = Path(__file__).resolve().parent.parent
FAQ_DIR = ROOT / "faq_data"
MEMORY_DB = "sqlite+aiosqlite://"
# A fixed "today" inside the 2024 plan's year, so expiry notes do not depend on the clock.
PLAN_YEAR_DAY = date(2024, 6, 1)
# One engine holder for the whole suite, as one process has: services over the same content share
# an engine instead of each building it again.
SHELF = EngineShelf()


@pytest.fixture(scope="session")
def content() -> Content:
    """The shipped content, loaded once."""
    return load_content(FAQ_DIR)


@pytest.fixture(scope="session")
def engine(content: Content) -> IntentEngine:
    """An engine over the shipped content."""
    return IntentEngine(content.entries, Normalizer(content.synonyms))


def pytest_configure(config: pytest.Config) -> None:
    """Markers of the tests that need a real server."""
    config.addinivalue_line("markers",
                            "postgres: runs on the PostgreSQL of WENJIAO_TEST_DATABASE_URL")
    config.addinivalue_line("markers", "redis: runs on the Redis of WENJIAO_TEST_REDIS_URL")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """This session's own migrated PostgreSQL database (skips when no server is configured)."""
    base = databases.postgres_base_url()
    if base is None:
        pytest.skip(databases.NO_POSTGRES)
    url = databases.run_sync(databases.create_database(base))
    yield url
    databases.run_sync(databases.drop_database(base, url))


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis server's URL (skips when none is configured)."""
    url = databases.redis_url()
    if url is None:
        pytest.skip(databases.NO_REDIS)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """An empty database: in-memory SQLite, then (when configured) PostgreSQL, truncated."""
    if request.param == "sqlite":
        return MEMORY_DB
    url: str = request.getfixturevalue("postgres_url")
    databases.run_sync(databases.truncate_all(url))
    return url


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    """Services on a fresh database, seeded from the shipped content."""
    running = await start_services(database_url, FAQ_DIR, today=PLAN_YEAR_DAY, shelf=SHELF)
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
