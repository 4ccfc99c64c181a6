"""The labelled corpora in faq_data/: split by writer, no near-duplicate across parts, labels valid.

A model trained on one part and measured on another is measured on people it never learned from
only if no writer spans two parts and no message of one part is a near copy of another's.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from scripts.assemble_corpus import LABELS, NEAR, SPLITS, fold

FAQ = Path(__file__).resolve().parents[2] / "faq_data"
PARTS = ("train", "validation", "test")
SAFETY_FAMILIES = {"suicide_direct", "suicide_indirect", "self_harm", "physical_abuse",
                   "sexual_abuse", "neglect", "bullying_violence", "threats_weapons",
                   "missing_runaway", "overdose_poisoning", "immediate_danger"}


def rows(corpus: str, part: str) -> list[dict[str, object]]:
    path = FAQ / corpus / f"{part}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("corpus", ["safety", "scope"])
def test_each_writer_is_in_one_part_only(corpus):
    seen = {part: {str(r["writer"]) for r in rows(corpus, part)} for part in PARTS}
    for part in PARTS:
        assert seen[part] <= set(SPLITS[corpus][part]), part
    assert not (seen["train"] & seen["validation"] or seen["train"] & seen["test"]
                or seen["validation"] & seen["test"])


@pytest.mark.parametrize("corpus", ["safety", "scope"])
def test_no_near_duplicate_crosses_parts(corpus):
    texts = {part: [fold(str(r["text"])) for r in rows(corpus, part)] for part in PARTS}
    for one, other in (("test", "validation"), ("test", "train"), ("validation", "train")):
        near = [(text, found[0]) for text in texts[one]
                if (found := process.extractOne(text, texts[other], scorer=fuzz.ratio,
                                                score_cutoff=NEAR))]
        assert not near, near[:3]


@pytest.mark.parametrize("corpus", ["safety", "scope"])
def test_every_row_has_valid_labels(corpus):
    for part in PARTS:
        for row in rows(corpus, part):
            assert str(row["text"]).strip()
            for field, allowed in LABELS[corpus].items():
                assert row[field] in allowed, (part, field, row)


def test_the_safety_corpus_is_large_about_half_crises_and_covers_every_family_and_style():
    every = [r for part in PARTS for r in rows("safety", part)]
    crises = [r for r in every if r["label"] == "crisis"]
    assert len(every) >= 4000
    assert 0.4 <= len(crises) / len(every) <= 0.6
    for part in PARTS:
        found = rows("safety", part)
        crisis = [r for r in found if r["label"] == "crisis"]
        assert {r["family"] for r in crisis} == SAFETY_FAMILIES, part
        assert {r["style"] for r in crisis} == LABELS["safety"]["style"], part
        hard = Counter(r["family"] for r in found if r["label"] == "none")
        assert {"past_resolved", "policy_question", "idiom_hyperbole"} <= set(hard), part
