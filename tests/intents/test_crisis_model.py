"""The learned crisis detector: shipped inside the package, reproducible from its corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from intents.crisis_model import CrisisModel, default_model_path, features
from services.dialogue import SafetyCheck
from services.dialogue import safety_training as training
from tests.model_files import assert_reproduced

FAQ = Path(__file__).resolve().parents[2] / "faq_data"


@pytest.fixture(scope="module")
def model() -> CrisisModel:
    return CrisisModel.load(default_model_path())


def test_the_training_command_reproduces_the_shipped_model_file(tmp_path):
    rebuilt = tmp_path / "model.json"
    training.train_from_content(FAQ, rebuilt)
    assert_reproduced(rebuilt, default_model_path())  # byte for byte on one machine


def test_the_shipped_model_keeps_its_validation_figures(model):
    """Recall first on the validation writers (where the thresholds were chosen), every missed
    crisis still shown the emergency numbers, and few alarms on the everyday messages of the
    scope corpus's validation writer."""
    check = SafetyCheck(model)
    scores = training.score(training.read_rows(FAQ / "safety" / "validation.jsonl"), check.tier)
    assert scores.recall >= 0.97
    assert scores.shown_help == scores.crises - scores.caught
    assert scores.concerns_found / scores.concerns >= 0.95
    everyday = [r["text"] for r in training.read_rows(FAQ / "scope" / "validation.jsonl")]
    assert sum(check.tier(t) == "crisis" for t in everyday) / len(everyday) <= 0.03


def test_pinyin_input_and_chinese_share_features():
    """``wo bu xiang huo le`` meets 我不想活了 through its syllables."""
    chinese = {f for f in features("我不想活了") if f.startswith("p:")}
    pinyin = {f for f in features("wo bu xiang huo le") if f.startswith("p:")}
    assert chinese and chinese == pinyin


@pytest.mark.parametrize("text", ["", "🙂🙂", "x" * 5000])
def test_any_text_gets_a_probability(model, text):
    assert all(0.0 <= p <= 1.0 for p in model.probabilities(text))


@pytest.mark.parametrize("text", ["您好", "老师您好", "您好，我想咨询一下", "你好，请问", "在吗",
                                  "1", "2", "and the quality ones?", "thanks", "ok",
                                  "<script>alert(1)</script>"])
def test_openings_option_numbers_and_short_follow_ups_are_never_a_crisis(model, text):
    """What a parent types first or in passing must not bring the crisis reply and a staff
    alert. A network trained on more writers failed exactly here (docs/safety.md, "Tried and
    not shipped"), so any new model must pass it."""
    assert SafetyCheck(model).tier(text) != "crisis"
