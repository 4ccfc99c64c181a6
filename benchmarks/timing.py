"""What the model benchmarks share: reading a corpus part, timing a function per message,
percentiles and the process's peak RSS."""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable
from pathlib import Path


def texts(path: Path) -> list[str]:
    """The ``text`` of every row of a JSON Lines file."""
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def timed(check: Callable[[str], object], messages: list[str], rounds: int) -> list[float]:
    """Milliseconds of ``check`` on each message, ``rounds`` times (after warming caches:
    pinyin tables, OpenCC)."""
    for text in messages[:20]:
        check(text)
    out = []
    for _ in range(rounds):
        for text in messages:
            started = time.perf_counter()
            check(text)
            out.append((time.perf_counter() - started) * 1000)
    return out


def percentile(values: list[float], share: float) -> float:
    """The value at ``share`` (0–1) of the sorted values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def rss_mb() -> float:
    """The process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
