"""One dialogue turn on its way through the steps: the :class:`Turn`, how a step finishes it
(:class:`Outcome`), the :class:`Step` protocol, :func:`run`, and :func:`pick` (which offered
option a message names), shared by ``steps.py`` and ``safety_steps.py``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from intents import MatchResult, OutOfScope
from intents.message_model import Reading
from services.db.models import InboxKind
from services.dialogue.conversation import Conversation
from services.dialogue.messages import IncomingMessage, Lang, Option, Reply
from services.dialogue.safety import Assessment

if TYPE_CHECKING:
    from services.dialogue.safety_steps import ConcernLine

_CHOICE = re.compile(r"^\s*(?:第\s*)?([0-9]{1,2}|[一二三四五六七八九十])\s*(?:个|条|项)?\s*[.。、)]?\s*$")
_CN_DIGIT = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}

@dataclass
class Turn:
    """One message on its way through the steps: what it says and what steps have learned."""

    message: IncomingMessage
    text: str
    lang: Lang
    conversation: Conversation
    # Set by the scope step when a rule matched that a strong engine match may still beat.
    scope_rule: OutOfScope | None = None
    # Set by the safety step: the message's tier (crisis, concern, none).
    safety: Assessment | None = None
    # Set by the small-talk step: the message model's reading (kind, asked-for detail, named).
    reading: Reading | None = None
    # Set by the follow-up step: the text the engine matches instead of the message (the last
    # answered question with this follow-up, "温州随迁子女公办比例 那初中呢").
    match_text: str = ""
    # ... and the engine's ranking of that text when the follow-up step already computed it.
    match_result: MatchResult | None = None


@dataclass
class Outcome:
    """How a turn finished: the reply and what the exchange log records about it."""

    reply: Reply
    flagged: bool = False
    unanswered: bool = False
    best_intent: str | None = None
    # What the inbox keeps when it is not the message itself: after "none of these", the
    # question that was clarified (already redacted), not the words "都不是".
    question: str = ""
    # How the inbox files an unanswered message: a question, or a complaint (grouped apart).
    inbox_kind: InboxKind = "question"
    decided_by: str = ""  # the step (and rule) that finished the turn, for the debug log


class Step(Protocol):
    """One stage of the pipeline."""

    name: str

    async def __call__(self, turn: Turn) -> Outcome | None:
        """Finish the turn, or return None to pass it to the next step."""
        ...


async def run(steps: Sequence[Step], turn: Turn,
              concern: ConcernLine | None = None) -> Outcome:
    """The outcome of the first step that finishes ``turn`` (with the concern line added)."""
    for step in steps:
        outcome = await step(turn)
        if outcome is not None:
            return concern.finish(turn, outcome) if concern is not None else outcome
    raise RuntimeError("no step finished the turn (the last step must always finish it)")


def pick(text: str, options: list[Option]) -> Option | None:
    """The option a reply names: by number (1-based) or by its exact title."""
    match = _CHOICE.match(text)
    if match:
        raw = match.group(1)
        number = int(raw) if raw.isdigit() else _CN_DIGIT[raw]
        return options[number - 1] if 1 <= number <= len(options) else None
    wanted = text.strip().casefold()
    for option in options:
        if wanted and wanted == option.title.strip().casefold():
            return option
    return None
