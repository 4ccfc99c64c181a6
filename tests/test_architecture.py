"""The shape of the code: small modules, and one place for each decision."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "services", "intents")
MAX_LINES = 400


def _modules() -> list[Path]:
    return [p for package in PACKAGES for p in (ROOT / package).rglob("*.py")]


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"split these modules by responsibility: {long}"


def test_services_is_grouped_into_packages_not_flat_modules():
    flat = sorted(p.name for p in (ROOT / "services").glob("*.py")
                  if p.name not in ("__init__.py", "runtime.py", "errors.py"))
    assert not flat, f"put these into dialogue/, content/, staff/ or platform/: {flat}"


def test_thresholds_are_named_only_in_the_decision_module():
    """answer / clarify / fallback is settled by intents.decision alone: no other module reads
    a threshold or margin, so changing one changes it everywhere."""
    names = {"threshold", "ambiguity_gap", "suggest_floor", "runner_up_margin",
             "max_suggestions", "clarify_floor_gaps", "follow_up_chars", "stands_alone", "follow_up_bare_chars"}
    readers = set()
    for path in _modules():
        if path.name == "decision.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in names:
                readers.add(f"{path.relative_to(ROOT)}:{node.lineno}:{node.attr}")
    # The preview shows the threshold to editors; the crisis model has a threshold of its own
    # (crisis or not, chosen by its trainer), which is not the answer / clarify / fallback one.
    own = ("services/content/preview.py", "intents/crisis_model.py",
           "services/dialogue/safety_training.py", "services/dialogue/safety.py")
    allowed = {r for r in readers if r.startswith(own)}
    assert readers - allowed == set()


def test_channels_do_not_read_content_or_the_catalog():
    """Channels translate; what they say comes from the dialogue's API."""
    for path in (ROOT / "bot" / "channels").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert ".catalog" not in text, path.name
        assert ".content." not in text, path.name
