"""Training the message model (``intents.message_model``) from the scope corpus.

``wenjiao scope train`` calls :func:`train_from_content`. It fits three logistic regressions
(scikit-learn, multinomial where there are several classes) on the corpus's ``train`` writers over
the features of the crisis model, adds the content's own small-talk phrases and FAQ phrasings
as examples (they are what the bot is built to recognise; measured on the validation writers
they help, see :data:`WITH_CONTENT`), chooses the regularisation on the ``validation`` writers
and then each threshold there:

- ``small_talk``, ``noise``: the highest probability of that kind at which at most
  :data:`MAX_TAKEN` of the validation writers' questions would be taken from the engine and no
  fewer messages of that kind are found than at any lower level (a margin for phrasings the
  validation writer did not use: an English question read as thanks at 0.42);
- ``complaint``: the lowest probability at which at most :data:`MAX_TAKEN` of the validation
  writers' answerable questions would be read as complaints. The margin goes the other way
  here: a complaint missed is answered with the bureau's achievements, which reads as
  dismissive, and citizens' complaints the validation writer did not write scored 0.5–0.7
  (the development set ``faq_data/scope/scored/r1.jsonl``); an out-of-scope question read as
  a complaint still gets where to ask;
- ``slot``: the lowest probability of the asked-for detail at which the head is right on at
  least :data:`MIN_PRECISION` of the validation questions it reads at or above it;
- ``named``: the lowest probability of "names one school, person or place" at which at most
  :data:`MAX_TAKEN` of the answerable validation questions that name a place at all
  (:func:`intents.decision.names_a_place`) would be read as naming one. The honest reply for a
  named place also needs the answer's entry to lack ``named_entity`` and the name to be absent
  from its answer, so the head's own precision is not what a user sees: until 2026-12-06 the
  threshold was chosen like the slot's (0.8), and on the development sets
  ``faq_data/scope/scored/r1``–``r3`` 21 of 92 questions about a named place the document does
  not cover were answered from an entry on their subject, with the head at 0.05–0.79.

The ``test`` writers are never read here. The same corpus, code and library versions give the same
file byte for byte (lbfgs and liblinear are deterministic; floats are rounded before writing).
scikit-learn is needed only to train.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from intents import load_content
from intents.crisis_model import features
from intents.decision import names_a_place
from intents.message_model import KINDS, SLOTS, TALK_IDS, MessageModel

C_GRID = (1.0, 4.0, 16.0, 64.0)
MIN_DF = 2
DIGITS = 5
MAX_TAKEN = 0.01  # of the validation questions a threshold may take from the engine
MIN_PRECISION = 0.95  # of the slot and named heads at their thresholds
WITH_CONTENT = True
THRESHOLD_GRID = tuple(round(0.3 + 0.025 * i, 3) for i in range(28))
Progress = Callable[[list[tuple[str, float]]], Iterable[tuple[str, float]]]


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """Labelled rows of a JSON Lines file."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def kind_of(row: dict[str, Any]) -> str:
    """The kind head's class for a corpus row (answerable or not, a question is a question)."""
    kind = str(row["kind"])
    return "question" if kind == "out_of_scope" else kind


def slot_of(row: dict[str, Any]) -> str:
    """The slot head's class (what is X, how, other: ``any``)."""
    slot = str(row.get("slot", "none"))
    return slot if slot in SLOTS else "any"


def content_examples(faq_dir: Path) -> list[dict[str, Any]]:
    """The content's small-talk phrases and FAQ phrasings as labelled rows."""
    content = load_content(faq_dir)
    kinds = {talk_id: kind for kind, talk_id in TALK_IDS.items()}
    rows: list[dict[str, Any]] = [
        {"text": phrase, "kind": kinds[item.id], "slot": "none"}
        for item in content.small_talk if item.id in kinds for phrase in item.phrases]
    rows += [{"text": q, "kind": "question", "slot": "any", "content": True}
             for entry in content.entries for q in entry.questions]
    return rows


