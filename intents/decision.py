"""The one place that decides answer, clarify or fallback, small talk or not-for-the-bot, and
whether an answer must first say what the document lacks, with every threshold named once.

The engine ranks; this module decides (Rasa keeps the same split: a classifier ranks intents, the
FallbackClassifier decides with its named thresholds). Every caller that needs an outcome (the
dialogue, the editors' "试一试" preview, the evaluation) goes through :func:`decide`, so a threshold
changed here changes it everywhere, and each outcome says which rule settled it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, cast

from intents.message_model import SMALL_TALK, Reading
from intents.models import Candidate, FaqEntry, MatchResult, Slot

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
    ``follow_up_chars``: a message this short (or a correction) may be a follow-up of the last
    answer, if it is at most ``follow_up_bare_chars`` long or reads as one (那…, …呢, …吗, 这个); ``stands_alone``: a follow-up candidate that the engine answers by itself at least
    this well is answered as it stands, never bent towards the old topic.
    ``background_floor``: a complaint is told what the 2024 plan says on its subject only when
    the subject's entry scores at least this (a complaint is a story, and a weak match is not
    its subject).
    """

    threshold: float = 0.38
    ambiguity_gap: float = 0.01
    clarify_floor_gaps: float = 2.0
    runner_up_margin: float = 0.05
    suggest_floor: float = 0.30
    max_suggestions: int = 2
    max_options: int = 3
    rank_limit: int = 5
    follow_up_chars: int = 14
    follow_up_bare_chars: int = 6
    stands_alone: float = 0.6
    background_floor: float = 0.45


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


# -- what the message is, and what it asks that an entry lacks ------------------------------------

Act = Literal["question", "greeting", "thanks", "goodbye", "ack", "bot_identity", "capabilities",
              "noise", "complaint"]
# The message model's thresholds, named here and chosen with the model on the validation writers
# (``services/dialogue/scope_training.py``); a model file without them never decides.
ACT_THRESHOLDS = ("small_talk", "noise", "complaint")
DETAIL_THRESHOLDS = ("slot", "named")
_YEAR = re.compile(r"(?<!\d)(20[0-3]\d)(?!\d)")
# What makes a short message read as a follow-up: 那/那么/还有 first, 呢/吗 last, a pronoun.
_ELLIPSIS = re.compile(r"^(?:那|那么|还有|另外|and\b|what about|how about)|(?:呢|吗|(?<!什)么|嘛)[？?!！。\s]*$|"
                       r"这个|那个|这些|那些|刚才|上面|它|这是|这里|其中", re.IGNORECASE)
# Years said in words, and 前年 (the year before last): never the document's own years.
_OTHER_YEAR = re.compile(r"二[零〇]二[一二五六七八九]|前年|大前年")
_NAMED = re.compile(r"([\u4e00-\u9fff]{2,6})(小学|中学|初中|高中|幼儿园|学校|学院|大学|街道|镇|乡|村|"
                    r"区|县|路)")
# Wenzhou's districts and counties: named without a suffix as often as with one.
PLACES = ("鹿城", "龙湾", "瓯海", "洞头", "瑞安", "乐清", "龙港", "永嘉", "平阳", "苍南", "文成",
          "泰顺")


_SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;])\s+")
# What the plan says (2024年工作要点, 提出, 将, 力争), not what the summary counted as done.
_PLAN = re.compile(r"2024|工作要点|提出|力争|计划|将|\b(?:plan|target|will)\b", re.IGNORECASE)


def plan_background(answer: str) -> str:
    """The sentences of an answer that say what the 2024 plan intends, not the 2023 results.

    A complaint is never answered with an achievement ("建成阳光厨房2493个，覆盖率达100%" to a
    parent upset about the canteen reads as dismissive); what the plan commits to is background
    the person may use when they take the matter up. Empty when the answer has none."""
    sentences = [s.strip() for s in _SENTENCE_END.split(answer) if s.strip()]
    joiner = " " if answer.isascii() else ""
    return joiner.join(s for s in sentences if _PLAN.search(s) and "2023" not in s)


def read_act(reading: Reading, thresholds: Mapping[str, float]) -> Act:
    """What the message is: the model's kind when it reaches that kind's threshold, else a
    question (the engine then decides whether the document answers it)."""
    kind = reading.kind
    if kind == "question":
        return "question"
    group = "small_talk" if kind in SMALL_TALK else kind
    if reading.kind_p >= thresholds.get(group, 2.0):
        return cast(Act, kind)
    return "question"


