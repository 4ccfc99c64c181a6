"""The matching engine: an inverted index for candidates, rapidfuzz and feature overlap for scores.

Why two stages: scoring every phrasing of every entry with rapidfuzz grows with the content; the
index hands the scorer only the phrasings that share a weighted feature with the message, so the
cost follows the message, not the corpus.

The score of a phrasing blends three views, each in 0..1:
``cover``: how much of the phrasing's weight the message contains (a long, rambling message that
contains the question still scores); ``focus``: how much of the message's weight the phrasing
explains (a message that shares only 学校 or 温州 with an entry scores low, because those words weigh
little and the rest of the message is unexplained); ``fuzz``: rapidfuzz similarity of the two
texts and of their pinyin readings (typos, word order). Weights are inverse entry frequencies, so a
word that many entries use says little about which entry is meant.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from intents.errors import FaqDataError, UnknownIntentError
from intents.features import extract
from intents.models import Candidate, FaqEntry, MatchConfig, MatchResult
from intents.normalize import Normalizer
from intents.pinyin import spoken

# Blend of the score views; they sum to 1 so that a perfect match scores 1.
W_COVER, W_FOCUS, W_FUZZ = 0.42, 0.33, 0.25
# Evidence from the answer text adds at most this much (numbers and names asked about directly).
W_ANSWER = 0.12
# An entry loses this much per unit of the message that another candidate's phrasings explain
# between them and its own do not: a question naming a topic (外来用工子女入学) and a detail (调研课题,
# 教育部推广) belongs to the entry that covers both, not to the overview whose short phrasing, the
# topic's name, the message contains whole. Relative, so it never lifts a vague one-word message.
W_ENTRY = 0.5
# A feature the content never uses still counts against focus, at this share of the rarest weight.
UNKNOWN_SHARE = 0.6
# Features found in more phrasings than this do not generate candidates (they still score).
MAX_POSTINGS = 5000
# Content texts whose analysis is remembered between rebuilds (bounded memory).
MEMO_LIMIT = 500_000
# Postings visited per message before common features stop generating candidates.
VISIT_BUDGET = 6000
# Long messages are also scored clause window by clause window, at this share of the window's score.
WINDOW_SHARE = 0.92
WINDOW_MIN_CHARS = 30
_CLAUSE_END = re.compile(r"[，。！？；,.!?;\n]+")
_ASKS = re.compile(r"吗|么|啥|哪|几|多少|怎|是否|是不是|有没有|能不能|可不可以|请问|想问|了解|\?|？"
                   r"|\b(what|how|which|who|when|where|why|is|are|can|does|do)\b", re.IGNORECASE)
# A message carrying less weight than this (one or two common words: 学校, 老师, 政策) is too vague to
# be answered with confidence; its score shrinks with the square root of its share of this weight.
INFO_FULL = 10.0


Analysis = tuple[str, str, frozenset[str]]  # normal form, spoken form, features


class Analyses:
    """Analysed content texts of one normaliser, remembered between engine builds.

    A publish changes a few entries, so a rebuild that is handed the previous build's
    ``Analyses`` re-analyses only what changed. Whoever rebuilds engines owns one (the content
    catalog's ``EngineShelf``); an engine built without one makes its own.
    """

    def __init__(self, normalizer: Normalizer, limit: int = MEMO_LIMIT) -> None:
        self.normalizer = normalizer
        self._limit = limit
        self._items: dict[str, Analysis] = {}

    def __call__(self, text: str) -> Analysis:
        """The analysis of a content text."""
        found = self._items.get(text)
        if found is None:
            norm = self.normalizer.core(self.normalizer(text))
            found = (norm, spoken(norm), frozenset(extract(norm)))
            if len(self._items) >= self._limit:
                self._items.clear()
            self._items[text] = found
        return found


@dataclass(frozen=True, slots=True)
class _Phrasing:
    entry: int
    text: str
    norm: str
    reading: str
    feats: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Query:
    text: str
    norm: str
    reading: str
    feats: frozenset[str]
    weight: float
    kinds: frozenset[str]


class IntentEngine:
    """Ranks content entries for a message. Immutable once built; rebuild to change content."""

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        normalizer: Normalizer | None = None,
        config: MatchConfig | None = None,
        analyses: Analyses | None = None,
    ) -> None:
        self.config = config or MatchConfig()
        self.normalize = analyses.normalizer if analyses else normalizer or Normalizer()
        self._analyse = analyses or Analyses(self.normalize)
        self.entries: tuple[FaqEntry, ...] = tuple(entries)
        self._by_id = {e.id: i for i, e in enumerate(self.entries)}
        if len(self._by_id) != len(self.entries):
            raise FaqDataError("duplicate entry ids in the content")
        self._phrasings: list[_Phrasing] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        entry_feats: list[set[str]] = [set() for _ in self.entries]
        for index, entry in enumerate(self.entries):
            for text in dict.fromkeys((entry.title, *entry.questions, *entry.keywords)):
                phrasing = self._phrasing(index, text)
                if not phrasing.feats:
                    continue
                for feat in phrasing.feats:
                    self._postings[feat].append(len(self._phrasings))
                self._phrasings.append(phrasing)
                entry_feats[index] |= phrasing.feats
        self._answer_feats = [self._analyse(e.answer + " " + (e.answer_en or ""))[2]
                              for e in self.entries]
        self._entry_feats = [frozenset(f) for f in entry_feats]
        self._idf = self._weights(entry_feats)
        self._unknown = UNKNOWN_SHARE * math.log(1 + len(self.entries) / 0.5)
        self._phrasing_weight = [self._kind_weights(p.feats) for p in self._phrasings]
        self._queries = lru_cache(maxsize=64)(self._query)

    # -- building ------------------------------------------------------------------------------

    def _phrasing(self, entry: int, text: str) -> _Phrasing:
        norm, sound, feats = self._analyse(text)
        return _Phrasing(entry, text, norm, sound, feats)

    def _weights(self, entry_feats: Iterable[set[str]]) -> dict[str, float]:
        df: dict[str, int] = defaultdict(int)
        for feats in entry_feats:
            for feat in feats:
                df[feat] += 1
        n = len(self.entries)
        return {f: math.log(1 + n / (d + 0.5)) for f, d in df.items()}

    def _weight(self, feats: Iterable[str]) -> float:
        return sum(self._idf.get(f, self._unknown) for f in feats)

    def _kind_weights(self, feats: Iterable[str]) -> dict[str, float]:
        """Weight per feature kind, so that a pinyin-only message is measured on pinyin only."""
        out: dict[str, float] = defaultdict(float)
        for feat in feats:
            out[feat[0]] += self._idf.get(feat, self._unknown)
        return dict(out)

    # -- matching ------------------------------------------------------------------------------

    def entry(self, entry_id: str) -> FaqEntry:
        """The entry with this id."""
        try:
            return self.entries[self._by_id[entry_id]]
        except KeyError:
            raise UnknownIntentError(entry_id) from None

    def has(self, entry_id: str) -> bool:
        """Whether the content has this entry id."""
        return entry_id in self._by_id

    def query(self, text: str) -> _Query:
        """The normalised message and its features, computed once per message (ranking and the
        decision both ask for them; the last few are remembered)."""
        return self._queries(text)

    def _query(self, text: str) -> _Query:
        norm = self.normalize.core(self.normalize(text))
        feats = frozenset(extract(norm))
        return _Query(text, norm, spoken(norm), feats,
                      self._weight(feats), frozenset(f[0] for f in feats))

    def _candidates(self, query: _Query) -> list[int]:
        """Phrasings sharing the most weight with the message, rarest features first.

        The walk over postings has a budget: once the rare features have visited enough
        phrasings, the common ones (long postings, low weight) are skipped, so the cost of a
        message stays bounded however large the content grows.
        """
        scores: dict[int, float] = defaultdict(float)
        feats = sorted((f for f in query.feats if f in self._postings),
                       key=lambda f: self._idf[f], reverse=True)
        visited = 0
        for feat in feats:
            postings = self._postings[feat]
            if len(postings) > MAX_POSTINGS or (visited + len(postings) > VISIT_BUDGET
                                                 and len(scores) >= self.config.candidates):
                continue
            visited += len(postings)
            weight = self._idf[feat]
            for index in postings:
                scores[index] += weight
        return heapq.nlargest(self.config.candidates, scores, key=scores.__getitem__)

    def _score(self, query: _Query, index: int) -> tuple[float, dict[str, float]]:
        phrasing = self._phrasings[index]
        shared = self._weight(query.feats & phrasing.feats)
        weights = self._phrasing_weight[index]
        if "b" in query.kinds or "p" not in query.kinds:
            comparable = sum(weights.values())
        else:  # pinyin input can only meet the phrasing's pinyin, numbers and English
            comparable = sum(weights.get(kind, 0.0) for kind in ("p", "n", "e"))
        cover = shared / comparable if comparable else 0.0
        focus = shared / query.weight if query.weight else 0.0
        ratio = max(
            fuzz.ratio(query.norm, phrasing.norm, processor=None),
            fuzz.ratio(query.reading, phrasing.reading, processor=None),
        )
        if len(phrasing.norm) >= 4 and len(query.norm) > len(phrasing.norm):
            ratio = max(ratio, 0.9 * fuzz.partial_ratio(phrasing.norm, query.norm, processor=None))
        similar = ratio / 100
        score = W_COVER * cover + W_FOCUS * focus + W_FUZZ * similar
        return score, {"cover": cover, "focus": focus, "fuzz": similar}

    def rank(self, text: str, limit: int = 5) -> list[Candidate]:
        """Entries ranked by score, best first, at most ``limit`` of them.

        A long message is also read in windows of consecutive clauses: people tell a story and
        ask in one part of it, and that part, read alone, is not diluted by the rest.
        """
        ranked = {c.entry_id: c for c in self._rank_one(text)}
        for window in _windows(text):
            for cand in self._rank_one(window):
                score = round(WINDOW_SHARE * cand.score, 4)
                if cand.entry_id not in ranked or score > ranked[cand.entry_id].score:
                    ranked[cand.entry_id] = Candidate(cand.entry_id, score, cand.question,
                                                      {**cand.parts, "window": 1.0})
        return sorted(ranked.values(), key=lambda c: (-c.score, c.entry_id))[:limit]

    def _rank_one(self, text: str) -> list[Candidate]:
        query = self.query(text)
        if not query.feats:
            return []
        best: dict[int, Candidate] = {}
        for index in self._candidates(query):
            score, parts = self._score(query, index)
            entry = self._phrasings[index].entry
            if entry not in best or score > best[entry].score:
                best[entry] = Candidate(self.entries[entry].id, score,
                                        self._phrasings[index].text, parts)
        ranked = []
        vagueness = min(1.0, query.weight / INFO_FULL) ** 0.5
        asked = {entry: self._weight(query.feats & self._entry_feats[entry]) / query.weight
                 for entry in best}
        most = max(asked.values(), default=0.0)
        for entry, cand in best.items():
            support = self._weight(query.feats & self._answer_feats[entry]) / query.weight
            blended = (1 - W_ANSWER) * cand.score + W_ANSWER * support
            short = most - asked[entry]  # what another entry explains and this one cannot
            score = vagueness * max(0.0, min(1.0, blended) - W_ENTRY * short)
            ranked.append(Candidate(cand.entry_id, round(score, 4), cand.question,
                                    {**cand.parts, "answer": support, "asked": asked[entry]}))
        ranked.sort(key=lambda c: (-c.score, c.entry_id))
        return ranked[:10]

    def _one_loose_word(self, text: str, ranked: list[Candidate]) -> bool:
        """A message of one word (政策, 奖励) that is not itself one of the best entry's phrasings
        names a subject, not a question: several entries fit it, so the user is asked which."""
        if len(ranked) < 2:
            return False
        query = self.query(text)
        words = [f for f in query.feats if f[0] in "we"]
        if len(words) != 1:
            return False
        best = self.entry(ranked[0].entry_id)
        own = {self._analyse(t)[0] for t in (best.title, *best.questions, *best.keywords)}
        return query.norm not in own

    def linked(self, first: str, second: str) -> bool:
        """Whether the editors linked two entries (``related``), in either direction."""
        return (second in self.entry(first).related or first in self.entry(second).related)

    def match(self, text: str, limit: int = 5) -> MatchResult:
        """Rank the entries for ``text``, best first; deciding is :func:`intents.decide`'s job."""
        ranked = self.rank(text, limit=limit)
        return MatchResult(text=text, normalized=self.query(text).norm,
                           candidates=tuple(ranked),
                           loose_word=self._one_loose_word(text, ranked))


def _windows(text: str) -> list[str]:
    """Pairs of consecutive clauses of a long message that ask something (nothing for a short
    message): the clauses that only set the scene (我是一名乡村老师) do not get a say of their own."""
    if len(text) < WINDOW_MIN_CHARS:
        return []
    clauses = [c for c in _CLAUSE_END.split(text) if c.strip()]
    if len(clauses) < 3:
        return []
    pairs = [(clauses[i], clauses[i + 1]) for i in range(len(clauses) - 1)]
    return ["，".join(pair) for pair in pairs if any(_ASKS.search(c) for c in pair)]
