"""A learned crisis detector: a linear model over character, word and pinyin n-grams.

Why this shape: a crisis is said in endless ways (indirect goodbyes, a classmate's report, an IME
typo, pinyin, English, a long story where the danger is one clause), and each round of hand
patterns fixed what it was shown and missed the next phrasing. A logistic regression over many
small, overlapping features learns from a labelled corpus written by independent people
(``faq_data/safety/``), and it is measured on writers it never saw.

The features of a message (:func:`features`):
- ``c:`` character 1–3-grams of the Simplified, lower-cased text within each run of letters or
  CJK characters (so 不想活, 不想或 and 不相活 share most of theirs);
- ``p:`` bigrams of the toneless pinyin syllables, from Chinese characters and from pinyin input
  alike, so ``wo bu xiang huo le`` meets 我不想活了, and a homophone typo meets its word;
- ``w:`` English words and word bigrams;
- ``e:`` each emoji and symbol (💔, 🔪, 😭 carry meaning in a child's message).

The model file is JSON inside the package, written by ``wenjiao safety train``
(``services/dialogue/safety_training.py``, scikit-learn) and read here with the standard library
only: prediction is a dictionary walk over the message's features (TF-IDF weights, L2 norm, the
learned coefficients, a sigmoid), with no numpy at run time and no network.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from intents.normalize import basic_form
from intents.pinyin import looks_like_pinyin, reading

_RUN = re.compile(r"[a-z0-9']+|[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z']+")
MAX_CHARS = 2000
CHAR_NGRAMS = (1, 2, 3)


def features(text: str) -> set[str]:
    """The message's features (see the module docstring)."""
    basic = basic_form(text[:MAX_CHARS])
    out: set[str] = set()
    for run in _RUN.findall(basic):
        if run.isascii():
            continue
        for n in CHAR_NGRAMS:
            out.update(f"c:{run[i:i + n]}" for i in range(len(run) - n + 1))
    syllables = [s for s in reading(basic, ascii_words=looks_like_pinyin(basic)) if s]
    out.update(f"p:{a}_{b}" for a, b in itertools.pairwise(syllables))
    out.update(f"p:{s}" for s in syllables)
    out.update(f"e:{ch}" for ch in basic if unicodedata.category(ch) == "So")
    if not looks_like_pinyin(basic):
        words = _WORD.findall(basic)
        out.update(f"w:{w}" for w in words)
        out.update(f"w:{a}_{b}" for a, b in itertools.pairwise(words))
    return out


@dataclass(frozen=True, slots=True)
class CrisisModel:
    """The trained model: per feature its IDF weight and coefficient, the bias, the threshold."""

    weights: dict[str, tuple[float, float]]  # feature -> (idf, coefficient)
    bias: float
    threshold: float  # chosen on the validation writers, recall first
    meta: dict[str, object]

    @classmethod
    def load(cls, path: str | Path) -> CrisisModel:
        """Read a model file written by the trainer."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        weights = {f: (float(v[0]), float(v[1])) for f, v in data["weights"].items()}
        return cls(weights, float(data["bias"]), float(data["threshold"]),
                   dict(data.get("meta", {})))

    def probability(self, text: str) -> float:
        """The model's probability that ``text`` signals a crisis."""
        known = [self.weights[f] for f in features(text) if f in self.weights]
        if not known:
            return 1.0 / (1.0 + math.exp(-self.bias))
        norm = math.sqrt(sum(idf * idf for idf, _ in known))
        z = self.bias + sum(idf * coef for idf, coef in known) / norm
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def is_crisis(self, text: str) -> bool:
        """Whether the probability reaches the chosen threshold."""
        return self.probability(text) >= self.threshold


def default_model_path() -> Path:
    """The shipped model file, inside the package."""
    return Path(__file__).resolve().parent / "data" / "crisis_model.json"
