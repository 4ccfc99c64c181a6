"""What the safety check costs: per-message latency, start-up time and memory of the model.

Measures, side by side in one run, on the safety corpus's validation messages and the scope
corpus's validation messages (everyday traffic): the whole check (``SafetyCheck.assess``: model,
patterns, sentence confirmation), the model alone, and the hand patterns alone. Then the time to
load the model file and the memory it holds (tracemalloc, and the process's RSS growth).

Usage: python benchmarks/safety_check.py [--rounds 3] [--compare OTHER_MODEL.json]

``--compare`` also times the whole check with another model file (e.g. an earlier one, from
``git show REV:intents/data/crisis_model.json``), rounds alternating between the two, and prints
both medians and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from timing import percentile, rss_mb, texts, timed  # noqa: E402

from intents.crisis_model import CrisisModel, default_model_path  # noqa: E402
from services.dialogue.safety import SafetyCheck, is_crisis  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compare", type=Path, default=None)
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
    if args.compare:
        _compare(check, SafetyCheck(CrisisModel.load(args.compare)), sets, args.rounds)


def _compare(shipped: SafetyCheck, other: SafetyCheck, sets: dict[str, list[str]],
             rounds: int) -> None:
    """The whole check with each model, rounds alternating (the machine's noise hits both)."""
    print(f"{'messages':>28} {'shipped p50':>12} {'other p50':>10} {'ratio':>6}")
    for name, messages in sets.items():
        times: dict[str, list[float]] = {"shipped": [], "other": []}
        for _ in range(rounds):
            times["shipped"] += timed(shipped.assess, messages, 1)
            times["other"] += timed(other.assess, messages, 1)
        a, b = statistics.median(times["shipped"]), statistics.median(times["other"])
        print(f"{name:>28} {a:12.3f} {b:10.3f} {a / b:6.2f}")


if __name__ == "__main__":
    main()
