"""The learned message model: shipped inside the package, reproducible from its corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from intents.decision import read_act
from intents.message_model import KINDS, MessageModel, default_model_path
from services.dialogue import scope_training as training
from tests.model_files import assert_reproduced

FAQ = Path(__file__).resolve().parents[2] / "faq_data"


@pytest.fixture(scope="module")
def model() -> MessageModel:
    return MessageModel.load(default_model_path())


def test_the_training_command_reproduces_the_shipped_model_file(tmp_path):
    rebuilt = tmp_path / "model.json"
    training.train_from_content(FAQ, rebuilt)
    assert_reproduced(rebuilt, default_model_path())  # byte for byte on one machine


def test_on_the_validation_writer_small_talk_is_read_and_few_questions_are_taken(model):
    rows = training.read_rows(FAQ / "scope" / "validation.jsonl")
    acts = [(training.kind_of(r), read_act(model.read(r["text"]), model.thresholds))
            for r in rows]
    small = [(k, a) for k, a in acts if k not in ("question", "noise", "complaint")]
    questions = [a for k, a in acts if k == "question"]
    assert sum(k == a for k, a in small) / len(small) >= 0.85
    assert sum(a != "question" for a in questions) / len(questions) <= 0.03


@pytest.mark.parametrize("text", ["", "🙂🙂", "x" * 5000, "\x00\x01", "？？？"])
def test_any_text_gets_a_reading(model, text):
    reading = model.read(text)
    assert reading.kind in KINDS
    assert 0.0 <= reading.kind_p <= 1.0 and 0.0 <= reading.named_p <= 1.0
