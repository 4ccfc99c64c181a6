"""Telegram throughput: updates answered per second through the real PTB Application.

The Bot API is faked by an ``httpx.MockTransport`` that answers after a delay like a real round
trip (default 50 ms); the dialogue and store are the real ones, on a SQLite file (the
default). Updates from many chats are queued the way polling or the webhook queues them, and
the bot is timed until every one is answered: once with chats processed concurrently
(ChatOrderedProcessor, what the server runs) and once one at a time (PTB's default), to show
what the processor buys.

    .venv/bin/python benchmarks/telegram_throughput.py [--updates 300] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import httpx
from telegram import Update
from telegram.ext import BaseUpdateProcessor, SimpleUpdateProcessor
from telegram.request import HTTPXRequest

from bot.channels.telegram import build_telegram_app
from bot.channels.telegram_plumbing import ChatOrderedProcessor
from services import start_services
from services.platform import MemoryRateLimiter

FAQ_DIR = Path(__file__).resolve().parent.parent / "faq_data"
QUESTIONS = ["三坛教师评了多少名", "温心有约怎么联系", "随迁子女入学政策", "教师", "你好"]


async def run(count: int, latency: float, processor: BaseUpdateProcessor) -> float:
    """Seconds to answer ``count`` updates from ``count`` chats."""
    folder = tempfile.mkdtemp(prefix="wenjiao-bench-")
    services = await start_services(f"sqlite+aiosqlite:///{folder}/bench.db", FAQ_DIR)
    answered = asyncio.Event()
    sent = 0

    async def api(request: httpx.Request) -> httpx.Response:
        nonlocal sent
        method = request.url.path.rsplit("/", 1)[-1]
        if method == "getMe":
            return httpx.Response(200, json={"ok": True, "result": {
                "id": 1, "is_bot": True, "first_name": "b", "username": "bench_bot"}})
        await asyncio.sleep(latency)
        sent += 1
        if sent == count:
            answered.set()
        return httpx.Response(200, json={"ok": True, "result": {
            "message_id": sent, "date": 0, "chat": {"id": 1, "type": "private"}, "text": "x"}})

    request = HTTPXRequest(connection_pool_size=128,
                           httpx_kwargs={"transport": httpx.MockTransport(api)})
    services.dialog.use_limiter(MemoryRateLimiter(10_000))
    app = build_telegram_app("1:bench", services.dialog, request=request, polling=False)
    app._update_processor = processor  # the measured variable
    def update(n: int) -> Update:
        uid = 10_000 + n
        return Update.de_json({"update_id": n + 1, "message": {
            "message_id": 1, "date": 0, "chat": {"id": uid, "type": "private"},
            "from": {"id": uid, "is_bot": False, "first_name": "p"},
            "text": QUESTIONS[n % len(QUESTIONS)]}}, app.bot)

    async with app:
        await app.process_update(update(count))  # warm up: the first message creates the salt
        sent = 0
        await app.start()
        started = time.perf_counter()
        for n in range(count):
            await app.update_queue.put(update(n))
        await asyncio.wait_for(answered.wait(), 600)
        elapsed = time.perf_counter() - started
        await app.stop()
    await services.close()
    shutil.rmtree(folder, ignore_errors=True)
    return elapsed


def main() -> None:
    """Print updates per second, concurrent by chat and one at a time."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    for name, processor in (("concurrent by chat", ChatOrderedProcessor()),
                            ("one at a time", SimpleUpdateProcessor(1))):
        seconds = asyncio.run(run(args.updates, latency, processor))
        print(f"{name:>20}: {args.updates} updates in {seconds:.2f} s = "
              f"{args.updates / seconds:.0f} updates/s (API latency {args.latency_ms:.0f} ms)")


if __name__ == "__main__":
    main()
