"""``wenjiao report``: report.md with the figures, the top unanswered, the worst entries and the
crisis count only, the charts as SVG files beside it, the path printed; the database alone."""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from services import start_services
from services.db.models import Exchange, Feedback
from tests.admin_support import *  # noqa: F403  (fixtures and helpers)
from tests.admin_support import ask
from tests.analytics_support import BUS, CRISIS_TEXT, GOOD, WORSE

CHARTS = {"questions-by-channel.svg", "questions-by-topic.svg", "outcomes.svg",
          "unanswered-trend.svg", "worst-entries.svg"}


async def _seed(url: str, faq_dir: Path) -> None:
    """Recent exchanges: the bus question three times (now), two answers, a 👎, a crisis
    yesterday, and an answer 30 days ago that a week's report leaves out."""
    services = await start_services(url, faq_dir)
    try:
        for i, text in enumerate(BUS):
            assert (await ask(services, text, user=f"p{i}")).kind == "fallback"
        now = datetime.now(UTC)
        async with services.sessionmaker.begin() as session:
            rows = [Exchange(channel="web", user_hash="h", text="问", kind="answer", intent=intent,
                             confidence=0.9, latency_ms=12.0, created_at=now)
                    for intent in (GOOD, WORSE)]
            rows.append(Exchange(channel="telegram", user_hash="h", text=CRISIS_TEXT,
                                 kind="crisis", confidence=1.0, flagged=True,
                                 created_at=now - timedelta(days=1)))
            rows.append(Exchange(channel="web", user_hash="h", text="旧", kind="answer",
                                 intent=GOOD, confidence=0.9, created_at=now - timedelta(days=30)))
            session.add_all(rows)
            await session.flush()
            session.add(Feedback(exchange_id=rows[1].id, user_hash="v", value=-1))
    finally:
        await services.close()


@pytest.fixture
def store(tmp_path: Path, small_faq_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = f"sqlite+aiosqlite:///{tmp_path / 'report.db'}"
    asyncio.run(_seed(url, small_faq_dir))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WENJIAO_DATABASE_URL", url)
    monkeypatch.setenv("WENJIAO_FAQ_DIR", str(small_faq_dir))

    async def no_dialogue(*_args, **_kwargs):
        raise AssertionError("the report must not start the dialogue")

    monkeypatch.setattr("services.start_services", no_dialogue)
    return tmp_path


def test_the_report_has_the_figures_and_charts_but_no_crisis_text(store: Path):
    result = CliRunner().invoke(app, ["report", "--since", "7d", "--out", "weekly"])
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    assert path == Path("weekly") / "report.md" and (store / path).is_file()
    text = (store / path).read_text(encoding="utf-8")
    assert "| 消息 | 6 |" in text  # 3 bus questions, 2 answers, 1 crisis; not the old one
    assert "| 危机 | 1（17%） |" in text and "危机对话 1 条" in text
    assert CRISIS_TEXT not in text
    assert re.search(r"1\. 紫藤小学.*：此期间 3 次（累计 3 次）", text)
    assert "怎么联系“温心有约”，有电话吗（hotline.how\\_to\\_contact） | 0 | 1 | 0% |" in text
    assert {p.name for p in (store / "weekly").glob("*.svg")} == CHARTS
    for name in CHARTS:
        assert f"]({name})" in text
        svg = (store / "weekly" / name).read_text(encoding="utf-8")
        assert CRISIS_TEXT not in svg
        root = ET.fromstring(svg)
        assert root.find("{http://www.w3.org/2000/svg}title").text


def test_a_shorter_window_leaves_older_days_out(store: Path):
    result = CliRunner().invoke(app, ["report", "--since", "12h"])
    assert result.exit_code == 0, result.output
    path = store / result.output.strip()
    assert path.parent.name.startswith("wenjiao-report-")
    text = path.read_text(encoding="utf-8")
    assert "| 消息 | 5 |" in text  # yesterday's crisis is outside one day
    assert "| 危机 | 0（0%） |" in text


@pytest.mark.parametrize(("since", "says"), [("soon", "not an age"), ("400d", "366")])
def test_a_bad_window_is_one_clear_line(store: Path, since: str, says: str):
    result = CliRunner().invoke(app, ["report", "--since", since])
    assert result.exit_code == 2 and says in result.output