def train(corpus: str | Path, out: str | Path, *, extra: Iterable[dict[str, Any]] = (),
          progress: Progress = lambda x: x) -> dict[str, Any]:
    """Fit the heads on ``train`` (plus ``extra``), choose on ``validation``, write the file."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    folder = Path(corpus)
    train_rows = read_rows(folder / "train.jsonl") + list(extra)
    valid_rows = read_rows(folder / "validation.jsonl")
    vectorizer = TfidfVectorizer(analyzer=lambda t: sorted(features(t)), binary=True,
                                 min_df=MIN_DF, norm="l2", use_idf=True, smooth_idf=True)
    x_train = vectorizer.fit_transform([r["text"] for r in train_rows])
    x_valid = vectorizer.transform([r["text"] for r in valid_rows])
    asks = [i for i, r in enumerate(train_rows) if kind_of(r) == "question"
            and not r.get("content")]
    valid_asks = [i for i, r in enumerate(valid_rows) if kind_of(r) == "question"]
    heads: dict[str, tuple[Any, list[Any], Any, list[Any]]] = {
        "kind": (x_train, [kind_of(r) for r in train_rows], x_valid,
                 [kind_of(r) for r in valid_rows]),
        "slot": (x_train[asks], [slot_of(train_rows[i]) for i in asks], x_valid[valid_asks],
                 [slot_of(valid_rows[i]) for i in valid_asks]),
        "named": (x_train[asks], [bool(train_rows[i].get("names_specific")) for i in asks],
                  x_valid[valid_asks], [bool(valid_rows[i].get("names_specific"))
                                        for i in valid_asks]),
    }
    fitted: dict[str, tuple[float, Any]] = {}
    for head, c in progress([(h, c) for h in heads for c in C_GRID]):
        x, y, xv, yv = heads[head]
        model = _logistic(c, multi=head != "named").fit(x, y)
        right = sum(p == t for p, t in zip(model.predict(xv), yv, strict=True)) / len(yv)
        if head not in fitted or right > fitted[head][0]:
            fitted[head] = (right, model)
    kind_model, slot_model, named_model = (fitted[h][1] for h in ("kind", "slot", "named"))
    document = _document(vectorizer, kind_model, slot_model, named_model)
    document["meta"] = {"min_df": MIN_DF, "train_rows": len(train_rows),
                        "validation_rows": len(valid_rows), "features": len(document["weights"]),
                        "c": {h: float(fitted[h][1].C) for h in fitted},
                        "validation_accuracy": {h: round(fitted[h][0], 4) for h in fitted}}
    document["thresholds"] = {}
    _write(document, out)
    model = MessageModel.load(out)
    document["thresholds"] = choose_thresholds(model, valid_rows)
    _write(document, out)
    return {**document["meta"], "thresholds": document["thresholds"]}


def choose_thresholds(model: MessageModel, rows: list[dict[str, Any]]) -> dict[str, float]:
    """Each kind's threshold (see the module docstring): for small talk and noise the highest on
    the grid that takes at most ``MAX_TAKEN`` of the questions from the engine and finds as many
    messages of that kind as any lower one; for complaints the lowest that reads at most
    ``MAX_TAKEN`` of the answerable questions as complaints. The slot threshold: the lowest at
    which the head is right on at least :data:`MIN_PRECISION` of the questions it reads at or
    above it (whether an entry lacks that detail is the entry's ``not_covered``, not the
    model's). The named threshold: the lowest that reads at most ``MAX_TAKEN`` of the
    answerable questions naming a place as naming one (see the module docstring)."""
    readings = [(row, model.read(str(row["text"]))) for row in rows]
    questions = [rd for row, rd in readings if kind_of(row) == "question"]
    asks = [(row, rd) for row, rd in readings if kind_of(row) == "question"]
    allowed = max(1, int(MAX_TAKEN * len(questions)))

    def precise(pairs: list[tuple[float, bool]]) -> float:
        for level in THRESHOLD_GRID:
            kept = [ok for p, ok in pairs if p >= level]
            if kept and sum(kept) / len(kept) >= MIN_PRECISION:
                return level
        return 1.0

    def lowest(taken: Callable[[float], int], limit: int) -> float:
        for level in THRESHOLD_GRID:
            if taken(level) <= limit:
                return level
        return 1.0

    def strictest(kinds: tuple[str, ...]) -> float:
        """The highest level that takes few enough questions and still finds as many of these
        kinds as the lowest such level: a margin against phrasings validation lacks."""
        start = lowest(lambda level: sum(rd.kind in kinds and rd.kind_p >= level
                                         for rd in questions), allowed)
        mine = [(row, rd) for row, rd in readings if row["kind"] in kinds]

        def found(level: float) -> int:
            return sum(rd.kind == row["kind"] and rd.kind_p >= level for row, rd in mine)

        best = found(start)
        return max((lv for lv in THRESHOLD_GRID if lv >= start and found(lv) >= best),
                   default=start)

    small = tuple(k for k in KINDS if k not in ("question", "noise", "complaint"))
    answerable = [rd for row, rd in readings if row["kind"] == "question"]
    naming = [rd for row, rd in readings
              if row["kind"] == "question" and names_a_place(str(row["text"]))]
    return {
        "small_talk": strictest(small),
        "noise": strictest(("noise",)),
        "complaint": lowest(lambda level: sum(rd.kind == "complaint" and rd.kind_p >= level
                                              for rd in answerable),
                            max(1, int(MAX_TAKEN * len(answerable)))),
        "slot": precise([(rd.slot_p, rd.slot == slot_of(row)) for row, rd in asks
                         if rd.slot != "any"]),
        "named": lowest(lambda level: sum(rd.named_p >= level for rd in naming),
                        max(1, int(MAX_TAKEN * len(answerable)))),
    }


def _document(vectorizer: Any, kind: Any, slot: Any, named: Any) -> dict[str, Any]:
    kind_classes = [str(c) for c in kind.classes_]
    slot_classes = [str(c) for c in slot.classes_]
    weights = {}
    for feature, i in sorted(vectorizer.vocabulary_.items()):
        row = [float(vectorizer.idf_[i])]
        row += [float(kind.coef_[k][i]) for k in range(len(kind_classes))]
        row += [float(slot.coef_[k][i]) for k in range(len(slot_classes))]
        row.append(float(named.coef_[0][i]))
        weights[feature] = [round(v, DIGITS) for v in row]
    return {"kind": {"classes": kind_classes,
                     "bias": [round(float(b), DIGITS) for b in kind.intercept_]},
            "slot": {"classes": slot_classes,
                     "bias": [round(float(b), DIGITS) for b in slot.intercept_]},
            "named": {"bias": round(float(named.intercept_[0]), DIGITS)},
            "weights": weights}


def _write(document: dict[str, Any], out: str | Path) -> None:
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(document, ensure_ascii=False, sort_keys=True,
                                    separators=(",", ":")) + "\n", encoding="utf-8")


def _logistic(c: float, *, multi: bool) -> Any:
    from sklearn.linear_model import LogisticRegression

    if multi:
        return LogisticRegression(C=c, solver="lbfgs", max_iter=2000, class_weight="balanced")
    return LogisticRegression(C=c, solver="liblinear", class_weight="balanced", random_state=0)


def train_from_content(faq_dir: str | Path, out: str | Path, progress: Progress = lambda x: x,
                       ) -> dict[str, Any]:
    """:func:`train` on ``faq_dir/scope``, with the content's phrasings when
    :data:`WITH_CONTENT`."""
    folder = Path(faq_dir)
    extra = content_examples(folder) if WITH_CONTENT else []
    return train(folder / "scope", out, extra=extra, progress=progress)
