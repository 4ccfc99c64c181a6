"""Which stored questions ask the same thing, judged by the engine's own analysis of them.

Comparing the raw texts (rapidfuzz on the normal form) kept "校服在哪里买" and "孩子的校服去哪里订购"
apart: half their characters differ. The engine does not read them that way: both are the word
校服 (rare in the content, so heavy) plus question words every entry has (light). So two
questions are one group when the features the engine takes from them (words, bigrams, pinyin,
numbers) overlap by enough of their weight, weighted as the engine weighs them over the current
content, and when they share their heaviest word: "温州中考什么时候出分" and "温州高考什么时候出分"
share most features but not 中考/高考, so they stay apart. Near-identical texts (a typo, a
particle) are one group whatever their features.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from intents import FaqEntry
from intents.engine import UNKNOWN_SHARE, Analysis

SAME_TEXT = 85  # rapidfuzz ratio of the normal forms from which two questions are one
SHARED = 0.35  # weighted Dice overlap of features from which two questions are one
ANCHOR_KINDS = "wen"  # words, English words, numbers: what a question is about
# Words that say how something is asked, not what: never the word two questions must share
# ("校服在哪里买" and "温心有约在哪里" share 哪里 and nothing they are about).
ASK_WORDS = frozenset(f"w:{w}" for w in (
    "哪里", "哪儿", "在哪", "哪个", "哪些", "什么", "是什么", "什么时候", "时候", "啥时候", "怎么",
    "怎样", "怎么样", "怎么办", "如何", "多少", "几点", "为什么", "可以", "能否", "需要", "有没有",
    "能不能", "可不可以", "要不要", "会不会", "是否", "有", "吗", "啥"))


@dataclass(frozen=True, slots=True)
class Weights:
    """Feature weights as the engine computes them: inverse entry frequency over the content."""

    idf: dict[str, float]
    unknown: float

    @classmethod
    def of(cls, entries: Sequence[FaqEntry], analyse: Callable[[str], Analysis]) -> Weights:
        """The weights of ``entries``' phrasings (title, questions, keywords), per entry."""
        df: dict[str, int] = defaultdict(int)
        for entry in entries:
            feats: set[str] = set()
            for text in (entry.title, *entry.questions, *entry.keywords):
                feats |= analyse(text)[2]
            for feat in feats:
                df[feat] += 1
        n = len(entries)
        return cls({f: math.log(1 + n / (d + 0.5)) for f, d in df.items()},
                   UNKNOWN_SHARE * math.log(1 + n / 0.5))

    def __call__(self, feat: str) -> float:
        """The weight of one feature (a feature the content never uses: the engine's share)."""
        return self.idf.get(feat, self.unknown)


@dataclass(frozen=True, slots=True)
class Features:
    """A question as the grouping compares it."""

    norm: str
    feats: frozenset[str]
    weight: float
    anchors: frozenset[str]  # its heaviest words (ties all count)

    @classmethod
    def of(cls, analysis: Analysis, weights: Weights) -> Features:
        """The features of an analysed question."""
        norm, _spoken, feats = analysis
        words = [f for f in feats if f[0] in ANCHOR_KINDS and f not in ASK_WORDS]
        top = max((weights(f) for f in words), default=0.0)
        anchors = frozenset(f for f in words if weights(f) >= top - 1e-9)
        return cls(norm, feats, sum(weights(f) for f in feats), anchors)


def similarity(a: Features, b: Features, weights: Weights) -> float:
    """How much two questions ask the same thing, 0..1 (0 when they do not share a main word)."""
    if a.norm and fuzz.ratio(a.norm, b.norm, processor=None) >= SAME_TEXT:
        return 1.0
    if not (a.anchors & b.feats or b.anchors & a.feats) or not a.weight + b.weight:
        return 0.0
    shared = sum(weights(f) for f in a.feats & b.feats)
    return 2 * shared / (a.weight + b.weight)


def cluster(items: Sequence[Features], weights: Weights,
            threshold: float = SHARED) -> list[list[int]]:
    """Indices of ``items`` in groups, in the order given (most asked first): each item joins
    the group holding its most similar earlier item, when that one is similar enough.

    Only groups sharing a feature with the item are compared, through a small inverted index,
    so a full inbox costs far less than every pair.
    """
    groups: list[list[int]] = []
    where: dict[str, set[int]] = defaultdict(set)
    for index, item in enumerate(items):
        near = set().union(*(where[f] for f in item.feats if f in where))
        best, best_score = -1, 0.0
        for group in sorted(near):
            score = max(similarity(item, items[m], weights) for m in groups[group])
            if score >= threshold and score > best_score:
                best, best_score = group, score
        if best < 0:
            best = len(groups)
            groups.append([])
        groups[best].append(index)
        for feat in item.feats:
            where[feat].add(best)
    return groups
