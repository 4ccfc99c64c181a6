"""faq_data/regression.yaml through the whole dialogue: the bar every content change must hold."""

import yaml

from tests.conftest import FAQ_DIR

BAR = 0.9


async def test_regression_set_holds_the_bar(ask):
    cases = yaml.safe_load((FAQ_DIR / "regression.yaml").read_text(encoding="utf-8"))["cases"]
    misses = []
    for number, case in enumerate(cases):
        reply = await ask(case["text"], user=f"r{number}")
        expect = case["expect"] if isinstance(case["expect"], list) else [case["expect"]]
        got = reply.intent if reply.kind == "answer" else reply.kind
        if got not in expect:
            misses.append(f"{case['text']!r}: expected {expect}, got {got}")
    accuracy = 1 - len(misses) / len(cases)
    assert accuracy >= BAR, f"{accuracy:.0%} < {BAR:.0%}:\n" + "\n".join(misses)
