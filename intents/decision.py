"""The one place that decides answer, clarify or fallback, with every threshold named once.

The engine ranks; this module decides (Rasa keeps the same split: a classifier ranks intents, the
FallbackClassifier decides with its named thresholds). Every caller that needs an outcome (the
dialogue, the editors' "试一试" preview, the evaluation) goes through :func:`decide`, so a threshold
changed here changes it everywhere, and each outcome says which rule settled it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from intents.models import Candidate, MatchResult

Outcome = Literal["answer", "clarify", "fallback"]
Rule = Literal[
    "no_candidates",  # nothing in the content shares a feature with the message
    "below_threshold",  # the best score is under ``threshold``
    "out_of_scope",  # an out-of-scope rule matched and the best score did not reach its yield
    "near_tie",  # two entries within ``ambiguity_gap``: ask which one
    "one_loose_word",  # a single word several entries share (政策, 基金): ask which one
    "linked_near_tie",  # a near tie between entries the editors linked: answer the first
    "clear_best",  # one entry clearly ahead and above the threshold
]


@dataclass(frozen=True, slots=True)
class DecisionConfig:
    """Named thresholds and margins of the decision.

    ``threshold``: a best score below it is not an answer (fallback).
    ``ambiguity_gap``: when the two best entries are closer than this, ask which one was meant.
    ``clarify_floor_gaps``: a clarification offers the entries within this many gaps of the best.
    ``runner_up_margin``: an answer whose second entry scored within this offers it first among
    the related questions.
    ``suggest_floor``: a fallback offers the entries scoring at least this as "did you mean"
    options (never as an answer), at most ``max_suggestions`` of them.
    ``max_options``: how many entries a clarification offers.
    ``rank_limit``: how many ranked candidates are considered at all.
    """

    threshold: float = 0.38
    ambiguity_gap: float = 0.01
    clarify_floor_gaps: float = 2.0
    runner_up_margin: float = 0.05
    suggest_floor: float = 0.30
    max_suggestions: int = 2
    max_options: int = 3
    rank_limit: int = 5


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with a message, why, and which entries the reply offers.

    ``options`` are entry ids: the choices of a clarification, the "did you mean" guesses of a
    fallback, or (for an answer) a near runner-up to offer first among related questions.
    """

    outcome: Outcome
    rule: Rule
    candidates: tuple[Candidate, ...]
    options: tuple[str, ...] = ()

    @property
    def best(self) -> Candidate | None:
        """The top candidate, if any."""
        return self.candidates[0] if self.candidates else None

    @property
    def score(self) -> float:
        """The best score (0 when there is no candidate)."""
        return self.candidates[0].score if self.candidates else 0.0


def decide(
    result: MatchResult,
    config: DecisionConfig,
    linked: Callable[[str, str], bool],
    *,
    scope_yield: float | None = None,
) -> Decision:
    """Decide for ranked ``result``.

    ``linked(a, b)``: whether the editors linked two entries (``related``); a near tie between
    linked entries is answered with the first, the second offered beside it.
    ``scope_yield``: an out-of-scope rule matched the message; the engine's best wins over it
    only when it scores at least this much (1.0 or more: the rule always wins).
    """
    ranked = result.candidates[: config.rank_limit]
    if scope_yield is not None and (not ranked or ranked[0].score < scope_yield):
        return Decision("fallback", "out_of_scope", ranked)
    if not ranked:
        return Decision("fallback", "no_candidates", ranked)
    best = ranked[0]
    if best.score < config.threshold:
        return Decision("fallback", "below_threshold", ranked, _guesses(ranked, config))
    if len(ranked) < 2:
        return Decision("answer", "clear_best", ranked)
    second = ranked[1]
    gap = best.score - second.score
    runner_up = (second.entry_id,) if gap <= config.runner_up_margin else ()
    tie = gap < config.ambiguity_gap
    if not (tie or result.loose_word):
        return Decision("answer", "clear_best", ranked, runner_up)
    if linked(best.entry_id, second.entry_id):
        return Decision("answer", "linked_near_tie", ranked, runner_up)
    return Decision("clarify", "near_tie" if tie else "one_loose_word", ranked,
                    _clarify_options(ranked, config))


def _guesses(ranked: tuple[Candidate, ...], config: DecisionConfig) -> tuple[str, ...]:
    near = [c.entry_id for c in ranked if c.score >= config.suggest_floor]
    return tuple(near[: config.max_suggestions])


def _clarify_options(ranked: tuple[Candidate, ...], config: DecisionConfig) -> tuple[str, ...]:
    floor = ranked[0].score - config.clarify_floor_gaps * config.ambiguity_gap
    if len([c for c in ranked if c.score >= floor]) < 2:  # a one-word subject
        floor = min(floor, config.suggest_floor)
    picks = [c.entry_id for c in ranked if c.score >= floor]
    return tuple(picks[: config.max_options])
