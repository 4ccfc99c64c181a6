"""Content that stresses the channel, through the real dialogue and Application: an answer over
4,096 characters, HTML-like text in an answer and its citation, an entry id over 64 bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.channels.telegram_render import MAX_MESSAGE, units
from services import start_services
from tests.bot.telegram_harness import telegram_bot
from tests.bot.telegram_updates import button, message
from tests.conftest import FAQ_DIR, MEMORY_DB

LONG_ID = "overview.an_identifier_deliberately_longer_than_the_sixty_four_bytes_of_button_data"
PARAGRAPHS = ["<script>alert(1)</script> & AT&T：这一段检查转义。"] + [
    f"第{n}段。" + "温州市教育局推进教育优质均衡发展。" * 30 for n in range(1, 12)]


@pytest.fixture
async def stress_services(tmp_path: Path):
    for name in ("ui", "topics", "small_talk", "synonyms", "out_of_scope"):
        shutil.copy(FAQ_DIR / f"{name}.yaml", tmp_path / f"{name}.yaml")
    source = {"document": "测试<文件> & 附件", "number": "温教发〔2024〕1号", "section": "一、1"}
    entries = [
        {"id": "overview.long_answer", "topic": "overview", "title": "长篇回答 <测试> & 更多",
         "questions": ["长篇回答测试问题"], "answer": "\n\n".join(PARAGRAPHS),
         "source": source, "related": [LONG_ID]},
        {"id": LONG_ID, "topic": "overview", "title": "长编号条目",
         "questions": ["长编号条目的问题"], "answer": "长编号条目的回答。", "source": source},
    ]
    (tmp_path / "overview.yaml").write_text(
        yaml.safe_dump({"topic": "overview", "entries": entries}, allow_unicode=True),
        encoding="utf-8")
    running = await start_services(MEMORY_DB, tmp_path)
    yield running
    await running.close()


async def test_long_answer_is_split_escaped_and_buttoned_last(stress_services):
    async with telegram_bot(stress_services) as bot:
        await bot.feed(message("长篇回答测试问题"))
        chunks = bot.api.sent()
    assert len(chunks) >= 2
    assert all(units(c.params["text"]) <= MAX_MESSAGE for c in chunks)
    assert all("reply_markup" not in c.params for c in chunks[:-1])
    assert chunks[-1].buttons  # related question and votes under the last part
    shown = "\n\n".join(c.text for c in chunks)
    assert shown.startswith("<script>alert(1)</script> & AT&T")
    assert "&lt;script&gt;" in chunks[0].params["text"]
    assert "出处：《测试<文件> & 附件》" in shown
    paragraphs = [p for c in chunks for p in c.text.split("\n\n")]
    assert paragraphs[:len(PARAGRAPHS)] == PARAGRAPHS  # whole paragraphs, in order


async def test_a_long_entry_id_button_sends_its_number(stress_services):
    async with telegram_bot(stress_services) as bot:
        await bot.feed(message("长篇回答测试问题"))
        label, data = bot.api.sent()[-1].buttons[0]
        assert (label, data) == ("1. 长编号条目", "n:1")
        await bot.feed(button(data))
        assert bot.api.sent()[-1].text.startswith("长编号条目的回答。")
