"""Score the dialogue on citizens' messages: complaints, place-specific questions, questions.

    WENJIAO_DATABASE_URL=sqlite+aiosqlite:////tmp/citizens.db \\
        python scripts/score_citizens.py faq_data/scope/scored/r1.jsonl [--list]

Rows are JSON Lines with ``text``, ``kind`` (``complaint``, ``place_question`` or ``question``),
``answerable`` (``yes``, ``partly``, ``no``; null for complaints) and ``source_quote`` (the
document's words that answer it, when it is answerable). The verdicts, each a fresh conversation:

- a complaint is right when the complaint step referred it; an achievement is offered when the
  reply gives a 2023 result (any figure but the hotlines and the plan's year);
- a question the document answers (``yes``) is right when the reply is an answer whose text
  contains the quote's figures and names (most of the quote, by rapidfuzz partial ratio >= 70);
- a question it answers partly or not at all is right when the reply is a fallback, an honest
  answer ("文件没有写……") or an answer holding the quote (``partly``); any other answer is wrong,
  and it is printed with ``--list`` for a reader to say whether a place name drew it.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from typing import Any

from rapidfuzz import fuzz

from bot.cli.base import with_services
from services import Services
from services.dialogue.messages import IncomingMessage, Reply

HONEST = ("文件没有", "The document does not", "The document gives no")
# Figures a referral may carry: the hotlines and the plan's year.
_ALLOWED = {"12345", "2024", "110", "120", "12356"}
_FIGURE = re.compile(r"\d+(?:\.\d+)?")


def quoted(reply: Reply, quote: str | None) -> bool:
    """Whether the reply carries the document's words that answer the question."""
    return bool(quote) and fuzz.partial_ratio(quote, reply.text) >= 70


def verdict(row: dict[str, Any], reply: Reply, decided_by: str) -> str:
    """``right``, ``wrong`` or, for a complaint answered with results, ``achievement``."""
    if row["kind"] == "complaint":
        if not decided_by.startswith("complaint"):
            figures = set(_FIGURE.findall(reply.text)) - _ALLOWED
            return "achievement" if reply.kind == "answer" and figures else "wrong"
        head = re.split(r"2024年的工作要点中提到|For background only", reply.text)[0]
        figures = set(_FIGURE.findall(head)) - _ALLOWED
        return "achievement" if figures else "right"
    honest = reply.kind == "answer" and reply.text.startswith(HONEST)
    if row.get("answerable") == "yes":
        return "right" if reply.kind == "answer" and quoted(reply, row.get("source_quote")) \
            else "wrong"
    if reply.kind in ("fallback", "referral") or honest:
        return "right"
    if reply.kind == "answer" and row.get("answerable") == "partly" \
            and quoted(reply, row.get("source_quote")):
        return "right"
    return "wrong" if reply.kind in ("answer", "clarify") else "right"


async def score(running: Services, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row as a fresh conversation, with the reply and its verdict."""
    out = []
    for number, row in enumerate(rows):
        traced = await running.dialog.handle_traced(IncomingMessage(
            channel="eval", user_id=f"citizen-{number}", text=row["text"]))
        out.append({**row, "reply_kind": traced.reply.kind, "intent": traced.reply.intent,
                    "decided_by": traced.decided_by, "reply": traced.reply.text,
                    "verdict": verdict(row, traced.reply, traced.decided_by)})
    return out


def main(path: str, listing: bool) -> None:
    """Print the share right by kind (and answerable), and with ``--list`` the wrong ones."""
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    results = with_services(lambda running: score(running, rows), record=False)
    counts: Counter[tuple[str, str]] = Counter()
    for r in results:
        group = r["kind"] if r["kind"] == "complaint" else f"{r['kind']}/{r['answerable']}"
        counts[(group, r["verdict"])] += 1
    for group in sorted({g for g, _ in counts}):
        total = sum(n for (g, _), n in counts.items() if g == group)
        parts = ", ".join(f"{v} {n}" for (g, v), n in sorted(counts.items()) if g == group)
        right = counts[(group, "right")]
        print(f"{group:24} {right}/{total} right ({100 * right / total:.1f}%)  [{parts}]")
    if listing:
        for r in results:
            if r["verdict"] != "right":
                print(json.dumps({k: r[k] for k in ("kind", "answerable", "text", "decided_by",
                                                      "intent", "verdict")}, ensure_ascii=False))
                print("   ->", r["reply"][:160].replace("\n", " "))


if __name__ == "__main__":
    main(sys.argv[1], "--list" in sys.argv[2:])
