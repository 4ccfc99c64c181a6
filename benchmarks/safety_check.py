"""What the safety check costs: per-message latency, start-up time and memory of the model.

Measures, side by side in one run, on the safety corpus's validation messages and the scope
corpus's validation messages (everyday traffic): the whole check (``SafetyCheck.assess``: model,
patterns, sentence confirmation), the model alone, and the hand patterns alone. Then the time to
load the model file and the memory it holds (tracemalloc, and the process's RSS growth).

Usage: python benchmarks/safety_check.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intents.crisis_model import CrisisModel, default_model_path  # noqa: E402
from services.dialogue.safety import SafetyCheck, is_crisis  # noqa: E402


def texts(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def timed(check: Callable[[str], object], messages: list[str], rounds: int) -> list[float]:
    for text in messages[:20]:  # warm caches (pinyin tables, OpenCC)
        check(text)
    out = []
    for _ in range(rounds):
        for text in messages:
            started = time.perf_counter()
            check(text)
            out.append((time.perf_counter() - started) * 1000)
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    is_crisis("预热")  # compile the patterns before measuring the model's load
    before = rss_mb()
    tracemalloc.start()
    started = time.perf_counter()
    model = CrisisModel.load(default_model_path())
    load_s = time.perf_counter() - started
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    check = SafetyCheck(model)
    size = default_model_path().stat().st_size / 1e6
    print(f"model file {size:.1f} MB, {len(model.weights)} features; load {load_s * 1000:.0f} ms; "
          f"holds {held / 1e6:.1f} MB (tracemalloc), RSS +{rss_mb() - before:.0f} MB")
    sets = {"safety validation": texts(ROOT / "faq_data" / "safety" / "validation.jsonl"),
            "everyday (scope validation)": texts(ROOT / "faq_data" / "scope" / "validation.jsonl")}
    print(f"{'messages':>28} {'what':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for name, messages in sets.items():
        for what, fn in (("check", check.assess), ("model", model.probabilities),
                         ("patterns", is_crisis)):
            times = timed(fn, messages, args.rounds)
            print(f"{name:>28} {what:>10} {statistics.median(times):8.3f} "
                  f"{percentile(times, 0.99):8.3f}")


if __name__ == "__main__":
    main()
