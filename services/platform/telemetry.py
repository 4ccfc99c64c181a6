"""Prometheus metrics of the dialogue and the server: counts and timings, never message content.

The metric objects are module-level, the way prometheus-client is meant to be used: every part of
a process adds to the same registry, and ``/metrics`` renders it. Under several worker processes
(``wenjiao serve --workers N``) the client's multiprocess mode keeps one file per worker in a
shared folder and :func:`exposition` adds them up, so any worker answers for all of them.

What operators read (docs/scaling.md has the PromQL):

- ``wenjiao_messages_total{channel, kind}``: replies by channel and reply kind;
- ``wenjiao_fallback_ratio``: fallbacks / all replies since start, summed over workers;
- ``wenjiao_match_seconds``: time of one ``engine.match`` (histogram);
- ``wenjiao_reply_seconds{channel}``: time of one whole dialogue turn, store included;
- ``wenjiao_errors_total{where}``: unexpected errors (HTTP 5xx, Redis fall-backs);
- ``wenjiao_http_requests_total{route, status}``: requests by route template and status.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

# Matching is a few milliseconds; a whole turn adds a database write.
_FAST = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0)
_TURN = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

MESSAGES = Counter("wenjiao_messages", "Replies given, by channel and reply kind.",
                   ["channel", "kind"])
MATCH_SECONDS = Histogram("wenjiao_match_seconds", "Time to match one message.", buckets=_FAST)
SAFETY_SECONDS = Histogram("wenjiao_safety_seconds", "Time of the safety check of one message.",
                           buckets=_FAST)
REPLY_SECONDS = Histogram("wenjiao_reply_seconds", "Time of one dialogue turn, store included.",
                          ["channel"], buckets=_TURN)
ERRORS = Counter("wenjiao_errors", "Unexpected errors, by where they happened.", ["where"])
HTTP_REQUESTS = Counter("wenjiao_http_requests", "HTTP requests, by route template and status.",
                        ["route", "status"])


def replied(channel: str, kind: str, seconds: float) -> None:
    """Count one reply and its time."""
    MESSAGES.labels(channel=channel, kind=kind).inc()
    REPLY_SECONDS.labels(channel=channel).observe(seconds)


def error(where: str) -> None:
    """Count one unexpected error."""
    ERRORS.labels(where=where).inc()


class _WithFallbackRatio:
    """Every metric of ``source`` plus ``wenjiao_fallback_ratio`` computed from them at scrape."""

    def __init__(self, source: CollectorRegistry | MultiProcessCollector) -> None:
        self._source = source

    def collect(self) -> Iterator[Metric]:
        families = list(self._source.collect())
        yield from families
        total = fallbacks = 0.0
        for sample in _samples(families, "wenjiao_messages_total"):
            total += sample[1]
            if sample[0].get("kind") == "fallback":
                fallbacks += sample[1]
        yield GaugeMetricFamily("wenjiao_fallback_ratio",
                                "Fallback replies / all replies since start (all workers).",
                                value=fallbacks / total if total else 0.0)


def _samples(families: Iterable[Metric], name: str) -> Iterator[tuple[dict[str, str], float]]:
    for family in families:
        for sample in family.samples:
            if sample.name == name:
                yield sample.labels, sample.value


def exposition(multiprocess_dir: Path | None = None) -> tuple[bytes, str]:
    """The Prometheus text of every metric (summed over workers when ``multiprocess_dir``)."""
    if multiprocess_dir is not None:
        registry = CollectorRegistry()
        source: CollectorRegistry | MultiProcessCollector = MultiProcessCollector(
            registry, path=str(multiprocess_dir))  # type: ignore[no-untyped-call]
    else:
        source = REGISTRY
    return generate_latest(_WithFallbackRatio(source)), CONTENT_TYPE_LATEST
