"""Comparing a rebuilt model file with the shipped one.

Training is deterministic on one machine (the same bytes every run), but machines differ in
the last bits of floating-point sums, so a weight near a rounding boundary can come out one unit
of its last digit apart on another CPU. The shipped file is "reproduced" when everything but
such flips is equal: every key, every string, every chosen threshold and count; each number
within :data:`TOLERANCE`; each int8 of a quantised layer within one step.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

TOLERANCE = 2.5e-5  # two units of the files' fifth decimal
QUANTISED = frozenset({"rows"})


def assert_reproduced(rebuilt: Path, shipped: Path) -> None:
    """Fail naming the first place where the two model files differ beyond a float flip."""
    _compare(json.loads(rebuilt.read_text(encoding="utf-8")),
             json.loads(shipped.read_text(encoding="utf-8")), "$")


def _compare(a: Any, b: Any, where: str) -> None:
    assert type(a) is type(b) or {type(a), type(b)} <= {int, float}, where
    if isinstance(a, dict):
        assert a.keys() == b.keys(), f"{where}: keys differ"
        for key in a:
            if key in QUANTISED and isinstance(a[key], str):
                x, y = base64.b64decode(a[key]), base64.b64decode(b[key])
                assert len(x) == len(y), f"{where}.{key}: sizes differ"
                steps = [abs(((p + 128) % 256) - ((q + 128) % 256)) for p, q in zip(x, y)]
                assert max(steps, default=0) <= 1, f"{where}.{key}: int8 weights differ"
            else:
                _compare(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), f"{where}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            _compare(x, y, f"{where}[{i}]")
    elif isinstance(a, float | int) and not isinstance(a, bool):
        assert abs(a - b) <= TOLERANCE + 1e-4 * abs(b), f"{where}: {a} != {b}"
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"
