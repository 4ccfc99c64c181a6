"""A one-shot command on a ready database loads only what answering needs.

``wenjiao ask`` and every worker start pay for each import; the channel frameworks, Alembic, Redis,
the alert clients and pypinyin's phrase dictionary cost about a second and 100 MiB together, and a
message answered from the CLI needs none of them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import FAQ_DIR

ROOT = Path(__file__).resolve().parent.parent
NOT_NEEDED = ("alembic", "redis", "httpx", "aiosmtplib", "rich", "telegram", "wechatpy",
              "jinja2", "aiohttp", "pypinyin", "sklearn", "numpy")

SCRIPT = """
import asyncio, json, sys
import services

async def main(url, faq):
    running = await services.start_services(url, faq)
    reply = await running.dialog.handle(services.IncomingMessage(
        channel="cli", user_id="u", text="随迁子女怎么入学"))
    await running.close()
    return reply.kind

kind = asyncio.run(main(sys.argv[1], sys.argv[2]))
print(json.dumps({"kind": kind, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def _answer(url: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", SCRIPT, url, str(FAQ_DIR)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_answering_on_a_migrated_database_imports_no_channel_migration_or_redis_code(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'ready.db'}"
    first = _answer(url)  # creates, migrates and seeds the file
    again = _answer(url)
    assert first["kind"] == again["kind"] == "answer"
    assert "alembic" in first["modules"]  # the first start did migrate
    loaded = set(again["modules"])  # type: ignore[arg-type]
    assert loaded.isdisjoint(NOT_NEEDED), sorted(loaded & set(NOT_NEEDED))
