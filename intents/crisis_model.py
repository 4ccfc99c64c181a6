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
from functools import lru_cache
from pathlib import Path

from intents.normalize import basic_form
from intents.pinyin import looks_like_pinyin, reading

_RUN = re.compile(r"[a-z0-9']+|[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z']+")
MAX_CHARS = 2000
CHAR_NGRAMS = (1, 2, 3)


@lru_cache(maxsize=256)
def features(text: str) -> frozenset[str]:
    """The message's features (see the module docstring).

    Kept for the last messages: the crisis model and the message model read the same text in
    the same turn, and the features (pinyin above all) are most of what either costs."""
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
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class CrisisModel:
    """The trained model: two logistic heads over the same features, with their thresholds.

    The ``crisis`` head (crisis against everything else) decides a crisis, at ``threshold``
    (chosen on the validation writers for recall first). The ``distress`` head (crisis or
    concern against none) finds distress, at ``distress_threshold``: a message under the crisis
    threshold but over this one is a concern and gets the warm line with the emergency numbers,
    so most crises the first head misses are still shown where to get help. ``rules_confirm``
    is the distress level at which a match of the hand patterns also counts as a crisis (the
    patterns alone raise too many false alarms; confirmed by the distress head, they add recall).
    """

    weights: dict[str, tuple[float, float, float]]  # feature -> (idf, crisis, distress coef)
    bias: float
    distress_bias: float
    threshold: float
    distress_threshold: float
    rules_confirm: float
    meta: dict[str, object]

    @classmethod
    def load(cls, path: str | Path) -> CrisisModel:
        """Read a model file written by the trainer."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        weights = {f: (float(v[0]), float(v[1]), float(v[2]) if len(v) > 2 else 0.0)
                   for f, v in data["weights"].items()}
        threshold = float(data["threshold"])
        distress = data.get("distress", {})
        return cls(weights, float(data["bias"]), float(distress.get("bias", -50.0)), threshold,
                   float(distress.get("threshold", 1.0)),
                   float(distress.get("rules_confirm", 2.0)), dict(data.get("meta", {})))

    def probabilities(self, text: str) -> tuple[float, float]:
        """The probabilities that ``text`` signals a crisis, and distress (crisis or concern)."""
        known = [self.weights[f] for f in features(text) if f in self.weights]
        if not known:
            return _sigmoid(self.bias), _sigmoid(self.distress_bias)
        norm = math.sqrt(sum(w[0] * w[0] for w in known))
        crisis = sum(w[0] * w[1] for w in known) / norm
        distress = sum(w[0] * w[2] for w in known) / norm
        return _sigmoid(self.bias + crisis), _sigmoid(self.distress_bias + distress)

    def probability(self, text: str) -> float:
        """The model's probability that ``text`` signals a crisis."""
        return self.probabilities(text)[0]

    def is_crisis(self, text: str) -> bool:
        """Whether the crisis probability reaches the chosen threshold."""
        return self.probability(text) >= self.threshold


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def default_model_path() -> Path:
    """The shipped model file, inside the package."""
    return Path(__file__).resolve().parent / "data" / "crisis_model.json"
