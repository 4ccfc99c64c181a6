"""Score the dialogue on a scope file (the format of ``faq_data/scope/``): what it does with
questions the document answers, questions it does not, small talk, group-chat noise and complaints.

Each row is a fresh conversation. The verdicts:

- ``question``: right when the reply is an answer containing every ``must_contain`` string;
- ``out_of_scope``: ``fallback`` (the reply says it cannot answer), ``honest`` (an answer on the
  subject that leads with what the document does not say, "文件没有写……"), ``clarify`` (it asks
  which entry was meant) or ``wrong`` (an entry's answer as if it answered the question). The
  first two are right;
- small talk (``greeting``, ``thanks``, ``goodbye``, ``ack``, ``bot_identity``,
  ``capabilities``): right when the small-talk step decided it, with that intent;
- ``noise`` (a group-chat message not addressed to the bot): right when it got no FAQ content
  (neither an answer nor a clarification);
- ``complaint``: right when the complaint step decided it (counted apart).

The per-entry confusion list names the entries that took questions that were not theirs: an
answerable question whose answer lacked the expected facts, or an out-of-scope question answered
as if the entry answered it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from intents.message_model import TALK_IDS
from services.dialogue.evaluation import share, share_line
from services.dialogue.messages import IncomingMessage, Reply
from services.dialogue.service import DialogService

HONEST_LEADS = ("文件没有", "The document does not", "The document gives no")
FAQ_KINDS = frozenset({"answer", "clarify"})


class ScopeRow(BaseModel):
    """One labelled message of a scope file."""

    model_config = ConfigDict(extra="ignore")

    text: str
    kind: str
    slot: str = "none"
    names_specific: bool = False
    in_group: bool = False
    style: str = ""
    speaker: str = ""
    must_contain: list[str] = []
    writer: str = ""


@dataclass
class RowResult:
    """What the bot did with one row."""

    row: ScopeRow
    reply: Reply
    decided_by: str
    verdict: str  # right, fallback, honest, clarify, wrong

    @property
    def right(self) -> bool:
        """Whether the verdict counts as right for the row's kind."""
        return self.verdict in ("right", "fallback", "honest")


def is_scope_file(path: str | Path) -> bool:
    """Whether the first row of a JSON Lines file is a scope row (it has a ``kind``)."""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            first = json.loads(line)
            return isinstance(first, dict) and "kind" in first and "turns" not in first
    return False


def load_rows(path: str | Path) -> list[ScopeRow]:
    """Read a scope file (blank lines skipped)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [ScopeRow.model_validate_json(line) for line in lines if line.strip()]


def is_honest(reply: Reply) -> bool:
    """An answer that leads with what the document does not say."""
    return reply.kind == "answer" and reply.text.lstrip().startswith(HONEST_LEADS)


def verdict(row: ScopeRow, reply: Reply, decided_by: str) -> str:
    """The verdict for one row (see the module docstring)."""
    if row.kind == "question":
        ok = reply.kind == "answer" and all(s in reply.text for s in row.must_contain)
        return "right" if ok and not is_honest(reply) else "wrong"
    if row.kind == "out_of_scope":
        if reply.kind == "fallback":
            return "fallback"
        if is_honest(reply):
            return "honest"
        return "clarify" if reply.kind == "clarify" else "wrong"
    if row.kind in TALK_IDS:
        parts = decided_by.split(":")
        ok = parts[0] == "small_talk" and parts[1:2] == [TALK_IDS[row.kind]]
        return "right" if ok else "wrong"
    if row.kind == "noise":
        return "wrong" if reply.kind in FAQ_KINDS else "right"
    if row.kind == "complaint":
        return "right" if decided_by.startswith("complaint") else "wrong"
    return "right" if reply.kind not in FAQ_KINDS else "wrong"


async def run(dialog: DialogService, rows: list[ScopeRow]) -> list[RowResult]:
    """Send every row as a fresh conversation (a group's chat id for group messages)."""
    out = []
    for number, row in enumerate(rows):
        user = f"scope-{number}"
        traced = await dialog.handle_traced(IncomingMessage(
            channel="eval", user_id=user, text=row.text,
            chat_id=f"group-{number}" if row.in_group else None, group=row.in_group))
        out.append(RowResult(row, traced.reply, traced.decided_by,
                             verdict(row, traced.reply, traced.decided_by)))
    return out


def _share(results: list[RowResult]) -> dict[str, Any]:
    return share(sum(r.right for r in results), len(results))


def summarize(results: list[RowResult]) -> dict[str, Any]:
    """Figures by kind, answerable questions by style, out-of-scope verdicts, confusion."""
    by_kind: dict[str, list[RowResult]] = defaultdict(list)
    for r in results:
        by_kind[r.row.kind].append(r)
    questions = by_kind.get("question", [])
    by_style: dict[str, list[RowResult]] = defaultdict(list)
    for r in questions:
        by_style[r.row.style].append(r)
    oos = by_kind.get("out_of_scope", [])
    small = [r for k in TALK_IDS for r in by_kind.get(k, [])]
    confusion: Counter[str] = Counter(
        r.reply.intent or "?" for r in results
        if r.verdict == "wrong" and r.row.kind in ("question", "out_of_scope")
        and r.reply.kind == "answer")
    return {
        "items": len(results),
        "answerable": _share(questions),
        "answerable_by_style": {k: _share(v) for k, v in sorted(by_style.items())},
        "out_of_scope": _share(oos),
        "out_of_scope_verdicts": dict(Counter(r.verdict for r in oos)),
        "small_talk": _share(small),
        "by_kind": {k: _share(v) for k, v in sorted(by_kind.items())},
        "noise_with_faq_content": sum(not r.right for r in by_kind.get("noise", [])),
        "confusion": confusion.most_common(15),
    }


def misses(results: list[RowResult]) -> list[dict[str, Any]]:
    """Every row not right, with what the bot did."""
    return [{"kind": r.row.kind, "slot": r.row.slot, "style": r.row.style, "text": r.row.text,
             "verdict": r.verdict, "reply_kind": r.reply.kind, "intent": r.reply.intent,
             "decided_by": r.decided_by, "must_contain": r.row.must_contain}
            for r in results if not r.right]


def report(summary: dict[str, Any]) -> str:
    """The figures as a short text table."""

    def line(name: str, counted: dict[str, Any]) -> str:
        return share_line(name, counted, 16)

    out = [f"items: {summary['items']}", line("answerable", summary["answerable"]),
           line("out of scope", summary["out_of_scope"]),
           "    " + ", ".join(f"{k} {v}" for k, v in
                              sorted(summary["out_of_scope_verdicts"].items())),
           line("small talk", summary["small_talk"]),
           f"  noise given FAQ content: {summary['noise_with_faq_content']}", "by kind:"]
    out += [line(k, v) for k, v in summary["by_kind"].items()]
    out.append("answerable by style:")
    out += [line(k, v) for k, v in summary["answerable_by_style"].items()]
    if summary["confusion"]:
        out.append("entries that took others' questions:")
        out += [f"  {entry:<40} {n}" for entry, n in summary["confusion"]]
    return "\n".join(out)
