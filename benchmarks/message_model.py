"""What the message model costs: per-message latency of the decision, start-up and memory.

Measures, side by side in one run on the scope corpus's validation messages: the model's reading
(``MessageModel.read``), the whole added decision (reading, ``read_act`` and ``missing_detail``
against the best entry), and, for comparison, the phrase-list small talk the model replaced as
the only judge. Then the time to load the model file and the memory it holds.

Usage: python benchmarks/message_model.py [--rounds 3]
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

from intents import load_content  # noqa: E402
from intents.decision import missing_detail, read_act  # noqa: E402
from intents.dialogue_rules import small_talk  # noqa: E402
from intents.message_model import MessageModel, default_model_path  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    content = load_content(ROOT / "faq_data")
    entry = content.entries[0]
    before = rss_mb()
    tracemalloc.start()
    started = time.perf_counter()
    model = MessageModel.load(default_model_path())
    load_s = time.perf_counter() - started
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = default_model_path().stat().st_size / 1e6
    print(f"model file {size:.1f} MB, {len(model.weights)} features; load {load_s * 1000:.0f} ms; "
          f"holds {held / 1e6:.1f} MB (tracemalloc), RSS +{rss_mb() - before:.0f} MB")

    def decision(text: str) -> object:
        reading = model.read(text)
        return read_act(reading, model.thresholds), missing_detail(
            text, reading, entry, model.thresholds)

    messages = texts(ROOT / "faq_data" / "scope" / "validation.jsonl")
    print(f"{'what':>24} {'p50 ms':>8} {'p99 ms':>8}")
    for what, fn in (("reading", model.read), ("reading + decision", decision),
                     ("phrase-list small talk", lambda t: small_talk(t, content.small_talk))):
        times = timed(fn, messages, args.rounds)
        print(f"{what:>24} {statistics.median(times):8.3f} {percentile(times, 0.99):8.3f}")


if __name__ == "__main__":
    main()
