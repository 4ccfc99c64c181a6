"""``POST /api/ask`` under concurrent load on loopback: throughput and p50/p99 latency.

Runs, in one go and under the same load: a bare aiohttp handler (the ceiling of this machine and
of aiohttp itself), then wenjiao on SQLite and on PostgreSQL, each with 1 and 2 workers; every
configuration gets a fresh database. The load generator is an aiohttp client with a fixed number
of concurrent connections, bounded both in requests and in seconds; each request is a fresh
conversation asking one of the shipped questions. Any non-200 answer or failed request counts as
an error (the bar is zero).

Usage: python benchmarks/http_load.py [--requests 3000] [--seconds 20] [--concurrency 16]
           [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test] [--redis redis://...]
PostgreSQL and Redis default to WENJIAO_TEST_DATABASE_URL / WENJIAO_TEST_REDIS_URL; without them
the PostgreSQL rows are skipped. Each PostgreSQL run uses its own new database, dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import servers  # noqa: E402

from intents import load_content  # noqa: E402


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0


async def load(port: int, questions: list[str], total: int, seconds: float,
               concurrency: int) -> tuple[int, int, float, list[float]]:
    """Drive ``concurrency`` clients until ``total`` requests or ``seconds`` have passed."""
    latencies: list[float] = []
    errors = 0
    sent = 0
    url = f"http://127.0.0.1:{port}/api/ask"
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def client(offset: int) -> None:
            nonlocal errors, sent
            while sent < total and time.perf_counter() < deadline:
                sent += 1
                body = {"text": questions[(sent + offset) % len(questions)]}
                began = time.perf_counter()
                try:
                    async with session.post(url, json=body) as resp:
                        await resp.read()
                        if resp.status != 200:
                            errors += 1
                except aiohttp.ClientError:
                    errors += 1
                latencies.append(time.perf_counter() - began)

        began = time.perf_counter()
        await asyncio.gather(*(client(i * 7) for i in range(concurrency)))
        elapsed = time.perf_counter() - began
    return len(latencies), errors, elapsed, latencies


async def warm_up(port: int, questions: list[str]) -> None:
    async with aiohttp.ClientSession() as session:
        for text in questions[:20]:
            async with session.post(f"http://127.0.0.1:{port}/api/ask", json={"text": text}) as r:
                await r.read()


def measure(name: str, argv: list[str], env: dict[str, str], port: int, questions: list[str],
            args: argparse.Namespace) -> Result:
    with servers.running(argv, env) as proc:
        servers.wait_for(port, proc)
        asyncio.run(warm_up(port, questions))
        done, errors, elapsed, latencies = asyncio.run(
            load(port, questions, args.requests, args.seconds, args.concurrency))
    return Result(name, done, errors, elapsed, latencies)


def pg_database(base: str, tag: str) -> str:
    from tests import databases

    return databases.run_sync(databases.empty_database(base, f"bench{tag}"))


def drop(base: str, url: str) -> None:
    from tests import databases

    databases.run_sync(databases.drop_database(base, url))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--postgres", default=os.environ.get("WENJIAO_TEST_DATABASE_URL"))
    parser.add_argument("--redis", default=os.environ.get("WENJIAO_TEST_REDIS_URL"))
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()
    questions = [q for e in load_content(servers.ROOT / "faq_data").entries for q in e.questions]
    results: list[Result] = []
    for workers in (1, 2):
        port = servers.free_port()
        results.append(measure(f"bare aiohttp, {workers} worker(s)", servers.bare(port, workers),
                               servers.environment("sqlite+aiosqlite://"), port, questions, args))
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            url = f"sqlite+aiosqlite:///{Path(tmp) / f'bench{workers}.db'}"
            port = servers.free_port()
            redis = args.redis if workers > 1 else None
            name = f"wenjiao SQLite{' + Redis' if redis else ''}, {workers} worker(s)"
            results.append(measure(name,
                                   servers.wenjiao(port, workers) + ["--migrate"],
                                   servers.environment(url, redis),
                                   port, questions, args))
    if args.postgres:
        for workers in (1, 2):
            url = pg_database(args.postgres, str(workers))
            try:
                port = servers.free_port()
                redis = args.redis if workers > 1 else None
                results.append(measure(
                    f"wenjiao PostgreSQL{' + Redis' if redis else ''}, {workers} worker(s)",
                    servers.wenjiao(port, workers) + ["--migrate"],
                    servers.environment(url, redis), port, questions, args))
            finally:
                drop(args.postgres, url)
    report(results, args)


def report(results: list[Result], args: argparse.Namespace) -> None:
    ceiling = {1: results[0].throughput, 2: results[1].throughput}
    rows = []
    for r in results:
        workers = 2 if "2 worker" in r.name else 1
        rows.append({"name": r.name, "requests": r.requests, "errors": r.errors,
                     "throughput_rps": round(r.throughput, 1),
                     "p50_ms": round(r.percentile(0.50), 2),
                     "p99_ms": round(r.percentile(0.99), 2),
                     "of_ceiling": round(r.throughput / ceiling[workers], 3)})
    if args.json:
        print(json.dumps({"concurrency": args.concurrency, "cpus": os.cpu_count(),
                          "results": rows}, ensure_ascii=False))
        return
    print(f"POST /api/ask on loopback, {args.concurrency} concurrent clients, "
          f"{os.cpu_count()} CPUs (the load generator shares them)")
    print(f"{'configuration':<40}{'requests':>9}{'errors':>7}{'req/s':>9}{'p50 ms':>9}"
          f"{'p99 ms':>9}{'of bare':>9}")
    for row in rows:
        print(f"{row['name']:<40}{row['requests']:>9}{row['errors']:>7}"
              f"{row['throughput_rps']:>9}{row['p50_ms']:>9}{row['p99_ms']:>9}"
              f"{row['of_ceiling']:>9.1%}")
    print(f"load average after the run: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
