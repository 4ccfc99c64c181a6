"""Live reload: a publish on one server is answered by another server on the same database within
two seconds, with no restart (each app runs its own start_services on one SQLite file)."""

from __future__ import annotations

import asyncio
import time

from bot.app import create_app
from bot.keys import ADMIN
from bot.settings import Settings
from services.platform.roles import CLI
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import NEW_PHRASING, PASSWORD, new_entry

API = "/admin/api"


async def test_a_publish_on_one_process_is_answered_by_another_within_two_seconds(
        aiohttp_client, tmp_path, small_faq_dir):
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'db'}",
                        faq_dir=small_faq_dir)
    one = await aiohttp_client(create_app(settings))
    two = await aiohttp_client(create_app(settings))
    await one.app[ADMIN].auth.create_user(CLI, "paul", PASSWORD, "publisher")
    login = await (await one.post(f"{API}/login",
                                  json={"username": "paul", "password": PASSWORD})).json()
    auth = {"Authorization": f"Bearer {login['token']}"}

    before = await (await two.post("/api/ask", json={"text": NEW_PHRASING})).json()
    assert before["kind"] == "fallback"
    created = await (await one.post(f"{API}/entries", json=new_entry(), headers=auth)).json()
    resp = await one.post(f"{API}/entries/{created['id']}/publish", json={}, headers=auth)
    assert resp.status == 200
    published_at = time.monotonic()

    answered = None
    while time.monotonic() - published_at < 2.0:
        reply = await (await two.post("/api/ask", json={"text": NEW_PHRASING})).json()
        if reply["intent"] == created["id"]:
            answered = time.monotonic() - published_at
            break
        await asyncio.sleep(0.05)
    assert answered is not None, "the second process did not answer the new entry within 2 s"
    print(f"answered by the second process after {answered:.2f} s")
    assert "七点二十" in reply["text"]
    # The process that published answers at once, and the other one keeps the admin's data too.
    reply = await (await one.post("/api/ask", json={"text": NEW_PHRASING})).json()
    assert reply["intent"] == created["id"]
    entry = await (await two.get(f"{API}/entries/{created['id']}", headers=auth)).json()
    assert entry["status"] == "published"