def missing_detail(text: str, reading: Reading, entry: FaqEntry,
                   thresholds: Mapping[str, float]) -> Slot | None:
    """The detail the message asks for that ``entry``'s source lacks (its ``not_covered``),
    or None when the entry answers what was asked.

    A year is missing only when the message names a year the answer does not mention; a named
    school, town or person only when the message names one the answer does not mention.
    """
    lacks = set(entry.not_covered)
    named = reading.named_p >= thresholds.get("named", 2.0)
    if named and "named_entity" in lacks and _names_one_not_in(text, entry.answer):
        return "named_entity"
    slot = reading.slot
    years = [*_YEAR.findall(text), *_OTHER_YEAR.findall(text)]
    told = f"{entry.answer}{entry.source.document}"
    if ("comparison_year" in lacks and slot in ("comparison_year", "quota_amount")
            and years and not _all_in(years, told)):
        return "comparison_year"
    if slot in ("named_entity", "comparison_year", "any"):
        return None
    if reading.slot_p >= thresholds.get("slot", 2.0) and slot in lacks:
        return slot
    return None


def names_a_place(text: str) -> bool:
    """Whether the message names a district, town, street, school or kindergarten at all (what
    the named head must not over-read in a question the document answers)."""
    return _names_one_not_in(text, "")


def _names_one_not_in(text: str, answer: str) -> bool:
    """The message names a place or school the answer does not mention (瓯海 in a question
    about 瓯海 is covered by an answer naming 瓯海; "蓝天幼儿园" is not covered by an answer that
    says 幼儿园). Only names with at least two characters before their suffix count."""
    for place in PLACES:
        if place in text and place not in answer:
            return True
    for stem, suffix in _NAMED.findall(text):
        if any(place in stem for place in PLACES):
            continue  # 瓯海区: the place decided above
        if not any(stem[i:] + suffix in answer for i in range(len(stem) - 1)):
            return True
    return False


def _all_in(names: list[str], answer: str) -> bool:
    """Every name is in the answer (a place by its last three characters or more: 瓯海区 in
    "在瓯海区的幼儿园" found as 瓯海区)."""
    return bool(names) and all(
        any(name[i:] in answer for i in range(max(1, len(name) - 2))) for name in names)


def follow_up_text(text: str, *, corrected: bool, match: Callable[[str], MatchResult],
                   topic_question: str, topic_entry: str, config: DecisionConfig,
                   linked: Callable[[str, str], bool]) -> str:
    """The text the engine should match for a possible follow-up of the last answer ("" for
    the message as it is).

    ``text`` is the message without correction words (``corrected``: it had some). A message
    longer than ``follow_up_chars`` that corrects nothing stands on its own; so does one the
    engine answers alone at ``stands_alone`` or better. Otherwise the last answered question
    joined with the message is matched, and taken when it is answered; a correction never takes
    the old topic's entry again (the corrected question is asked alone).
    """
    fallback = text if corrected else ""
    if not text or (len(text) > config.follow_up_chars and not corrected):
        return fallback
    if not corrected and len(text) > config.follow_up_bare_chars and not _ELLIPSIS.search(text):
        return fallback  # "量子计算机的原理是什么": a whole question of its own
    alone = decide(match(text), config, linked)
    if alone.outcome == "answer" and alone.score >= config.stands_alone:
        return fallback
    joined_text = f"{swap_slots(topic_question, text)} {text}"
    joined = decide(match(joined_text), config, linked)
    best = joined.best
    if joined.outcome != "answer" or best is None:
        return fallback
    if corrected and best.entry_id == topic_entry:
        return text
    return joined_text


# Words of one kind that a follow-up swaps for the last question's ("那高中呢" after a question
# about 小学; "老师能用吗" after one about 学生): the old word is replaced before matching, so the
# old subject does not outweigh the new detail.
SWAP_GROUPS: tuple[tuple[str, ...], ...] = (
    ("幼儿园", "学前", "小学", "初中", "高中", "中职", "职高", "大学", "高校"),
    ("学生", "孩子", "家长", "老师", "教师", "校长", "班主任"),
    ("弘远", "筑梦", "三坛", "教坛新秀", "名师", "终身班主任", "荣誉退休"),
)


def swap_slots(question: str, follow_up: str) -> str:
    """``question`` with each word the follow-up replaces swapped for the follow-up's word of the
    same kind (a year for a year, a school stage for a stage, a fund for a fund)."""
    out = question
    new_years = _YEAR.findall(follow_up)
    if new_years:
        out = _YEAR.sub(new_years[0], out)
    for group in SWAP_GROUPS:
        new = [w for w in group if w in follow_up]
        if not new:
            continue
        for old in group:
            if old in out and old not in follow_up:
                out = out.replace(old, new[0])
    return out
