"""What the safety check costs: per-message latency, start-up time and memory of the model.

Measures, side by side in one run, on the safety corpus's validation messages and the scope
corpus's validation messages (everyday traffic): the whole check (``SafetyCheck.assess``: model,
patterns, sentence confirmation), the model alone, and the hand patterns alone. Then the time to
load the model file and the memory it holds (tracemalloc, and the process's RSS growth).

Usage: python benchmarks/safety_check.py [--rounds 3]
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
