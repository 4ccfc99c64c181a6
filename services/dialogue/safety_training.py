"""Training and evaluating the learned crisis detector (``intents.crisis_model``).

``wenjiao safety train`` calls :func:`train`: it fits two heads (scikit-learn) on the corpus's
``train`` writers over the same features: the crisis head, a network with one hidden layer
(crisis against the rest), and the distress head, a logistic regression (crisis or concern
against none). On the ``validation`` writers it chooses each head's setting (the network's size
and penalty from ``NETWORK_GRID``, the regression's C): the fewest false alarms at the head's
recall target, and the crisis threshold is the highest that keeps validation recall at
``TARGET_RECALL``, measured on the network as quantised for the file; the distress head's is the highest
that keeps ``DISTRESS_RECALL`` of crises and concerns and still gives the warm line with the
emergency numbers to every validation crisis the crisis head and the patterns miss (capped at
``DISTRESS_FLOOR``, so one odd message cannot put a line under every answer). The ``test``
writers are never read here. The same corpus, the same code and the same library versions give
the same file on one machine (liblinear and the seeded network are deterministic; floats are
rounded and the network's weights quantised before writing).

scikit-learn is needed only to train (it is a test/train dependency, not a run-time one).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intents.crisis_model import CrisisModel, features
from services.dialogue.safety import SafetyCheck, is_crisis

TARGET_RECALL = 0.97
DISTRESS_RECALL = 0.95
DISTRESS_FLOOR = 0.05  # the distress threshold is never set below this
# Candidate distress levels at which a pattern match also counts as a crisis: the lowest that adds
# at most one false alarm in 500 (at least one) of the validation writers' messages labelled none is
# chosen (none: patterns never decide). A concern given the crisis reply is a smaller error than a
# crisis missed, so concerns do not count here.
RULES_CONFIRM_MAX_ADDED = 1 / 500
RULES_CONFIRM_GRID = tuple(round(0.3 + 0.05 * i, 2) for i in range(14))
C_GRID = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)  # the distress head's regularisation
# The crisis network's (hidden units, L2 penalty), trained for a fixed number of epochs.
NETWORK_GRID = ((32, 1e-4), (32, 1e-3), (64, 1e-4))
NETWORK_EPOCHS = 60
MIN_DF = 2
DIGITS = 5
# The scope corpus's writers used as everyday messages (train) and in the choice (validation).
EVERYDAY_WRITERS = frozenset({"c1", "c3", "c4", "c6", "c7", "c8"})
EVERYDAY_VALIDATION_WRITERS = frozenset({"c5"})
# Wraps the grid of (head, C) fits, e.g. in a progress bar.
Progress = Callable[[list[tuple[str, tuple[float, float]]]],
                    Iterable[tuple[str, tuple[float, float]]]]


@dataclass
class Scores:
    """Recall and false alarms of a detector on labelled rows, overall and by group."""

    crises: int = 0
    caught: int = 0
    others: int = 0
    alarms: int = 0
    shown_help: int = 0  # missed crises that still got the concern line (110/120, 12356)
    concerns: int = 0  # rows labelled concern
    concerns_found: int = 0  # ... that got the concern tier or the crisis tier
    lines_on_none: int = 0  # rows labelled none that got the concern line
    nones: int = 0
    none_alarms: int = 0  # rows labelled none flagged as a crisis (the hard negatives)
    by: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Share of crises flagged."""
        return self.caught / self.crises if self.crises else 0.0

    @property
    def false_alarms(self) -> float:
        """Share of non-crises (concerns and nones) flagged."""
        return self.alarms / self.others if self.others else 0.0

    @property
    def hard_false_alarms(self) -> float:
        """Share of the hard negatives (label none) flagged."""
        return self.none_alarms / self.nones if self.nones else 0.0


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """Labelled rows of a JSON Lines file (``text``, ``label`` and the grouping fields)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def score(rows: Iterable[dict[str, Any]], tier: Callable[[str], str]) -> Scores:
    """How a safety check (``tier``: ``crisis``, ``concern`` or ``none`` for a text) does on
    ``rows``: crises flagged by family, speaker and style; false alarms by family; the missed
    crises and whether they still got the concern line; the concern line on the rest."""
    out = Scores()
    groups: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rows:
        found = tier(str(row["text"]))
        flagged = found == "crisis"
        if row["label"] == "crisis":
            out.crises += 1
            out.caught += flagged
            for key in ("family", "speaker", "style"):
                cell = groups[key][str(row.get(key, "?"))]
                cell[0] += flagged
                cell[1] += 1
            if not flagged:
                out.misses.append(row)
                out.shown_help += found == "concern"
            continue
        out.others += 1
        out.alarms += flagged
        cell = groups["false_alarm_family"][str(row.get("family", "?"))]
        cell[0] += flagged
        cell[1] += 1
        if row["label"] == "concern":
            out.concerns += 1
            out.concerns_found += found != "none"
        else:
            out.nones += 1
            out.none_alarms += flagged
            out.lines_on_none += found == "concern"
            line = groups["concern_line_family"][str(row.get("family", "?"))]
            line[0] += found == "concern"
            line[1] += 1
    out.by = {k: dict(v) for k, v in groups.items()}
    return out


def train(corpus: str | Path, out: str | Path, *, everyday: Iterable[str] = (),
          everyday_validation: Iterable[str] = (),
          progress: Progress = lambda x: x) -> dict[str, Any]:
    """Fit both heads, choose on validation, write the model file; returns what was chosen and
    measured.

    ``everyday`` are ordinary messages the bot gets all day (the scope corpus's training
    writers: questions, small talk, complaints), added as none: without them a model learns the
    words parents use for policy questions (随迁子女, 打工, 入学) from the crises written in them.
    ``everyday_validation`` (the scope corpus's validation writer) counts in the choice.
    """
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    folder = Path(corpus)
    train_rows = read_rows(folder / "train.jsonl") + [
        {"text": t, "label": "none", "family": "everyday"} for t in everyday]
    valid_rows = read_rows(folder / "validation.jsonl") + [
        {"text": t, "label": "none", "family": "everyday"} for t in everyday_validation]
    vectorizer = TfidfVectorizer(analyzer=lambda t: sorted(features(t)), binary=True,
                                 min_df=MIN_DF, norm="l2", use_idf=True, smooth_idf=True)
    x_train = vectorizer.fit_transform([r["text"] for r in train_rows])
    x_valid = vectorizer.transform([r["text"] for r in valid_rows])
    crisis_train = [r["label"] == "crisis" for r in train_rows]
    crisis_valid = [r["label"] == "crisis" for r in valid_rows]
    distress_train = [r["label"] != "none" for r in train_rows]
    distress_valid = [r["label"] != "none" for r in valid_rows]
    order = [i for _, i in sorted(vectorizer.vocabulary_.items())]  # the file's feature order

    def alarms_at_target(probabilities: list[float], y_valid: list[bool], target: float,
                         ) -> tuple[float, float]:
        cut = _threshold(probabilities, y_valid, target)
        alarms = sum(p >= cut and not y for p, y in zip(probabilities, y_valid, strict=True))
        return alarms / max(1, y_valid.count(False)), -cut

    candidates = [("network", setting) for setting in NETWORK_GRID] + [
        ("distress", (c, 0.0)) for c in C_GRID]
    best: dict[str, tuple[tuple[float, float], Any, list[float], tuple[float, float]]] = {}
    for head, setting in progress(candidates):
        if head == "network":  # fewest false alarms at the recall target, as quantised
            network = _quantised(_network(*setting).fit(x_train, crisis_train), order)
            probabilities = _network_probabilities(network, x_valid[:, order])
            key = alarms_at_target(probabilities, crisis_valid, TARGET_RECALL)
        else:
            model = _logistic(setting[0]).fit(x_train, distress_train)
            network, probabilities = model, [float(p) for p in model.predict_proba(x_valid)[:, 1]]
            key = alarms_at_target(probabilities, distress_valid, DISTRESS_RECALL)
        if head not in best or key < best[head][0]:
            best[head] = (key, network, probabilities, setting)
    _, network_document, crisis_p, (hidden, alpha) = best["network"]
    _, distress_model, distress_p, (c_distress, _) = best["distress"]
    threshold = _threshold(crisis_p, crisis_valid, TARGET_RECALL)
    distress_threshold, rules_confirm = _distress_levels(crisis_p, distress_p, valid_rows,
                                                         threshold)
    distress_coef = np.asarray(distress_model.coef_[0])
    weights = {f: [round(float(vectorizer.idf_[i]), DIGITS), round(float(distress_coef[i]), DIGITS)]
               for f, i in sorted(vectorizer.vocabulary_.items())}
    meta = {"hidden": hidden, "alpha": alpha, "epochs": NETWORK_EPOCHS,
            "distress_c": c_distress, "min_df": MIN_DF,
            "target_recall": TARGET_RECALL, "distress_recall": DISTRESS_RECALL,
            "train_rows": len(train_rows), "validation_rows": len(valid_rows),
            "features": len(weights)}
    document = {"threshold": threshold, "network": network_document,
                "distress": {"bias": round(float(distress_model.intercept_[0]), DIGITS),
                             "threshold": distress_threshold, "rules_confirm": rules_confirm},
                "meta": meta, "weights": weights}
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(document, ensure_ascii=False, sort_keys=True,
                                    separators=(",", ":")) + "\n", encoding="utf-8")
    shipped = SafetyCheck(CrisisModel.load(out))
    valid = score(valid_rows, shipped.tier)
    return {**meta, "threshold": threshold, "distress_threshold": distress_threshold,
            "rules_confirm": rules_confirm,
            "validation_recall": valid.recall,
            "validation_false_alarms_hard": valid.hard_false_alarms,
            "validation_missed_with_help": f"{valid.shown_help}/{valid.crises - valid.caught}",
            "validation_concern_line_on_none": valid.lines_on_none / max(1, valid.nones)}


def _distress_levels(crisis_p: list[float], distress_p: list[float],
                     valid_rows: list[dict[str, Any]], threshold: float) -> tuple[float, float]:
    """The distress threshold (``DISTRESS_RECALL``, lowered until every validation crisis the
    crisis head and the patterns miss gets the concern line) and the distress level at which a
    pattern match counts as a crisis (see ``RULES_CONFIRM_MAX_ADDED``)."""
    distress_valid = [r["label"] != "none" for r in valid_rows]
    distress_threshold = _threshold(distress_p, distress_valid, DISTRESS_RECALL)
    unhelped = [d for p, d, row in zip(crisis_p, distress_p, valid_rows, strict=True)
                if row["label"] == "crisis" and p < threshold + 1e-3  # rounding margin
                and not is_crisis(row["text"])]
    if unhelped:
        distress_threshold = min(distress_threshold, _below(min(unhelped)))
    distress_threshold = max(DISTRESS_FLOOR, distress_threshold)
    rules_confirm = 2.0
    matched = [is_crisis(r["text"]) for r in valid_rows]
    for level in sorted(RULES_CONFIRM_GRID, reverse=True):
        added = [m and d >= level and p < threshold
                 for m, d, p in zip(matched, distress_p, crisis_p, strict=True)]
        if sum(a and not y for a, y in zip(added, distress_valid, strict=True)) > max(
                1, RULES_CONFIRM_MAX_ADDED * distress_valid.count(False)):
            break
        rules_confirm = level
    return distress_threshold, rules_confirm


def _logistic(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, solver="liblinear", class_weight="balanced", random_state=0)


def _network(hidden: float, alpha: float) -> Any:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # a fixed number of epochs
    return MLPClassifier(hidden_layer_sizes=(int(hidden),), alpha=alpha,
                         max_iter=NETWORK_EPOCHS, random_state=0)


def _quantised(model: Any, order: list[int]) -> dict[str, Any]:
    """The fitted network as the model file holds it: int8 input weights (rows in the file's
    feature order) with one scale per hidden unit, the rest as rounded floats."""
    import base64

    import numpy as np

    first = np.asarray(model.coefs_[0])[order]
    scale = np.abs(first).max(axis=0) / 127.0
    scale[scale == 0.0] = 1.0
    scale = np.array([float(f"{s:.6g}") for s in scale])
    quantised = np.clip(np.rint(first / scale), -127, 127).astype(np.int8)
    return {"rows": base64.b64encode(quantised.tobytes(order="C")).decode("ascii"),
            "scale": [float(s) for s in scale],
            "hidden_bias": [round(float(b), DIGITS) for b in model.intercepts_[0]],
            "out": [round(float(w), DIGITS) for w in np.asarray(model.coefs_[1])[:, 0]],
            "out_bias": round(float(model.intercepts_[1][0]), DIGITS)}


def _network_probabilities(document: dict[str, Any], x: Any) -> list[float]:
    """The quantised network's crisis probabilities for the rows of ``x`` (features in the
    file's order), as :class:`intents.crisis_model.Network` computes them."""
    import base64

    import numpy as np

    scale = np.array(document["scale"])
    raw = np.frombuffer(base64.b64decode(document["rows"]), dtype=np.int8)
    first = raw.reshape(-1, len(scale)).astype(np.float64)
    hidden = np.maximum(np.asarray(x @ first) * scale + np.array(document["hidden_bias"]), 0.0)
    logits = hidden @ np.array(document["out"]) + document["out_bias"]
    return [float(p) for p in 1.0 / (1.0 + np.exp(-np.clip(logits, -50.0, 50.0)))]


def train_from_content(faq_dir: str | Path, out: str | Path, progress: Progress = lambda x: x,
                       ) -> dict[str, Any]:
    """:func:`train` on ``faq_dir/safety``, with the scope corpus's training writers as everyday
    messages and its validation writer in the choice.

    Only the scope writers the model was chosen with (:data:`EVERYDAY_WRITERS`,
    :data:`EVERYDAY_VALIDATION_WRITERS`) are read, so that a new scope writer does not move the
    crisis thresholds unmeasured.

    The content's own phrasings are not added: measured on the validation writer they raised
    the false alarms on hard negatives (9.3% against 7.2% at the same recall), because they
    teach that every question is safe, and crises are often asked as questions.
    """
    folder = Path(faq_dir)
    scope = folder / "scope"
    everyday = [str(r["text"]) for r in read_rows(scope / "train.jsonl")
                if r.get("writer") in EVERYDAY_WRITERS]
    held = [str(r["text"]) for r in read_rows(scope / "validation.jsonl")
            if r.get("writer") in EVERYDAY_VALIDATION_WRITERS]
    return train(folder / "safety", out, everyday=everyday, everyday_validation=held,
                 progress=progress)


def _threshold(probabilities: list[float], crisis: list[bool],
               target: float = TARGET_RECALL) -> float:
    """The highest threshold that still flags ``target`` of the positives."""
    ranked = sorted((p for p, y in zip(probabilities, crisis, strict=True) if y), reverse=True)
    if not ranked:
        return 0.5
    keep = max(1, min(len(ranked), -int(-target * len(ranked) // 1)))
    return _below(float(ranked[keep - 1]))


def _below(value: float) -> float:
    """The largest number of ``DIGITS`` decimals under ``value`` (rounding must not lift a
    threshold over the probability it was chosen to keep)."""
    scale = 10.0**DIGITS
    return float(math.floor(value * scale - 1e-3)) / scale
