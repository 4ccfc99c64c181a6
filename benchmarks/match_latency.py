"""Matching latency per message: the shipped content and synthetic corpora of 1k, 10k, 100k entries.

Prints p50/p99 per message and the build time for each corpus, side by side in one run, so the
growth of cost with content is visible. Synthetic entries are built from the shipped content's own
vocabulary (so the index sees realistic word frequencies), with the shipped entries mixed in, and
are queried with the shipped phrasings plus typo, pinyin and rambling variants.

Usage: python benchmarks/match_latency.py [--sizes 1000,10000,100000] [--queries 300]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rjieba  # noqa: E402

from intents import FaqEntry, IntentEngine, Normalizer, load_content  # noqa: E402


def synthetic(entries: list[FaqEntry], size: int, rng: random.Random) -> list[FaqEntry]:
    """``size`` entries: the shipped ones plus made-up ones from their vocabulary."""
    words = sorted({w for e in entries for q in e.questions for w in rjieba.cut(q) if len(w) >= 2})
    out = list(entries)
    template = entries[0]
    for n in range(size - len(entries)):
        questions = tuple("".join(rng.sample(words, rng.randint(3, 6))) for _ in range(3))
        out.append(template.model_copy(update={
            "id": f"synthetic.e{n}", "topic": "synthetic", "title": questions[0],
            "questions": questions, "keywords": (), "related": (),
            "answer": "".join(rng.sample(words, 12))}))
    return out


def queries(entries: list[FaqEntry], count: int, rng: random.Random) -> list[str]:
    """Realistic messages: phrasings, with noise added to some."""
    pool = [q for e in entries for q in e.questions]
    picked = [rng.choice(pool) for _ in range(count)]
    noisy = ["我想问一下，" + q + "，谢谢老师" if i % 4 == 0 else q for i, q in enumerate(picked)]
    return noisy + ["suiqian zinv ruxue", "随千子女能上公办吗", "溫心有約是什麼平台"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(engine: IntentEngine, messages: list[str]) -> tuple[float, float]:
    engine.match(messages[0])  # warm caches (pinyin tables, OpenCC)
    times = []
    for text in messages:
        started = time.perf_counter()
        engine.match(text)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 0.99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(7)
    content = load_content(ROOT / "faq_data")
    normalizer = Normalizer(content.synonyms, content.places)
    shipped = list(content.entries)
    messages = queries(shipped, args.queries, rng)
    print(f"{'corpus':>10} {'entries':>8} {'phrasings':>10} {'build s':>8} {'p50 ms':>8} "
          f"{'p99 ms':>8}")
    rows = [("shipped", shipped)]
    rows += [(f"{int(s) // 1000}k", synthetic(shipped, int(s), rng)) for s in args.sizes.split(",")]
    base = None
    for name, entries in rows:
        started = time.perf_counter()
        engine = IntentEngine(entries, normalizer)
        build = time.perf_counter() - started
        p50, p99 = measure(engine, messages)
        base = base or p50
        print(f"{name:>10} {len(entries):>8} {len(engine._phrasings):>10} {build:>8.1f} "
              f"{p50:>8.2f} {p99:>8.2f}   p50 x{p50 / base:.1f}", flush=True)


if __name__ == "__main__":
    main()
