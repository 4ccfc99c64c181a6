"""The per-user rate limit is a dialogue step, so web chat and WeChat have it as Telegram does."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.app import create_app
from bot.settings import Settings
from services import Services
from tests.bot.wechat_platform import OPENID, open_platform, text_xml
from tests.conftest import FAQ_DIR

QUESTION = "终身班主任奖励办法是什么"


async def inside_one_window() -> None:
    """The limit counts per minute of the process clock: start well inside one minute."""
    if time.monotonic() % 60 > 45:
        await asyncio.sleep(61 - time.monotonic() % 60)


async def test_web_session_past_the_limit_gets_429_and_others_are_still_answered(
        aiohttp_client, services: Services, tmp_path: Path):
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 't.db'}",
                        faq_dir=FAQ_DIR, rate_limit_per_minute=2)
    client = await aiohttp_client(create_app(settings, services))
    await inside_one_window()
    statuses = []
    for _ in range(4):
        resp = await client.post("/api/ask", json={"text": QUESTION, "session": "busy"})
        statuses.append((resp.status, (await resp.json()).get("error", {}).get("code")))
    assert statuses == [(200, None), (200, None), (429, "rate_limited"), (429, "rate_limited")]
    other = await client.post("/api/ask", json={"text": QUESTION, "session": "calm"})
    assert other.status == 200 and (await other.json())["kind"] == "answer"


async def test_wechat_user_past_the_limit_is_told_once_then_acknowledged(
        services: Services, tmp_path: Path):
    async with open_platform(services, tmp_path, rate_limit_per_minute=2) as platform:
        await inside_one_window()
        answers = [await platform.post(text_xml(QUESTION)) for _ in range(4)]
        assert all(a.status == 200 for a in answers)
        texts = [a.content for a in answers]
        assert "终身班主任" in (texts[0] or "") and "终身班主任" in (texts[1] or "")
        assert texts[2] == services.dialog.text("rate_limited", "zh")
        assert texts[3] is None  # acknowledged ("success"), nothing more to say
        assert await platform.exchanges() == 2  # refused messages are not dialogue turns
        other = await platform.post(text_xml(QUESTION, openid=OPENID[:-1] + "x"))
        assert "终身班主任" in (other.content or "")
