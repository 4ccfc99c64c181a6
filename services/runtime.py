"""Open and close everything the dialogue needs, in one place, for every entry point.

The server, the CLI and the tests all start the same way: connect the store, create its schema
(SQLite) or check it, seed it from the content files, load the catalog.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from intents import Content, DecisionConfig, FaqEntry, MatchConfig, load_content
from services.alerts import AlertDispatcher, AlertPolicy, AlertTargets
from services.content.catalog import Catalog, published_entries
from services.content.engines import EngineShelf
from services.content.seed import SeedReport, seed_entries
from services.db import create_engine_and_sessionmaker
from services.db import repositories as repo
from services.db.locks import hold_until_commit
from services.db.migrate import ensure_schema
from services.dialogue.conversation import ConversationStore
from services.dialogue.service import DialogService

READY_TIMEOUT = 2.0  # a readiness probe must answer before the load balancer gives up


@dataclass
class Services:
    """The running services of one process."""

    db: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    content: Content
    catalog: Catalog
    dialog: DialogService
    seed_report: SeedReport | None = None
    alerts: AlertDispatcher | None = None  # when any staff alert channel is configured

    async def database_ready(self) -> bool:
        """Whether the store answers ``SELECT 1`` within ``READY_TIMEOUT`` seconds (readiness)."""
        try:
            async with asyncio.timeout(READY_TIMEOUT), self.db.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (TimeoutError, OSError, SQLAlchemyError):
            return False
        return True

    async def close(self) -> None:
        """Stop the staff alerts, then release the database connections."""
        if self.alerts is not None:
            await self.alerts.close()
        await self.db.dispose()


async def start_services(
    database_url: str,
    faq_dir: str | Path,
    *,
    store: ConversationStore | None = None,
    config: MatchConfig | None = None,
    decision: DecisionConfig | None = None,
    shelf: EngineShelf | None = None,
    seed: bool = True,
    create: bool = True,
    migrate: bool = False,
    alerts: AlertTargets | None = None,
    alert_policy: AlertPolicy | None = None,
    **dialog_options: Any,
) -> Services:
    """Connect, prepare the schema if asked, seed from ``faq_dir`` and load the catalog.

    ``create`` applies the start-up rule of services/db/migrate.py (SQLite: create or upgrade;
    other databases: refuse an unmigrated schema unless ``migrate`` asks to upgrade it).
    With ``alerts`` naming any channel, staff are alerted of every crisis-flagged exchange (the
    server passes them; one-shot commands do not, the server's dispatcher catches up).
    """
    content = load_content(faq_dir)
    engine, sessionmaker = create_engine_and_sessionmaker(database_url)
    try:
        if create:
            await ensure_schema(engine, migrate=migrate)
        report = await seed_store(sessionmaker, content) if seed else None
        async with sessionmaker.begin() as session:
            # Created once here, so that the first messages of a new database, handled at the
            # same time, never race to create it.
            await hold_until_commit(session, "user_salt")
            await repo.user_salt(session)
        catalog = Catalog(content, sessionmaker, config, decision, shelf)
        await catalog.load()
    except BaseException:
        await engine.dispose()
        raise
    dialog = DialogService(catalog, sessionmaker, store, **dialog_options)
    dispatcher = None
    if alerts is not None and alerts.channels:
        dispatcher = AlertDispatcher(sessionmaker, alerts, policy=alert_policy)
        dialog.on_flagged(dispatcher.notify)
        dispatcher.start()
    return Services(engine, sessionmaker, content, catalog, dialog, report, dispatcher)


async def seed_store(sessionmaker: async_sessionmaker[AsyncSession],
                     content: Content | str | Path) -> SeedReport:
    """Seed the store from the content files as start-up does (an admin's edit is kept): what a
    one-shot command runs before it reads or writes entries without the whole dialogue."""
    if not isinstance(content, Content):
        content = load_content(content)
    async with sessionmaker.begin() as session:
        await hold_until_commit(session, "seed")
        return await seed_entries(session, list(content.entries))


async def current_entries(sessionmaker: async_sessionmaker[AsyncSession],
                          content: Content | str | Path) -> list[FaqEntry]:
    """The entries the bot answers from today, after seeding from ``content`` as start-up does,
    without building the intent engine or loading the detectors: what ``faq list`` and
    ``faq show`` need, in a fraction of the time on a large store."""
    await seed_store(sessionmaker, content)
    return await published_entries(sessionmaker)
