"""What a message is and what it asks for, learned: small talk, group-chat noise, complaints,
and for a question the detail it wants (a phone number, a fee, a deadline…) and whether it names
one particular school, person or place.

Why learned: small talk was a phrase list and scope a list of regular expressions; both missed
what they were not shown (a dialect thank-you, 收到 in a group, "幼儿园学费多少" when the list knew
only 学费多少). Three logistic heads over the character, pinyin, word and emoji n-grams of
``intents.crisis_model.features`` are trained on the scope corpus (``faq_data/scope/``, written by
independent people, split by writer) and chosen on its validation writers:

- ``kind``: ``question`` (answerable or not), ``greeting``, ``thanks``, ``goodbye``, ``ack``,
  ``bot_identity``, ``capabilities``, ``noise`` (not addressed to the bot), ``complaint``;
- ``slot``: the detail a question asks for (``phone``, ``address``, ``website_app``,
  ``date_deadline``, ``fee``, ``documents``, ``eligibility``, ``quota_amount``, ``named_entity``,
  ``opening_hours``, ``comparison_year``, ``procedure``) or ``any`` (what is X, how, is there a policy on X);
- ``named``: the message is about one named school, kindergarten, person, street or town.

The model file is JSON inside the package, written by ``wenjiao scope train``; it is read here
with the standard library only (a dictionary walk, a softmax), with no network.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from intents.crisis_model import features

KINDS = ("question", "greeting", "thanks", "goodbye", "ack", "bot_identity", "capabilities",
         "noise", "complaint")
SMALL_TALK = ("greeting", "thanks", "goodbye", "ack", "bot_identity", "capabilities")
# The small-talk kinds as the content's small-talk ids (``faq_data/small_talk.yaml``).
TALK_IDS = {"greeting": "greeting", "thanks": "thanks", "goodbye": "goodbye", "ack": "ack",
            "bot_identity": "who_are_you", "capabilities": "capabilities"}
SLOTS = ("any", "phone", "address", "website_app", "date_deadline", "fee", "documents",
         "eligibility", "quota_amount", "named_entity", "opening_hours", "comparison_year",
         "procedure")


@dataclass(frozen=True, slots=True)
class Reading:
    """The model's reading of one message: each head's best class and its probability."""

    kind: str
    kind_p: float
    slot: str
    slot_p: float
    named_p: float
    # The small-talk or noise class's probability even when question won (for the decision).
    kinds: dict[str, float]


@dataclass(frozen=True, slots=True)
class _Head:
    classes: tuple[str, ...]
    bias: tuple[float, ...]
    offset: int  # where this head's coefficients start in each feature's list


@dataclass(frozen=True, slots=True)
class MessageModel:
    """The trained heads and the thresholds chosen with them (see ``intents.decision``)."""

    weights: dict[str, tuple[float, ...]]  # feature -> (idf, kind coefs…, slot coefs…, named)
    kind: _Head
    slot: _Head
    named_bias: float
    thresholds: dict[str, float]
    meta: dict[str, object]

    @classmethod
    def load(cls, path: str | Path) -> MessageModel:
        """Read a model file written by the trainer."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        kinds = tuple(data["kind"]["classes"])
        slots = tuple(data["slot"]["classes"])
        return cls({f: tuple(float(x) for x in v) for f, v in data["weights"].items()},
                   _Head(kinds, tuple(data["kind"]["bias"]), 1),
                   _Head(slots, tuple(data["slot"]["bias"]), 1 + len(kinds)),
                   float(data["named"]["bias"]),
                   {k: float(v) for k, v in data.get("thresholds", {}).items()},
                   dict(data.get("meta", {})))

    def read(self, text: str) -> Reading:
        """The three heads' reading of ``text``."""
        known = [self.weights[f] for f in features(text) if f in self.weights]
        norm = math.sqrt(sum(w[0] * w[0] for w in known)) or 1.0
        kinds = _softmax(self.kind, known, norm)
        slots = _softmax(self.slot, known, norm)
        named_at = self.slot.offset + len(self.slot.classes)
        named = self.named_bias + sum(w[0] * w[named_at] for w in known) / norm
        kind = max(kinds, key=kinds.__getitem__)
        slot = max(slots, key=slots.__getitem__)
        return Reading(kind, kinds[kind], slot, slots[slot], _sigmoid(named), kinds)


def _softmax(head: _Head, known: list[tuple[float, ...]], norm: float) -> dict[str, float]:
    scores = [b + sum(w[0] * w[head.offset + i] for w in known) / norm
              for i, b in enumerate(head.bias)]
    top = max(scores)
    exp = [math.exp(s - top) for s in scores]
    total = sum(exp)
    return {c: e / total for c, e in zip(head.classes, exp, strict=True)}


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def default_model_path() -> Path:
    """The shipped model file, inside the package."""
    return Path(__file__).resolve().parent / "data" / "message_model.json"
