"""Score the dialogue on an evaluation file (the format of shared/eval/dev.jsonl).

An answer counts when the reply is an answer whose text contains every ``must_contain`` string;
other items count when the reply's kind equals ``expect``. Each message is a fresh conversation.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from services.dialogue.messages import IncomingMessage, Reply
from services.dialogue.service import DialogService

ANSWER_TOPICS = ("enrollment", "hotline", "honors", "other_plan")


class EvalItem(BaseModel):
    """One line of an evaluation file."""

    model_config = ConfigDict(extra="ignore")

    id: str
    text: str
    topic: str
    must_contain: list[str] = []
    expect: str
    style: str = ""


@dataclass
class ItemResult:
    """How the bot did on one item."""

    item: EvalItem
    reply: Reply
    correct: bool
    latency_ms: float
    candidates: list[tuple[str, float]] = field(default_factory=list)


def load_items(path: str | Path) -> list[EvalItem]:
    """Read an evaluation file, one JSON object a line (blank lines skipped)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [EvalItem.model_validate_json(line) for line in lines if line.strip()]


def is_correct(item: EvalItem, reply: Reply) -> bool:
    """The scoring rule of the evaluation set."""
    if item.expect == "answer":
        return reply.kind == "answer" and all(s in reply.text for s in item.must_contain)
    return reply.kind == item.expect


async def run(dialog: DialogService, items: list[EvalItem]) -> list[ItemResult]:
    """Ask every item as a fresh conversation."""
    results = []
    for number, item in enumerate(items):
        started = time.perf_counter()
        reply = await dialog.handle(
            IncomingMessage(channel="eval", user_id=f"eval-{number}", text=item.text))
        elapsed = (time.perf_counter() - started) * 1000
        ranked = dialog.catalog.engine.rank(item.text, limit=3)
        results.append(ItemResult(item, reply, is_correct(item, reply), elapsed,
                                  [(c.entry_id, c.score) for c in ranked]))
    return results


def share(right: int, total: int) -> dict[str, Any]:
    """``right`` of ``total`` as the evaluations report it (accuracy None when there is none);
    every evaluation (single messages, scope files, conversations) uses this and
    :func:`share_line`."""
    return {"correct": right, "total": total,
            "accuracy": round(right / total, 4) if total else None}


def share_line(name: str, counted: dict[str, Any], width: int = 14) -> str:
    """One line of a report: the name, the percentage and the counts."""
    acc = counted["accuracy"]
    pct = "  n/a " if acc is None else f"{acc * 100:5.1f}%"
    return f"  {name:<{width}} {pct}  ({counted['correct']}/{counted['total']})"


def _share(results: list[ItemResult]) -> dict[str, Any]:
    return share(sum(r.correct for r in results), len(results))


def summarize(results: list[ItemResult]) -> dict[str, Any]:
    """Accuracy by topic and style, fallback, crisis and greeting figures, latency."""
    answerable = [r for r in results if r.item.expect == "answer"]
    by_topic: dict[str, list[ItemResult]] = defaultdict(list)
    by_style: dict[str, list[ItemResult]] = defaultdict(list)
    for r in results:
        by_topic[r.item.topic].append(r)
    for r in answerable:
        by_style[r.item.style].append(r)
    crisis = [r for r in results if r.item.expect == "crisis"]
    not_crisis = [r for r in results if r.item.expect != "crisis"]
    latencies = sorted(r.latency_ms for r in results)
    return {
        "items": len(results),
        "answer_accuracy": _share(answerable),
        "by_topic": {k: _share(v) for k, v in sorted(by_topic.items())},
        "by_style": {k: _share(v) for k, v in sorted(by_style.items())},
        "fallback": _share([r for r in results if r.item.expect == "fallback"]),
        "greeting": _share([r for r in results if r.item.expect == "greeting"]),
        "crisis_recall": _share(crisis),
        "false_crisis": sum(r.reply.kind == "crisis" for r in not_crisis),
        "latency_ms": {
            "p50": round(statistics.median(latencies), 2) if latencies else None,
            "p90": round(latencies[int(0.9 * (len(latencies) - 1))], 2) if latencies else None,
            "p99": round(latencies[int(0.99 * (len(latencies) - 1))], 2) if latencies else None,
        },
    }


def errors(results: list[ItemResult]) -> list[dict[str, Any]]:
    """Every miss with what the bot replied and its top candidates."""
    return [
        {"id": r.item.id, "text": r.item.text, "topic": r.item.topic, "style": r.item.style,
         "expect": r.item.expect, "must_contain": r.item.must_contain, "kind": r.reply.kind,
         "intent": r.reply.intent, "candidates": r.candidates}
        for r in results if not r.correct
    ]


def dumps(data: Any) -> str:
    """JSON for the command line (Chinese kept readable)."""
    return json.dumps(data, ensure_ascii=False)


def report(summary: dict[str, Any]) -> str:
    """The figures as a short text table."""
    line = share_line
    out = [f"items: {summary['items']}", line("answers", summary["answer_accuracy"]), "by topic:"]
    out += [line(k, v) for k, v in summary["by_topic"].items()]
    out.append("answers by style:")
    out += [line(k, v) for k, v in summary["by_style"].items()]
    out += [line("fallback", summary["fallback"]), line("greeting", summary["greeting"]),
            line("crisis recall", summary["crisis_recall"]),
            f"  false crisis   {summary['false_crisis']}",
            "latency ms: " + ", ".join(f"{k} {v}" for k, v in summary["latency_ms"].items())]
    return "\n".join(out)
