"""Start-up time to the first answer, and peak memory (RSS) of one worker with the shipped content.

Start-up is measured from spawning ``wenjiao serve`` to the first ``POST /api/ask`` that answers:
on a fresh SQLite file (migrations and seeding included), on the same file again (the usual
restart), and on PostgreSQL when configured. Memory is the worker's peak resident set (VmHWM)
after it has answered ``--requests`` questions: content, index, connections and all.

Usage: python benchmarks/startup_memory.py [--requests 500]
           [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import servers  # noqa: E402

from intents import load_content  # noqa: E402

QUESTION = "三坛教师评了多少名"


def first_answer(port: int, started: float, timeout: float = 180.0) -> float:
    """Seconds from ``started`` until the API answers a question."""
    body = json.dumps({"text": QUESTION}).encode()
    while time.perf_counter() - started < timeout:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/api/ask", data=body,
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=5) as resp:
                if json.loads(resp.read())["kind"] == "answer":
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("no answer in time")


async def ask_many(port: int, questions: list[str], count: int) -> None:
    async with aiohttp.ClientSession() as session:
        for i in range(count):
            async with session.post(f"http://127.0.0.1:{port}/api/ask",
                                    json={"text": questions[i % len(questions)]}) as resp:
                await resp.read()


def start_once(database_url: str, questions: list[str], requests: int) -> tuple[float, float]:
    """(seconds to the first answer, peak RSS in MiB after ``requests`` answers)."""
    port = servers.free_port()
    started = time.perf_counter()
    with servers.running(servers.wenjiao(port, 1) + ["--migrate"],
                         servers.environment(database_url)) as proc:
        seconds = first_answer(port, started)
        asyncio.run(ask_many(port, questions, requests))
        return seconds, servers.peak_rss_mib(proc.pid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--postgres", default=os.environ.get("WENJIAO_TEST_DATABASE_URL"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    content = load_content(servers.ROOT / "faq_data")
    questions = [q for e in content.entries for q in e.questions]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'startup.db'}"
        for label in ("SQLite, fresh file (migrate + seed)", "SQLite, restart"):
            seconds, rss = start_once(url, questions, args.requests)
            rows.append({"start": label, "first_answer_s": round(seconds, 2),
                         "peak_rss_mib": round(rss, 1)})
    if args.postgres:
        from tests import databases

        url = databases.run_sync(databases.empty_database(args.postgres, "benchstart"))
        try:
            for label in ("PostgreSQL, empty (migrate + seed)", "PostgreSQL, restart"):
                seconds, rss = start_once(url, questions, args.requests)
                rows.append({"start": label, "first_answer_s": round(seconds, 2),
                             "peak_rss_mib": round(rss, 1)})
        finally:
            databases.run_sync(databases.drop_database(args.postgres, url))
    if args.json:
        print(json.dumps({"entries": len(content.entries), "questions": len(questions),
                          "rows": rows}, ensure_ascii=False))
        return
    print(f"one worker, shipped content: {len(content.entries)} entries, {len(questions)} "
          f"phrasings; RSS after {args.requests} answers")
    print(f"{'start':<40}{'first answer s':>16}{'peak RSS MiB':>14}")
    for row in rows:
        print(f"{row['start']:<40}{row['first_answer_s']:>16}{row['peak_rss_mib']:>14}")
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
