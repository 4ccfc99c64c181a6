"""Custom menu: built from the topics within WeChat's limits, printed and applied by the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from bot.channels.wechat_menu import KEY_BYTES, build_menu, fit, short_name
from intents.models import Topic
from tests.bot.wechat_platform import APPID, SECRET, fake_api
from tests.conftest import FAQ_DIR

__all__ = ["fake_api"]  # the fixture, imported for pytest

ROOT = Path(__file__).resolve().parents[2]


def _b(text: str) -> int:
    return len(text.encode("utf-8"))


def test_menu_has_the_core_topics_first_within_wechat_limits(content, engine):
    menu = build_menu(content.topics, lambda t: [e for e in engine.entries if e.topic == t])
    core = [t for t in content.topics if t.core]
    assert len(menu["button"]) == 3
    for button, topic in zip(menu["button"], core, strict=False):
        assert _b(button["name"]) <= 16 and topic.title.startswith(button["name"])
        assert 1 <= len(button["sub_button"]) <= 5
        for sub in button["sub_button"]:
            assert sub["type"] == "click" and _b(sub["name"]) <= 60 and _b(sub["key"]) <= KEY_BYTES
        assert button["sub_button"][-1]["key"] == f"topic:{topic.id}"
        for sub in button["sub_button"][:-1]:
            assert engine.entry(sub["key"]).topic == topic.id


def test_a_small_topic_lists_all_its_entries_without_more(content, engine):
    topics = (Topic(id="private_ed", title="民办教育", title_en="Private"),)
    entries = [e for e in engine.entries if e.topic == "private_ed"]
    menu = build_menu(topics, lambda t: entries)
    assert [s["key"] for s in menu["button"][0]["sub_button"]] == [e.id for e in entries]


def test_names_are_shortened_between_characters():
    assert short_name("温心有约与心理健康") == "温心有约"
    assert short_name("随迁子女入学") == "随迁子女"
    assert fit("一二三四五六七八九十" * 3, 60) == "一二三四五六七八九十一二三四五六七八九…"
    assert all(_b(fit("字" * n, 16, "")) <= 16 for n in range(30))


def test_labels_override_top_level_names(content, engine):
    menu = build_menu(content.topics, lambda t: [e for e in engine.entries if e.topic == t],
                      labels={"enrollment": "入学政策"})
    assert menu["button"][0]["name"] == "入学政策"


async def _wenjiao(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    environ = {**os.environ, "WENJIAO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'm.db'}",
               "WENJIAO_FAQ_DIR": str(FAQ_DIR), **env}
    environ.pop("WENJIAO_REDIS_URL", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "wechat", "menu", *args, cwd=tmp_path, env=environ,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, out.decode(), err.decode()


@pytest.mark.asyncio(loop_scope="module")
async def test_cli_prints_the_menu_json(tmp_path):
    code, out, err = await _wenjiao(tmp_path)
    assert code == 0, err
    menu = json.loads(out)
    assert [b["name"] for b in menu["button"]] == ["随迁子女", "温心有约", "教师荣誉"]


@pytest.mark.asyncio(loop_scope="module")
async def test_cli_apply_sends_the_menu_with_the_app_credentials(tmp_path, fake_api):
    api, base_url = fake_api
    code, out, err = await _wenjiao(tmp_path, "--apply", WENJIAO_WECHAT_APPID=APPID,
                                    WENJIAO_WECHAT_SECRET=SECRET,
                                    WENJIAO_WECHAT_API_BASE_URL=base_url)
    assert code == 0, err
    printed = json.loads(out[:out.index("Menu applied")])
    assert api.menus == [printed]  # what was printed is what was sent
    assert printed["button"][0]["name"] == "随迁子女"


@pytest.mark.asyncio(loop_scope="module")
async def test_cli_apply_without_credentials_explains_what_is_missing(tmp_path):
    code, out, err = await _wenjiao(tmp_path, "--apply", WENJIAO_WECHAT_APPID="",
                                    WENJIAO_WECHAT_SECRET="")
    assert code == 1 and "WENJIAO_WECHAT_SECRET" in err and not out
