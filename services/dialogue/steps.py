"""The steps of a dialogue turn, in order. Each looks at the turn and either finishes it (returns
an :class:`Outcome`) or passes it on (returns None); :data:`DEFAULT_STEPS` is the order, and a new
step is one more entry in that list.

Order matters and is the policy: an empty message is answered before anything is read; then the
user's rate limit; then the safety check, whose crisis is answered first whatever else the message
says; then the crisis conversation mode (after a crisis reply every reply is supportive until the
person says they are safe, asks a clear policy question or 30 minutes pass); then a pending choice
(the number of an option offered last turn), small talk and messages not for the bot (read by
the learned message model, ``message_kind.py``), complaints (referred to who can take them,
``complaints.py``), follow-ups, the out-of-scope rules and, last, the engine's
ranking with the one decision of ``intents.decision``, which also says when an answer must first
say what the document lacks.

The safety steps are in ``safety_steps.py``; :class:`Turn`, :class:`Outcome` and :func:`run` in
``turn.py``. After the step that finished the turn, :class:`ConcernLine` adds the warm line with 温心有约,
12356 and 110/120 to the reply when the safety check found distress without explicit risk.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Sequence

from intents import MatchResult, decide
from intents.decision import follow_up_text, missing_detail
from intents.dialogue_rules import detect_language, out_of_scope
from services.content import Catalog
from services.dialogue.complaints import Complaint
from services.dialogue.message_kind import MessageReader, Talk
from services.dialogue.messages import Lang, Option, Reply
from services.dialogue.replies import NONE_OPTION, TOPIC_PREFIX, ReplyBuilder
from services.dialogue.safety import SafetyCheck
from services.dialogue.safety_steps import (
    CRISIS_MODE_SECONDS,
    ConcernLine,
    CrisisMode,
    SafeNow,
    Safety,
)
from services.dialogue.turn import Outcome, Step, Turn, pick, run
from services.platform import RateDecision, RateLimiter, telemetry

log = logging.getLogger(__name__)

class Empty:
    """A message with nothing in it gets the topics."""

    name = "empty"

    def __init__(self, replies: ReplyBuilder) -> None:
        self._replies = replies

    async def __call__(self, turn: Turn) -> Outcome | None:
        """The "please type a question" reply for a blank message."""
        if turn.text.strip():
            return None
        return Outcome(self._replies.fixed("fallback", "empty", turn.lang,
                                           options=self._replies.topic_options(turn.lang)),
                       decided_by=self.name)


class RateLimit:
    """Messages past the user's limit get the "slow down" notice once per window, then nothing.

    A step of the dialogue rather than of a channel, so every channel has the same limit; keys
    are hashes of the channel's user id (a shared Redis shows no openid or Telegram id).
    """

    name = "rate_limit"

    def __init__(self, limiter: RateLimiter | None, replies: ReplyBuilder) -> None:
        self.limiter = limiter
        self._replies = replies

    async def hit(self, channel: str, user_id: str) -> RateDecision | None:
        """Count one request of the user (a message, or a web vote); None without a limit."""
        if self.limiter is None:
            return None
        user = hashlib.sha256(f"wenjiao-rate:{user_id}".encode()).hexdigest()[:32]
        return await self.limiter.hit(f"{channel}:{user}")

    async def __call__(self, turn: Turn) -> Outcome | None:
        """The ``limited`` reply when the user is over the limit."""
        decision = await self.hit(turn.message.channel, turn.message.user_id)
        if decision is None or decision.allowed:
            return None
        text = self._replies.ui("rate_limited", turn.lang) if decision.notify else ""
        return Outcome(Reply(kind="limited", text=text, confidence=0.0, lang=turn.lang),
                       decided_by=self.name)


class PendingChoice:
    """A reply that picks one of the options offered in the previous turn (by number or title)."""

    name = "pending_choice"

    def __init__(self, catalog: Catalog, replies: ReplyBuilder) -> None:
        self._catalog = catalog
        self._replies = replies

    async def __call__(self, turn: Turn) -> Outcome | None:
        """The picked option's answer, topic menu or "none of these" reply."""
        conversation = turn.conversation
        options = [Option.model_validate(o) for o in conversation.options]
        if not options:
            return None
        picked = pick(turn.text, options)
        if picked is None:
            return None
        asked = conversation.lang or ("en" if detect_language(conversation.question) == "en"
                                      else detect_language(turn.text))
        lang: Lang = "en" if asked == "en" else "zh"
        replies = self._replies
        if picked.id == NONE_OPTION:
            reply = replies.fixed("fallback", "none_chosen", lang,
                                  options=replies.topic_options(lang))
            return Outcome(reply, unanswered=True, question=conversation.question,
                           decided_by=self.name)
        if picked.id.startswith(TOPIC_PREFIX):
            return Outcome(replies.topic_menu(picked.id.removeprefix(TOPIC_PREFIX), lang),
                           decided_by=self.name)
        engine = self._catalog.engine
        if not engine.has(picked.id):
            return None
        # What the conversation remembers as asked: the option picked, not the digit typed, so
        # a follow-up ("要收费吗") reads against it (a pressed button sends the title already).
        turn.match_text = picked.title
        return Outcome(replies.answer(engine.entry(picked.id), 1.0, lang),
                       best_intent=picked.id, decided_by=self.name)


