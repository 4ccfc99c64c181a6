"""The steps of the safety tiers: the safety check (crisis first), "I am safe now", the crisis
conversation mode, and the concern line added after the step that finished the turn."""

from __future__ import annotations

import re
from collections.abc import Callable

from intents import decide
from intents.dialogue_rules import small_talk
from services.content import Catalog
from services.dialogue.messages import Option, Reply
from services.dialogue.replies import ReplyBuilder
from services.dialogue.safety import SafetyCheck
from services.dialogue.turn import Outcome, Turn, pick
from services.platform import telemetry

SAFE_NOW = "safe_now"  # the small talk that ends the crisis conversation mode
CRISIS_MODE_SECONDS = 30 * 60  # the mode ends this long after the last message in it
# Kinds of reply that answer what was asked, so the concern line is added to them.
CONCERN_ADDS_TO = frozenset({"answer", "clarify", "greeting", "referral"})
# What makes a message a question for leaving the crisis mode: a bare keyword ("荣誉") is not one.
_ASKS = re.compile(r"[?？]|吗|么|什么|怎|哪|多少|几|谁|能否|是否|能不能|可不可以|可以|有没有|请问"
                   r"|\b(?:what|how|when|where|who|which|can|could|is|are|do|does)\b", re.I)


class Safety:
    """The safety check's tiers: a crisis gets the crisis reply first, flagged for staff, and
    starts the crisis conversation mode; a concern is noted on the turn for :class:`ConcernLine`.
    A crisis while the mode is on gets the supportive reply (still flagged): the full crisis
    reply once is help, the same text again is a form letter.
    """

    name = "safety"

    def __init__(self, check: SafetyCheck, replies: ReplyBuilder,
                 clock: Callable[[], float]) -> None:
        self._check = check
        self._replies = replies
        self._clock = clock

    async def __call__(self, turn: Turn) -> Outcome | None:
        """The crisis reply for a crisis; None otherwise (with the tier on the turn).

        A message that picks an offered option (its number, or its title from a pressed
        button) is not read: those words are the bot's own."""
        offered = [Option.model_validate(o) for o in turn.conversation.options]
        if offered and pick(turn.text, offered) is not None:
            return None
        with telemetry.SAFETY_SECONDS.time():
            assessment = self._check.assess(turn.text)
        turn.safety = assessment
        if assessment.tier != "crisis":
            return None
        now = self._clock()
        conversation = turn.conversation
        in_mode = conversation.crisis_until > now
        conversation.crisis_until = now + CRISIS_MODE_SECONDS
        if in_mode:
            reply = self._replies.support("crisis", "support_help", turn.lang, flagged=True)
        else:
            reply = self._replies.fixed("crisis", "crisis", turn.lang)
        return Outcome(reply, flagged=True, decided_by=f"{self.name}:crisis:{assessment.by}")


class SafeNow:
    """In the crisis mode, "I am safe now" ends it, before the safety check reads the message
    (whose words of safety are also the words of danger)."""

    name = "safe_now"

    def __init__(self, catalog: Catalog, clock: Callable[[], float]) -> None:
        self._catalog = catalog
        self._clock = clock

    async def __call__(self, turn: Turn) -> Outcome | None:
        """The content's reply to "I am safe" when the mode is on; None otherwise."""
        if turn.conversation.crisis_until <= self._clock():
            return None
        talk = small_talk(turn.text, self._catalog.content.small_talk)
        if talk is None or talk.id != SAFE_NOW:
            return None
        turn.conversation.crisis_until = 0.0
        return Outcome(Reply(kind="support", lang=turn.lang, confidence=1.0,
                             text=talk.reply_en if turn.lang == "en" else talk.reply),
                       decided_by=self.name)


class CrisisMode:
    """After a crisis reply, every reply acknowledges what was said and says how to get help now
    (110/120, 12356, a trusted adult) — never an FAQ answer or a "not found" — until the person
    says they are safe, asks a question the content clearly answers, or 30 minutes pass."""

    name = "crisis_mode"

    def __init__(self, catalog: Catalog, replies: ReplyBuilder,
                 clock: Callable[[], float]) -> None:
        self._catalog = catalog
        self._replies = replies
        self._clock = clock

    async def __call__(self, turn: Turn) -> Outcome | None:
        """The supportive reply while the mode is on; None when it is off or has just ended."""
        conversation = turn.conversation
        now = self._clock()
        if conversation.crisis_until <= now:
            conversation.crisis_until = 0.0
            return None
        tier = turn.safety.tier if turn.safety is not None else "none"
        if tier == "none" and self._clear_question(turn.text):
            conversation.crisis_until = 0.0
            return None
        conversation.crisis_until = now + CRISIS_MODE_SECONDS
        ack = "concern" if tier == "concern" else "other"
        return Outcome(self._replies.support(ack, "support_help", turn.lang, flagged=False),
                       decided_by=f"{self.name}:{ack}")

    def _clear_question(self, text: str) -> bool:
        """Whether ``text`` is a question the content answers outright (the decision's
        "answer")."""
        if not _ASKS.search(text):
            return False
        engine = self._catalog.engine
        config = self._catalog.decision
        decision = decide(engine.match(text, limit=config.rank_limit), config, engine.linked)
        return decision.outcome == "answer"


class ConcernLine:
    """Distress without explicit risk: the answer to what was asked, with the warm line added;
    plain distress that asked nothing the content answers gets the acknowledgement and the line
    instead of a "not found" (whose text has 110/120 and 12356 already)."""

    name = "concern"

    def __init__(self, replies: ReplyBuilder) -> None:
        self._replies = replies

    def finish(self, turn: Turn, outcome: Outcome) -> Outcome:
        """``outcome`` with the concern line where the safety check found a concern."""
        if turn.safety is None or turn.safety.tier != "concern":
            return outcome
        kind = outcome.reply.kind
        if kind in CONCERN_ADDS_TO:
            outcome.reply = self._replies.with_concern(outcome.reply)
        elif kind == "fallback" and turn.safety.clear_distress:
            outcome.reply = self._replies.support("concern", "concern_line", turn.lang,
                                                  flagged=False)
            outcome.unanswered = False
        else:
            return outcome
        outcome.decided_by += f"+{self.name}"
        return outcome
