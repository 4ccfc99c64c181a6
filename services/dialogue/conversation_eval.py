"""Score the dialogue on multi-turn conversations (the format of ``faq_data/conversations/``).

One JSON object a line: ``{"id", "turns": [{"text", "expect", "must_contain"}]}``. Each
conversation is one user, its turns sent in order. A turn is right when:

- ``answer``: the reply is an answer (not one that leads with what the document lacks) containing
  every ``must_contain`` string;
- ``fallback``: the reply says the bot cannot answer, or an answer that leads with what the
  document does not say ("文件没有写……": the honest reply to a detail the source lacks);
- ``greeting``: small talk decided it (a greeting, thanks, goodbye or acknowledgement);
- ``crisis``: the crisis reply.

It reports first turns, later turns and whole conversations (every turn right).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from services.dialogue.evaluation import share, share_line
from services.dialogue.messages import IncomingMessage, Reply
from services.dialogue.scope_eval import is_honest
from services.dialogue.service import DialogService


class EvalTurn(BaseModel):
    """One user turn and what the reply must be."""

    model_config = ConfigDict(extra="ignore")

    text: str
    expect: str
    must_contain: list[str] = []


class Conversation(BaseModel):
    """One conversation of a multi-turn file."""

    model_config = ConfigDict(extra="ignore")

    id: str
    turns: list[EvalTurn]


@dataclass
class TurnResult:
    """What the bot did with one turn."""

    conversation: str
    number: int
    turn: EvalTurn
    reply: Reply
    decided_by: str
    right: bool


def is_conversation_file(path: str | Path) -> bool:
    """Whether the first row of a JSON Lines file is a conversation (it has ``turns``)."""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            first = json.loads(line)
            return isinstance(first, dict) and "turns" in first
    return False


def load(path: str | Path) -> list[Conversation]:
    """Read a multi-turn file (blank lines skipped)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [Conversation.model_validate_json(line) for line in lines if line.strip()]


def is_right(turn: EvalTurn, reply: Reply, decided_by: str) -> bool:
    """The scoring rule (see the module docstring)."""
    if turn.expect == "answer":
        return (reply.kind == "answer" and not is_honest(reply)
                and all(s in reply.text for s in turn.must_contain))
    if turn.expect == "fallback":
        return (reply.kind == "fallback" and not decided_by.startswith("small_talk")) or (
            is_honest(reply))
    if turn.expect == "greeting":
        return decided_by.startswith("small_talk")
    return reply.kind == turn.expect


async def run(dialog: DialogService, conversations: list[Conversation]) -> list[TurnResult]:
    """Send each conversation's turns in order, one user per conversation."""
    out = []
    for index, conversation in enumerate(conversations):
        user = f"conv-{index}"
        for number, turn in enumerate(conversation.turns):
            traced = await dialog.handle_traced(
                IncomingMessage(channel="eval", user_id=user, text=turn.text))
            out.append(TurnResult(conversation.id, number, turn, traced.reply,
                                  traced.decided_by,
                                  is_right(turn, traced.reply, traced.decided_by)))
    return out


def summarize(results: list[TurnResult]) -> dict[str, Any]:
    """First-turn, later-turn and whole-conversation accuracy."""
    first = [r for r in results if r.number == 0]
    later = [r for r in results if r.number > 0]
    by_id: dict[str, bool] = {}
    for r in results:
        by_id[r.conversation] = by_id.get(r.conversation, True) and r.right
    return {"conversations": len(by_id),
            "first_turns": share(sum(r.right for r in first), len(first)),
            "later_turns": share(sum(r.right for r in later), len(later)),
            "whole_conversations": share(sum(by_id.values()), len(by_id))}


def misses(results: list[TurnResult]) -> list[dict[str, Any]]:
    """Every wrong turn with what the bot did."""
    return [{"id": r.conversation, "turn": r.number + 1, "text": r.turn.text,
             "expect": r.turn.expect, "must_contain": r.turn.must_contain,
             "kind": r.reply.kind, "intent": r.reply.intent, "decided_by": r.decided_by}
            for r in results if not r.right]


def report(summary: dict[str, Any]) -> str:
    """The figures as a short text table."""

    def line(name: str, counted: dict[str, Any]) -> str:
        return share_line(name, counted, 20)

    return "\n".join([f"conversations: {summary['conversations']}",
                      line("first turns", summary["first_turns"]),
                      line("later turns", summary["later_turns"]),
                      line("whole conversations", summary["whole_conversations"])])
