"""Training and evaluating the learned crisis detector (``intents.crisis_model``).

``wenjiao safety train`` calls :func:`train`: it fits a logistic regression (scikit-learn) on the
corpus's ``train`` writers, chooses the regularisation and the threshold on the ``validation``
writers (recall first: the highest threshold that keeps validation recall at ``TARGET_RECALL``,
then the fewest false alarms), and writes the model file the bot ships. The ``test`` writers are
never read here. The same corpus, the same code and the same library versions give the same file
byte for byte (liblinear is deterministic; floats are rounded before writing).

scikit-learn is needed only to train (it is a test/train dependency, not a run-time one).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from intents.crisis_model import CrisisModel, features

TARGET_RECALL = 0.97
C_GRID = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
MIN_DF = 2
DIGITS = 5


@dataclass
class Scores:
    """Recall and false alarms of a detector on labelled rows, overall and by group."""

    crises: int = 0
    caught: int = 0
    others: int = 0
    alarms: int = 0
    by: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Share of crises flagged."""
        return self.caught / self.crises if self.crises else 0.0

    @property
    def false_alarms(self) -> float:
        """Share of non-crises flagged."""
        return self.alarms / self.others if self.others else 0.0


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """Labelled rows of a JSON Lines file (``text``, ``label`` and the grouping fields)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def score(rows: Iterable[dict[str, Any]], detect: Callable[[str], bool]) -> Scores:
    """How ``detect`` does on ``rows``: crises by family, speaker and style; false alarms by
    family; the missed crises."""
    out = Scores()
    groups: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rows:
        flagged = detect(str(row["text"]))
        if row["label"] == "crisis":
            out.crises += 1
            out.caught += flagged
            for key in ("family", "speaker", "style"):
                cell = groups[key][str(row.get(key, "?"))]
                cell[0] += flagged
                cell[1] += 1
            if not flagged:
                out.misses.append(row)
        else:
            out.others += 1
            out.alarms += flagged
            cell = groups["false_alarm_family"][str(row.get("family", "?"))]
            cell[0] += flagged
            cell[1] += 1
    out.by = {k: dict(v) for k, v in groups.items()}
    return out


def train(corpus: str | Path, out: str | Path, *, everyday: Iterable[str] = (),
          everyday_validation: Iterable[str] = (),
          progress: Callable[[Iterable[float]], Iterable[float]] = lambda x: x) -> dict[str, Any]:
    """Fit, choose on validation, write the model file; returns what was chosen and measured.

    ``everyday`` are ordinary messages the bot gets all day (the content's own phrasings, the
    scope corpus's training writers), added as non-crises: the safety corpus's writers wrote
    their crises in the same words parents use for policy questions (随迁子女, 打工, 入学), and
    without the everyday side a model learns those words as danger. ``everyday_validation`` (the
    scope corpus's validation writer) counts in the false alarms used for the choice.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    folder = Path(corpus)
    train_rows = read_rows(folder / "train.jsonl") + [
        {"text": t, "label": "none", "family": "everyday"} for t in everyday]
    valid_rows = read_rows(folder / "validation.jsonl") + [
        {"text": t, "label": "none", "family": "everyday"} for t in everyday_validation]
    vectorizer = TfidfVectorizer(analyzer=lambda t: sorted(features(t)), binary=True,
                                 min_df=MIN_DF, norm="l2", use_idf=True, smooth_idf=True)
    x_train = vectorizer.fit_transform([r["text"] for r in train_rows])
    y_train = [r["label"] == "crisis" for r in train_rows]
    x_valid = vectorizer.transform([r["text"] for r in valid_rows])
    y_valid = [r["label"] == "crisis" for r in valid_rows]
    best: tuple[float, float, float, Any] | None = None  # (false alarms, -threshold, c, model)
    for c in progress(C_GRID):
        model = LogisticRegression(C=c, solver="liblinear", class_weight="balanced",
                                   random_state=0)
        model.fit(x_train, y_train)
        probabilities = model.predict_proba(x_valid)[:, 1]
        threshold = _threshold(list(probabilities), y_valid)
        alarms = sum(p >= threshold and not y for p, y in zip(probabilities, y_valid, strict=True))
        key = (alarms / max(1, y_valid.count(False)), -threshold, c, model)
        if best is None or key[:2] < best[:2]:
            best = key
    assert best is not None
    _, neg_threshold, c, model = best
    vocabulary = vectorizer.vocabulary_
    coefs = model.coef_[0]
    weights = {f: [round(float(vectorizer.idf_[i]), DIGITS), round(float(coefs[i]), DIGITS)]
               for f, i in sorted(vocabulary.items())}
    meta = {"c": c, "min_df": MIN_DF, "target_recall": TARGET_RECALL,
            "train_rows": len(train_rows), "validation_rows": len(valid_rows),
            "features": len(weights)}
    document = {"bias": round(float(model.intercept_[0]), DIGITS),
                "threshold": round(-neg_threshold, DIGITS), "meta": meta, "weights": weights}
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(document, ensure_ascii=False, sort_keys=True,
                                    separators=(",", ":")) + "\n", encoding="utf-8")
    shipped = CrisisModel.load(out)
    valid = score(valid_rows, shipped.is_crisis)
    return {**meta, "threshold": shipped.threshold, "validation_recall": valid.recall,
            "validation_false_alarms": valid.false_alarms}


def train_from_content(faq_dir: str | Path, out: str | Path,
                       progress: Callable[[Iterable[float]], Iterable[float]] = lambda x: x,
                       ) -> dict[str, Any]:
    """:func:`train` on ``faq_dir/safety``, with the content's phrasings and the scope corpus's
    training writers as everyday messages and its validation writer in the false alarms."""
    from intents import load_content

    folder = Path(faq_dir)
    content = load_content(folder)
    phrasings = [t for e in content.entries for t in (e.title, *e.questions, *e.keywords)]
    scope = folder / "scope"
    everyday = phrasings + [str(r["text"]) for r in read_rows(scope / "train.jsonl")]
    held = [str(r["text"]) for r in read_rows(scope / "validation.jsonl")]
    return train(folder / "safety", out, everyday=everyday, everyday_validation=held,
                 progress=progress)


def _threshold(probabilities: list[float], crisis: list[bool]) -> float:
    """The highest threshold that still flags ``TARGET_RECALL`` of the crises."""
    ranked = sorted((p for p, y in zip(probabilities, crisis, strict=True) if y), reverse=True)
    if not ranked:
        return 0.5
    keep = max(1, min(len(ranked), -int(-TARGET_RECALL * len(ranked) // 1)))
    return round(float(ranked[keep - 1]) - 1e-6, DIGITS)
