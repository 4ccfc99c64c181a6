"""What the follow-up path costs a message: ``intents.decision.follow_up_text`` on the later turns of
the development conversations, each read against its conversation's first question, next to one
plain engine match of the same message (printed side by side in one run).

Usage: python benchmarks/follow_up.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from timing import percentile  # noqa: E402

from intents import DecisionConfig, IntentEngine, load_content  # noqa: E402
from intents.decision import follow_up_text  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    engine = IntentEngine(load_content(ROOT / "faq_data").entries)
    config = DecisionConfig()
    pairs = []
    for line in (ROOT / "faq_data" / "conversations" / "dev.jsonl").read_text(
            encoding="utf-8").splitlines():
        turns = json.loads(line)["turns"]
        pairs += [(turns[0]["text"], t["text"]) for t in turns[1:]]

    def follow(pair: tuple[str, str]) -> object:
        return follow_up_text(pair[1], corrected=False, match=engine.match,
                              topic_question=pair[0], topic_entry="", config=config,
                              linked=engine.linked)

    def plain(pair: tuple[str, str]) -> object:
        return engine.match(pair[1])

    for fn in (follow, plain):  # warm caches
        for pair in pairs[:20]:
            fn(pair)
    times: dict[str, list[float]] = {"follow-up path": [], "one plain match": []}
    for _ in range(args.rounds):
        for name, fn in (("follow-up path", follow), ("one plain match", plain)):
            for pair in pairs:
                started = time.perf_counter()
                fn(pair)
                times[name].append((time.perf_counter() - started) * 1000)
    print(f"{len(pairs)} later turns x {args.rounds} rounds")
    for name, values in times.items():
        print(f"{name:>16}: p50 {statistics.median(values):.3f} ms, "
              f"p99 {percentile(values, 0.99):.3f} ms")


if __name__ == "__main__":
    main()
