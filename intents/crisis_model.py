"""A learned crisis detector: a small network and a linear model over character, word and pinyin
n-grams.

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

The crisis head is a network with one hidden layer of ReLU units over the TF-IDF features
(:class:`Network`): on the validation writers it raised fewer false alarms at the same recall
than a logistic regression, which tells "he was bullied two years ago, it is over" from the
same words said now less well. The distress head stays linear.

The model file is JSON inside the package, written by ``wenjiao safety train``
(``services/dialogue/safety_training.py``, scikit-learn) and read here with the standard library
only: prediction is a dictionary walk over the message's features (TF-IDF weights, L2 norm, the
learned weights, a sigmoid), with no numpy at run time and no network access.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import re
import unicodedata
from array import array
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
class Network:
    """One hidden layer of ReLU units and a sigmoid output over the TF-IDF features.

    The input-to-hidden weights are int8, one row of ``hidden`` per feature (in the order of the
    model file's sorted features) with a scale per hidden unit: an eighth of the floats' size,
    and a message costs one pass over its known features' rows.
    """

    weights: array[int]  # int8, features * hidden
    scale: tuple[float, ...]
    hidden_bias: tuple[float, ...]
    out: tuple[float, ...]
    out_bias: float

    @classmethod
    def of(cls, data: dict[str, object]) -> Network:
        """The network as the trainer wrote it (base64 int8 weights)."""
        weights = array("b", base64.b64decode(str(data["rows"])))
        return cls(weights, _floats(data["scale"]), _floats(data["hidden_bias"]), _floats(data["out"]),
                   float(str(data["out_bias"])))

    def logit(self, inputs: list[tuple[int, float]]) -> float:
        """The output before the sigmoid, for (feature row, TF-IDF value) pairs."""
        hidden = len(self.scale)
        sums = [0.0] * hidden
        weights = self.weights
        for row, value in inputs:
            start = row * hidden
            for j, w in enumerate(weights[start:start + hidden]):
                sums[j] += value * w
        total = self.out_bias
        for s, scale, bias, out in zip(sums, self.scale, self.hidden_bias, self.out, strict=True):
            h = s * scale + bias
            if h > 0.0:
                total += h * out
        return total


def _floats(value: object) -> tuple[float, ...]:
    assert isinstance(value, list)
    return tuple(float(v) for v in value)


@dataclass(frozen=True, slots=True)
class CrisisModel:
    """The trained model: two heads over the same features, with their thresholds.

    The ``crisis`` head (the :class:`Network`: crisis against everything else) decides a
    crisis, at ``threshold`` (chosen on the validation writers for recall first). The
    ``distress`` head (a logistic regression: crisis or concern against none) finds distress, at
    ``distress_threshold``: a message under the crisis threshold but over this one is a concern
    and gets the warm line with the emergency numbers, so most crises the first head misses are
    still shown where to get help. ``rules_confirm`` is the distress level at which a match of
    the hand patterns also counts as a crisis (the patterns alone raise too many false alarms;
    confirmed by the distress head, they add recall).
    """

    weights: dict[str, tuple[float, float, int]]  # feature -> (idf, distress coef, network row)
    network: Network
    distress_bias: float
    threshold: float
    distress_threshold: float
    rules_confirm: float
    meta: dict[str, object]

    @classmethod
    def load(cls, path: str | Path) -> CrisisModel:
        """Read a model file written by the trainer."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        weights = {f: (float(v[0]), float(v[1]), row)
                   for row, (f, v) in enumerate(sorted(data["weights"].items()))}
        distress = data["distress"]
        return cls(weights, Network.of(data["network"]), float(distress["bias"]),
                   float(data["threshold"]), float(distress["threshold"]),
                   float(distress["rules_confirm"]), dict(data.get("meta", {})))

    def probabilities(self, text: str) -> tuple[float, float]:
        """The probabilities that ``text`` signals a crisis, and distress (crisis or concern)."""
        known = [(f, self.weights[f]) for f in features(text) if f in self.weights]
        if not any(_READABLE.search(f) for f, _ in known):
            return 0.0, 0.0
        norm = math.sqrt(sum(w[0] * w[0] for _, w in known)) or 1.0
        distress = sum(w[0] * w[1] for _, w in known) / norm
        crisis = self.network.logit([(w[2], w[0] / norm) for _, w in known])
        return _sigmoid(crisis), _sigmoid(self.distress_bias + distress)

    def probability(self, text: str) -> float:
        """The model's probability that ``text`` signals a crisis."""
        return self.probabilities(text)[0]

    def is_crisis(self, text: str) -> bool:
        """Whether the crisis probability reaches the chosen threshold."""
        return self.probability(text) >= self.threshold


# A feature that says something: a character, a word, a syllable or a symbol, not only digits.
# A message whose known features are digits alone ("1", an option number, "<script>alert(1)",
# whose markup the model never saw) carries no evidence; scored, its one feature would weigh as
# a whole message after the L2 norm and put it over the distress threshold.
_READABLE = re.compile(r"^(?:[ce]:.|[pw]:.*[^\d_])")


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def default_model_path() -> Path:
    """The shipped model file, inside the package."""
    return Path(__file__).resolve().parent / "data" / "crisis_model.json"