class Scope:
    """Questions the document does not answer, recognised by the content's out-of-scope rules.

    A rule with ``yield_above`` is left to the decision (a strong enough match beats it), so the
    step records it on the turn and passes on; any other matching rule finishes the turn.
    """

    name = "scope"

    def __init__(self, catalog: Catalog, replies: ReplyBuilder) -> None:
        self._catalog = catalog
        self._replies = replies

    async def __call__(self, turn: Turn) -> Outcome | None:
        """The rule's honest reply, or None (with the rule noted when it may yield)."""
        if turn.match_text:
            return None  # a follow-up of an answer: its entry's not_covered says what it lacks
        rule = out_of_scope(turn.text, self._catalog.content.out_of_scope,
                            self._catalog.normalizer)
        if rule is None:
            return None
        if rule.yield_above is not None:
            turn.scope_rule = rule
            return None
        return Outcome(self._replies.out_of_scope(rule, turn.lang), unanswered=True,
                       decided_by=f"{self.name}:{rule.id}")


# "不是这个，我问的是…", "我说错了，是…": the correction words are dropped and the rest is asked.
_CORRECTION = re.compile(r"^\s*(?:不是(?:这个|那个|这)?[，,。\s]*)?(?:我(?:是)?(?:问|说)(?:错了|的是)|"
                         r"我想问的是|我问错了|说错了|不对)[，,。:：\s]*(?:是|问)?")


class FollowUp:
    """A short follow-up ("那高中呢", "2024年呢", "要钱吗") or a correction, read with the last
    answer's question.

    The message is matched alone and joined to the last answered question; the joined text is
    what the engine matches when the message alone is not answered at least ``stands_alone`` and
    the joined one is answered. A message that stands on its own is never bent towards the old
    topic; a correction drops the correction words and the old topic's entry.
    """

    name = "follow_up"

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    async def __call__(self, turn: Turn) -> Outcome | None:
        """Set ``turn.match_text`` when the message reads as a follow-up; never finishes."""
        conversation = turn.conversation
        if not conversation.topic_question:
            return None
        text = _CORRECTION.sub("", turn.text, count=1).strip()
        engine = self._catalog.engine
        ranked: dict[str, MatchResult] = {}  # what was matched here, for the match step

        def match(candidate: str) -> MatchResult:
            if candidate not in ranked:
                ranked[candidate] = engine.match(candidate, limit=self._catalog.decision.rank_limit)
            return ranked[candidate]

        turn.match_text = follow_up_text(
            text, corrected=text != turn.text.strip(), match=match,
            topic_question=conversation.topic_question, topic_entry=conversation.topic_entry,
            config=self._catalog.decision, linked=engine.linked)
        turn.match_result = ranked.get(turn.match_text or turn.text)
        return None


class Match:
    """The engine ranks, :func:`intents.decide` decides, the reply builder words it.

    An answer whose entry lacks the detail the message asks for (``intents.decision.
    missing_detail``) leads with "文件没有写……" and where to ask, and is kept as unanswered.
    """

    name = "match"

    def __init__(self, catalog: Catalog, replies: ReplyBuilder,
                 thresholds: dict[str, float] | None = None) -> None:
        self._catalog = catalog
        self._replies = replies
        self._thresholds = thresholds or {}

    async def __call__(self, turn: Turn) -> Outcome:
        """Answer, clarify or fall back: this step always finishes the turn."""
        engine = self._catalog.engine
        config = self._catalog.decision
        result = turn.match_result
        if result is None:
            with telemetry.MATCH_SECONDS.time():
                result = engine.match(turn.match_text or turn.text, limit=config.rank_limit)
        rule = turn.scope_rule
        decision = decide(result, config, engine.linked,
                          scope_yield=rule.yield_above if rule is not None else None)
        log.debug("decision", extra={"outcome": decision.outcome, "rule": decision.rule,
                                     "scores": [(c.entry_id, c.score)
                                                for c in decision.candidates[:3]]})
        decided_by = f"{self.name}:{decision.rule}"
        best = decision.best
        if rule is not None and decision.rule == "out_of_scope":
            return Outcome(self._replies.out_of_scope(rule, turn.lang), unanswered=True,
                           decided_by=f"scope:{rule.id}")
        if decision.outcome == "answer" and best is not None:
            entry = engine.entry(best.entry_id)
            lacks = None if turn.reading is None else missing_detail(
                turn.text, turn.reading, entry, self._thresholds)
            if lacks is not None:
                return Outcome(self._replies.not_covered(entry, lacks, best.score, turn.lang),
                               unanswered=True, best_intent=best.entry_id,
                               decided_by=f"{self.name}:not_covered:{lacks}")
            reply = self._replies.answer(entry, best.score, turn.lang, also=decision.options)
            return Outcome(reply, best_intent=best.entry_id, decided_by=decided_by)
        if decision.outcome == "clarify" and best is not None:
            return Outcome(self._replies.clarify(decision, turn.lang),
                           best_intent=best.entry_id, decided_by=decided_by)
        return Outcome(self._replies.fallback(decision, turn.lang), unanswered=True,
                       best_intent=best.entry_id if best else None, decided_by=decided_by)


def default_steps(catalog: Catalog, replies: ReplyBuilder, limiter: RateLimit, *,
                  safety: SafetyCheck | None = None, reader: MessageReader | None = None,
                  clock: Callable[[], float] = time.time) -> Sequence[Step]:
    """The pipeline, in order; the last step always finishes the turn."""
    check = safety or SafetyCheck.load()
    read = reader or MessageReader.load()
    return (Empty(replies), limiter, SafeNow(catalog, clock), Safety(check, replies, clock),
            CrisisMode(catalog, replies, clock), PendingChoice(catalog, replies),
            Talk(catalog, replies, read), Complaint(catalog, replies, read), FollowUp(catalog),
            Scope(catalog, replies),
            Match(catalog, replies, read.thresholds))


__all__ = ["CRISIS_MODE_SECONDS", "ConcernLine", "Outcome", "Step", "Turn", "default_steps", "pick",
           "run"]
