"""Fixtures and helpers for the admin tests (imported by the test modules that use them)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from intents.loader import SPECIAL_FILES
from services import IncomingMessage, Reply, Services, start_services
from services.platform.roles import CLI, Principal
from services.staff.desk import Staff

__all__ = ["ADMIN_USER", "EDITOR", "FAST_HASHER", "NEW_PHRASING", "PASSWORD", "PUBLISHER",
           "admin_client", "ask", "copy_content", "new_entry", "services", "small_faq_dir",
           "sqlite_only", "staff", "users"]

PASSWORD = "correct horse 42"
EDITOR = Principal("erin", "editor")
PUBLISHER = Principal("paul", "publisher")
ADMIN_USER = Principal("ada", "admin")
# A phrasing no shipped entry uses, so that it answers only after a test adds it.
NEW_PHRASING = "紫藤小学的校车几点到站"


ROOT = Path(__file__).resolve().parent.parent
# The admin tests need real content, not all of it: one topic keeps each engine build short.
TOPICS = ("hotline",)
PLAN_YEAR_DAY_ISO = "2024-06-01"


def copy_content(target: Path, topics: tuple[str, ...] = TOPICS) -> Path:
    """A content folder with the shipped special files and the given topics' entries."""
    target.mkdir(parents=True, exist_ok=True)
    for path in (ROOT / "faq_data").glob("*.yaml"):
        if path.stem in SPECIAL_FILES or path.stem in topics:
            shutil.copy(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def small_faq_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped content of :data:`TOPICS` only."""
    return copy_content(tmp_path_factory.mktemp("faq"))


@pytest.fixture
async def services(small_faq_dir: Path, database_url: str) -> AsyncIterator[Services]:
    """Services on a fresh store seeded with the small content: in-memory SQLite, and PostgreSQL
    too when ``WENJIAO_TEST_DATABASE_URL`` is set (conftest's ``database_url``)."""
    from datetime import date

    running = await start_services(database_url, small_faq_dir,
                                   today=date.fromisoformat(PLAN_YEAR_DAY_ISO))
    yield running
    await running.close()


# Still argon2id, at a cost that keeps the suite quick (production uses the library's default).
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def staff(services: Services) -> Staff:
    """The admin services over the seeded in-memory store."""
    return Staff.of(services, hasher=FAST_HASHER)


@pytest.fixture
async def users(staff: Staff) -> dict[str, Principal]:
    """One account per role (password :data:`PASSWORD`)."""
    for who in (EDITOR, PUBLISHER, ADMIN_USER):
        await staff.auth.create_user(CLI, who.username, PASSWORD, who.role)
    return {p.role: p for p in (EDITOR, PUBLISHER, ADMIN_USER)}


def new_entry(entry_id: str = "enrollment.school_bus", **overrides: Any) -> dict[str, Any]:
    """A complete entry document for tests."""
    doc: dict[str, Any] = {
        "id": entry_id, "topic": "enrollment", "title": "紫藤小学校车",
        "questions": [NEW_PHRASING, "紫藤小学校车时间"], "keywords": ["紫藤小学校车"],
        "answer": "紫藤小学校车每天七点二十到站（测试内容）。",
        "source": {"document": "测试文件", "number": "测试〔2024〕1号", "section": "一"},
    }
    doc.update(overrides)
    return doc


async def ask(services: Services, text: str, user: str = "asker") -> Reply:
    """One message through the real dialogue."""
    return await services.dialog.handle(IncomingMessage(channel="test", user_id=user, text=text))


async def admin_client(aiohttp_client: Any, settings: Any, services: Services,
                       staff: Staff) -> Any:
    """A test client of the real app over ``services``, with the fast-hash admin services."""
    from bot.app import create_app
    from bot.keys import ADMIN

    app = create_app(settings, services)
    app[ADMIN] = staff
    return await aiohttp_client(app)


@pytest.fixture
def sqlite_only() -> str:
    """For HTTP-level tests: the web layer is the same on any store (the service tests run on
    PostgreSQL too), so these use in-memory SQLite only."""
    return "sqlite+aiosqlite://"
