"""Everything the admin pages, the admin API and the ``wenjiao admin`` commands use, built once.

Also the small periodic job staff rely on without seeing it: scheduled publishes go out when due,
and the content is reloaded when the date changes, so an entry whose ``valid_from`` has come is
answered from that day on without anyone publishing again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date

from argon2 import PasswordHasher

from services.content.lifecycle import AdminService
from services.content.preview import Preview
from services.runtime import Services
from services.staff.auth import AuthService
from services.staff.inbox import InboxService
from services.staff.reports import ReportService

log = logging.getLogger(__name__)


@dataclass
class Staff:
    """The admin services of one process."""

    auth: AuthService
    content: AdminService
    inbox: InboxService
    reports: ReportService
    preview: Preview

    @classmethod
    def of(cls, services: Services, hasher: PasswordHasher | None = None) -> Staff:
        """Build the admin services over running ``services``."""
        content = AdminService(services.sessionmaker, services.catalog)
        return cls(AuthService(services.sessionmaker, hasher=hasher), content,
                   InboxService(services.sessionmaker, content),
                   ReportService(services.sessionmaker, services.catalog), Preview(content))

    async def tick(self, last_day: date | None = None) -> date:
        """Publish what is due; reload when the day changed. Returns today's date."""
        published = await self.content.publish_due()
        if published:
            log.info("scheduled entries published", extra={"entries": published})
        today = date.today()
        if last_day is not None and today != last_day and not published:
            await self.content.catalog.load()  # validity windows are per day
        return today

    async def run_scheduler(self, interval: float = 15.0) -> None:
        """Run :meth:`tick` forever (a background task of the server)."""
        day: date | None = date.today()
        while True:
            await asyncio.sleep(interval)
            try:
                day = await self.tick(day)
            except Exception:  # the store may be busy or briefly away: try again next tick
                log.exception("admin scheduler tick failed")
